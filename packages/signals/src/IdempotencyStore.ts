import { InvalidParameterError } from '@candlelab/core';

/**
 * Remembers processed keys so the same alert is processed once. `claim` must be atomic:
 * it returns true for the first caller of a key (within the TTL) and false afterwards.
 * A Redis implementation is `SET key 1 NX PX ttl`.
 */
export interface IdempotencyStore {
  claim(key: string): boolean | Promise<boolean>;
  /** Forgets a key (after a failed processing, so a retry can succeed). */
  release(key: string): void | Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** How long a key is remembered, in ms. Default 86,400,000 (24 h). */
  ttlMs?: number;
  /** At most this many keys; the oldest is forgotten beyond it. Default 100,000. */
  maxKeys?: number;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** In-process {@link IdempotencyStore}: a Map in insertion (= expiry) order, swept on each claim. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly expiry = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? 86_400_000;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
    if (!(this.ttlMs > 0)) throw new InvalidParameterError('ttlMs', options.ttlMs, 'expected a number > 0');
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1)
      throw new InvalidParameterError('maxKeys', options.maxKeys, 'expected an integer >= 1');
  }

  claim(key: string): boolean {
    const now = this.now();
    for (const [k, expires] of this.expiry) {
      if (expires > now) break;
      this.expiry.delete(k);
    }
    const expires = this.expiry.get(key);
    if (expires !== undefined && expires > now) return false;
    if (this.expiry.size >= this.maxKeys) this.expiry.delete(this.expiry.keys().next().value!);
    this.expiry.set(key, now + this.ttlMs);
    return true;
  }

  release(key: string): void {
    this.expiry.delete(key);
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.expiry.size;
  }
}
