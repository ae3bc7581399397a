import { InvalidParameterError } from './errors.js';

/** A seed: a non-negative integer or any string (hashed). */
export type Seed = number | string;

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** splitmix32: spreads a 32-bit seed into well-mixed state words. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [(z ^ (z >>> 16)) >>> 0, state];
}

/** FNV-1a over UTF-16 code units, then mixed: a stable 32-bit hash of a string. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function seedToWord(seed: Seed): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isFinite(seed) || !Number.isInteger(seed) || seed < 0) {
    throw new InvalidParameterError('seed', seed, 'expected a non-negative integer or a string');
  }
  // Fold values beyond 32 bits in so that large seeds still differ.
  return (seed >>> 0) ^ Math.floor(seed / TWO_POW_32);
}

/**
 * A fast seeded pseudo-random generator (xoshiro128**, 128-bit state). The same seed always
 * gives the same sequence on every platform; {@link Rng.child} derives independent streams
 * so that components can draw without disturbing each other's sequences.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;
  private childCount = 0;

  constructor(seed: Seed = 0) {
    let state = seedToWord(seed);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [word, next] = splitmix32(state);
      words.push(word);
      state = next;
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 bits of precision. */
  float(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** Uniform float in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** Uniform integer in [0, n) without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new InvalidParameterError('n', n, 'expected an integer in [1, 2^32]');
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Uniform integer in [min, max], both inclusive. */
  intBetween(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new InvalidParameterError('max', max, `expected integers with min (${min}) <= max`);
    }
    return min + this.int(max - min + 1);
  }

  /** Standard normal draw (Box–Muller, the second value cached). Scaled by `mean` and `std`. */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    this.spareNormal = radius * Math.sin(angle);
    return mean + std * radius * Math.cos(angle);
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.float() < p;
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T, A extends { length: number; [index: number]: T }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i]!;
      array[i] = array[j]!;
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of `0 .. n-1`. */
  permutation(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle<number, Uint32Array>(out);
  }

  /** One element of `items`, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new InvalidParameterError('items', items, 'cannot choose from an empty list');
    return items[this.int(items.length)]!;
  }

  /**
   * An independent generator derived from this one. With a `label`, the child depends only on this
   * generator's seed-state at creation and the label, so `rng.child('init')` is stable even if
   * other children are added; without a label, successive calls give successive distinct streams.
   */
  child(label?: string): Rng {
    const salt = label === undefined ? `#${this.childCount++}` : label;
    const key = `${this.s0},${this.s1},${this.s2},${this.s3}|${salt}`;
    return new Rng(key);
  }

  /** Snapshot of the internal state, to resume a sequence later with {@link Rng.fromState}. */
  getState(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  static fromState(state: readonly [number, number, number, number]): Rng {
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((word) => word | 0) as [number, number, number, number];
    return rng;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Accepts either a seed or an existing generator (the common option shape `{ seed } | { rng }`). */
export function toRng(source: Seed | Rng | undefined, fallbackSeed: Seed = 0): Rng {
  if (source instanceof Rng) return source;
  return new Rng(source ?? fallbackSeed);
}
