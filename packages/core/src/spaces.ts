import { InvalidParameterError } from './errors.js';
import type { Rng } from './rng.js';

/**
 * A continuous box `low <= x <= high` of a fixed shape (Gymnasium's `Box`). Values are stored
 * flat in row-major order; `shape` gives the logical dimensions.
 */
export class Box {
  readonly kind = 'box' as const;
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly shape: readonly number[];
  readonly size: number;

  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    const size = shape
      ? shape.reduce((a, b) => a * b, 1)
      : typeof low === 'number'
        ? typeof high === 'number'
          ? 1
          : high.length
        : low.length;
    this.shape = shape ?? [size];
    this.size = size;
    this.low = broadcast(low, size, 'low');
    this.high = broadcast(high, size, 'high');
    for (let i = 0; i < size; i++) {
      if (!(this.low[i]! <= this.high[i]!)) {
        throw new InvalidParameterError('low', this.low[i], `low must be <= high (${this.high[i]}) at index ${i}`);
      }
    }
  }

  /**
   * A uniform sample. Unbounded sides are sampled like Gymnasium: a standard normal when both
   * sides are infinite, an exponential away from the finite side otherwise.
   */
  sample(rng: Rng): Float64Array {
    const out = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      const loFinite = Number.isFinite(lo);
      const hiFinite = Number.isFinite(hi);
      if (loFinite && hiFinite) out[i] = rng.uniform(lo, hi);
      else if (!loFinite && !hiFinite) out[i] = rng.normal();
      else if (loFinite) out[i] = lo - Math.log(1 - rng.float());
      else out[i] = hi + Math.log(1 - rng.float());
    }
    return out;
  }

  contains(x: unknown): boolean {
    if (!isNumberArray(x) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i]!;
      if (Number.isNaN(v) || v < this.low[i]! || v > this.high[i]!) return false;
    }
    return true;
  }
}

/** The integers `start, start+1, …, start+n-1` (Gymnasium's `Discrete`). */
export class Discrete {
  readonly kind = 'discrete' as const;
  readonly n: number;
  readonly start: number;

  constructor(n: number, start = 0) {
    if (!Number.isInteger(n) || n <= 0) throw new InvalidParameterError('n', n, 'expected a positive integer');
    if (!Number.isInteger(start)) throw new InvalidParameterError('start', start, 'expected an integer');
    this.n = n;
    this.start = start;
  }

  sample(rng: Rng): number {
    return this.start + rng.int(this.n);
  }

  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }
}

/** The spaces an environment may declare. */
export type Space = Box | Discrete;

function broadcast(value: number | ArrayLike<number>, size: number, name: string): Float64Array {
  if (typeof value === 'number') return new Float64Array(size).fill(value);
  if (value.length !== size)
    throw new InvalidParameterError(name, value.length, `expected ${size} bounds to match the shape`);
  return Float64Array.from(value);
}

function isNumberArray(x: unknown): x is ArrayLike<number> {
  return (
    (Array.isArray(x) && x.every((v) => typeof v === 'number')) ||
    x instanceof Float64Array ||
    x instanceof Float32Array
  );
}
