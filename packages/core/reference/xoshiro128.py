"""Independent transcription of xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c)
seeded with splitmix32, as candlelab's Rng does. Prints the first words for seed 1 (pinned in rng.test.ts)."""
M = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M


def splitmix32(state):
    state = (state + 0x9E3779B9) & M
    z = state
    z = imul(z ^ (z >> 16), 0x85EBCA6B)
    z = imul(z ^ (z >> 13), 0xC2B2AE35)
    return (z ^ (z >> 16)) & M, state


def words(seed, n):
    s, state = [], seed
    for _ in range(4):
        w, state = splitmix32(state)
        s.append(w)
    out = []
    for _ in range(n):
        out.append(imul(rotl(imul(s[1], 5), 7), 9))
        t = (s[1] << 9) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11)
    return out


if __name__ == "__main__":
    print(words(1, 3))
