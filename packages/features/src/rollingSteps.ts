import type { RollingStat } from './featureSetSchema.js';

/**
 * One-value-at-a-time forms of the rolling statistics. The batch functions (`rollingStat`,
 * `rollingAutocorr`) loop over them and `FeatureStream` feeds them one bar at a time, so batch and
 * streaming perform the same floating-point operations in the same order (bit-identical).
 *
 * Each stepper keeps a ring of the values it still needs and, before every `next`, a snapshot of
 * its scalars plus the one ring slot `next` overwrites, so `revise` (the newest value changed: a
 * still-forming candle) restores the snapshot and steps again in O(1).
 */

/** Values seen so far, oldest dropped once more than `capacity` are held; the newest may be revised. */
export class SeriesHistory {
  readonly #ring: Float64Array;
  #count = 0;

  /** `capacity`: how many of the newest values stay readable (at least 1). */
  constructor(capacity: number) {
    this.#ring = new Float64Array(Math.max(1, capacity));
  }

  /** Appends a value. */
  push(v: number): void {
    this.#ring[this.#count % this.#ring.length] = v;
    this.#count++;
  }

  /** Replaces the newest value. */
  revise(v: number): void {
    this.#ring[(this.#count - 1) % this.#ring.length] = v;
  }

  /** The value `k` steps before the newest (0 = newest), or NaN when it was never seen. */
  ago(k: number): number {
    const at = this.#count - 1 - k;
    return at >= 0 ? this.#ring[at % this.#ring.length]! : Number.NaN;
  }
}

/**
 * Rolling mean, population std, skew and excess kurtosis over `window` values (see `rollingStat`):
 * running power sums of values shifted by an anchor, re-anchored on the newest value and rebuilt
 * from the window every `window` values.
 */
export class RollingMoments {
  readonly #window: number;
  readonly #stat: 'mean' | 'std' | 'skew' | 'kurtosis';
  readonly #ring: Float64Array;
  #i = -1;
  #shift = Number.NaN;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;
  #s4 = 0;
  #nanCount = 0;
  /** `[i, shift, s1, s2, s3, s4, nanCount, overwritten ring value]` before the last `next`. */
  readonly #saved = new Float64Array(8);

  constructor(stat: 'mean' | 'std' | 'skew' | 'kurtosis', window: number) {
    this.#stat = stat;
    this.#window = window;
    this.#ring = new Float64Array(window);
  }

  /** Adds the next value; returns the statistic (NaN until `window` values, or with a NaN in the window). */
  next(v: number): number {
    const saved = this.#saved;
    saved[0] = this.#i;
    saved[1] = this.#shift;
    saved[2] = this.#s1;
    saved[3] = this.#s2;
    saved[4] = this.#s3;
    saved[5] = this.#s4;
    saved[6] = this.#nanCount;
    saved[7] = this.#ring[(this.#i + 1) % this.#window]!;
    return this.#step(v);
  }

  /** Replaces the newest value (given to the last `next`) and returns the statistic again. */
  revise(v: number): number {
    const saved = this.#saved;
    this.#i = saved[0]!;
    this.#shift = saved[1]!;
    this.#s1 = saved[2]!;
    this.#s2 = saved[3]!;
    this.#s3 = saved[4]!;
    this.#s4 = saved[5]!;
    this.#nanCount = saved[6]!;
    this.#ring[(this.#i + 1) % this.#window] = saved[7]!;
    return this.#step(v);
  }

  #step(v: number): number {
    const w = this.#window;
    const ring = this.#ring;
    const i = ++this.#i;
    const slot = i % w;
    const old = ring[slot]!; // the value i − w once i >= w
    ring[slot] = v;
    let shift = this.#shift;
    let s1 = this.#s1;
    let s2 = this.#s2;
    let s3 = this.#s3;
    let s4 = this.#s4;
    let nanCount = this.#nanCount;
    if (Number.isNaN(v)) nanCount++;
    else {
      if (Number.isNaN(shift)) shift = v;
      const x = v - shift;
      const x2 = x * x;
      s1 += x;
      s2 += x2;
      s3 += x2 * x;
      s4 += x2 * x2;
    }
    if (i >= w) {
      if (Number.isNaN(old)) nanCount--;
      else {
        const x = old - shift;
        const x2 = x * x;
        s1 -= x;
        s2 -= x2;
        s3 -= x2 * x;
        s4 -= x2 * x2;
      }
    }
    if ((i + 1) % w === 0 && !Number.isNaN(v)) {
      // Re-anchor every `window` values on the newest one and rebuild the sums from the window, so
      // rounding never accumulates and a drifting level (prices) never dwarfs the window's spread.
      shift = v;
      s1 = s2 = s3 = s4 = 0;
      for (let j = i - w + 1; j <= i; j++) {
        const u = ring[j % w]!;
        if (Number.isNaN(u)) continue;
        const x = u - shift;
        const x2 = x * x;
        s1 += x;
        s2 += x2;
        s3 += x2 * x;
        s4 += x2 * x2;
      }
    }
    this.#shift = shift;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#s3 = s3;
    this.#s4 = s4;
    this.#nanCount = nanCount;
    if (i < w - 1 || nanCount > 0) return Number.NaN;
    const mean = s1 / w;
    const m2 = Math.max(0, s2 / w - mean * mean);
    switch (this.#stat) {
      case 'mean':
        return mean + shift;
      case 'std':
        return Math.sqrt(m2);
      case 'skew': {
        const m3 = s3 / w - 3 * mean * (s2 / w) + 2 * mean * mean * mean;
        return m2 > 1e-300 ? m3 / (m2 * Math.sqrt(m2)) : Number.NaN;
      }
      case 'kurtosis': {
        const mean2 = mean * mean;
        const m4 = s4 / w - 4 * mean * (s3 / w) + 6 * mean2 * (s2 / w) - 3 * mean2 * mean2;
        return m2 > 1e-300 ? m4 / (m2 * m2) - 3 : Number.NaN;
      }
    }
  }
}

/**
 * Rolling min, max, argmin or argmax over `window` values with a monotonic deque (ties go to the
 * newest value); any NaN in the window gives NaN. Positions are in [0, 1], 1 = newest.
 */
export class RollingExtreme {
  readonly #window: number;
  readonly #wantMax: boolean;
  readonly #position: boolean;
  /** The deque as a ring of capacity `window + 1`: values and their indices. */
  readonly #values: Float64Array;
  readonly #indices: Float64Array;
  #head = 0;
  #size = 0;
  #i = -1;
  #lastNan = -1;
  /** `[i, head, size, lastNan, overwritten slot, its value, its index]` before the last `next`. */
  readonly #saved = new Float64Array(7);

  constructor(stat: 'min' | 'max' | 'argmin' | 'argmax', window: number) {
    this.#window = window;
    this.#wantMax = stat === 'max' || stat === 'argmax';
    this.#position = stat === 'argmin' || stat === 'argmax';
    this.#values = new Float64Array(window + 1);
    this.#indices = new Float64Array(window + 1);
  }

  /** Adds the next value; returns the statistic (NaN until `window` values, or with a NaN in the window). */
  next(v: number): number {
    const saved = this.#saved;
    saved[0] = this.#i;
    saved[1] = this.#head;
    saved[2] = this.#size;
    saved[3] = this.#lastNan;
    saved[4] = -1;
    return this.#step(v);
  }

  /** Replaces the newest value (given to the last `next`) and returns the statistic again. */
  revise(v: number): number {
    const saved = this.#saved;
    this.#i = saved[0]!;
    this.#head = saved[1]!;
    this.#size = saved[2]!;
    this.#lastNan = saved[3]!;
    const slot = saved[4]!;
    if (slot >= 0) {
      this.#values[slot] = saved[5]!;
      this.#indices[slot] = saved[6]!;
    }
    saved[4] = -1;
    return this.#step(v);
  }

  #step(v: number): number {
    const w = this.#window;
    const cap = w + 1;
    const values = this.#values;
    const indices = this.#indices;
    const i = ++this.#i;
    let head = this.#head;
    let size = this.#size;
    if (Number.isNaN(v)) this.#lastNan = i;
    else {
      // Drop older entries that can no longer be the extreme (ties: the newer one wins).
      while (size > 0) {
        let back = head + size - 1;
        if (back >= cap) back -= cap;
        const b = values[back]!;
        if (this.#wantMax ? b <= v : b >= v) size--;
        else break;
      }
      let slot = head + size;
      if (slot >= cap) slot -= cap;
      const saved = this.#saved;
      if (saved[4] === -1) {
        saved[4] = slot;
        saved[5] = values[slot]!;
        saved[6] = indices[slot]!;
      }
      values[slot] = v;
      indices[slot] = i;
      size++;
    }
    while (size > 0 && indices[head]! <= i - w) {
      head = head + 1 === cap ? 0 : head + 1;
      size--;
    }
    this.#head = head;
    this.#size = size;
    if (i < w - 1 || this.#lastNan > i - w) return Number.NaN;
    return this.#position ? 1 - (i - indices[head]!) / (w - 1) : values[head]!;
  }
}

/**
 * Rolling autocorrelation at `lag` over `window` pairs (see `rollingAutocorr`), from running sums
 * of shifted values re-anchored every `window` values.
 */
export class RollingAutocorr {
  readonly #window: number;
  readonly #lag: number;
  /** The newest `window + lag + 1` values. */
  readonly #ring: Float64Array;
  #i = -1;
  #shift = Number.NaN;
  #sx = 0;
  #sy = 0;
  #sxx = 0;
  #syy = 0;
  #sxy = 0;
  #nanPairs = 0;
  /** `[i, shift, sx, sy, sxx, syy, sxy, nanPairs, overwritten ring value]` before the last `next`. */
  readonly #saved = new Float64Array(9);

  constructor(lag: number, window: number) {
    this.#lag = lag;
    this.#window = window;
    this.#ring = new Float64Array(window + lag + 1);
  }

  /** Adds the next value; returns the autocorrelation (NaN until `window + lag` values, with a NaN pair, or constant sides). */
  next(v: number): number {
    const saved = this.#saved;
    saved[0] = this.#i;
    saved[1] = this.#shift;
    saved[2] = this.#sx;
    saved[3] = this.#sy;
    saved[4] = this.#sxx;
    saved[5] = this.#syy;
    saved[6] = this.#sxy;
    saved[7] = this.#nanPairs;
    saved[8] = this.#ring[(this.#i + 1) % this.#ring.length]!;
    return this.#step(v);
  }

  /** Replaces the newest value (given to the last `next`) and returns the autocorrelation again. */
  revise(v: number): number {
    const saved = this.#saved;
    this.#i = saved[0]!;
    this.#shift = saved[1]!;
    this.#sx = saved[2]!;
    this.#sy = saved[3]!;
    this.#sxx = saved[4]!;
    this.#syy = saved[5]!;
    this.#sxy = saved[6]!;
    this.#nanPairs = saved[7]!;
    this.#ring[(this.#i + 1) % this.#ring.length] = saved[8]!;
    return this.#step(v);
  }

  #step(v: number): number {
    const w = this.#window;
    const lag = this.#lag;
    const ring = this.#ring;
    const cap = ring.length;
    const i = ++this.#i;
    ring[i % cap] = v;
    let shift = this.#shift;
    let sx = this.#sx;
    let sy = this.#sy;
    let sxx = this.#sxx;
    let syy = this.#syy;
    let sxy = this.#sxy;
    let nanPairs = this.#nanPairs;
    if (i >= lag) {
      const y = ring[(i - lag) % cap]!;
      if (Number.isNaN(v) || Number.isNaN(y)) nanPairs++;
      else {
        if (Number.isNaN(shift)) shift = y;
        const a = v - shift;
        const b = y - shift;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
      }
      const j = i - w;
      if (j >= lag) {
        const xo = ring[j % cap]!;
        const yo = ring[(j - lag) % cap]!;
        if (Number.isNaN(xo) || Number.isNaN(yo)) nanPairs--;
        else {
          const a = xo - shift;
          const b = yo - shift;
          sx -= a;
          sy -= b;
          sxx -= a * a;
          syy -= b * b;
          sxy -= a * b;
        }
      }
    }
    if ((i + 1) % w === 0 && i >= lag && !Number.isNaN(v)) {
      // Re-anchor every `window` values (see RollingMoments).
      shift = v;
      sx = sy = sxx = syy = sxy = 0;
      for (let j = Math.max(lag, i - w + 1); j <= i; j++) {
        const xv = ring[j % cap]!;
        const yv = ring[(j - lag) % cap]!;
        if (Number.isNaN(xv) || Number.isNaN(yv)) continue;
        const a = xv - shift;
        const b = yv - shift;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
      }
    }
    this.#shift = shift;
    this.#sx = sx;
    this.#sy = sy;
    this.#sxx = sxx;
    this.#syy = syy;
    this.#sxy = sxy;
    this.#nanPairs = nanPairs;
    if (i < w + lag - 1 || nanPairs > 0) return Number.NaN;
    const cov = sxy - (sx * sy) / w;
    const vx = sxx - (sx * sx) / w;
    const vy = syy - (sy * sy) / w;
    return vx > 1e-300 && vy > 1e-300 ? Math.max(-1, Math.min(1, cov / Math.sqrt(vx * vy))) : Number.NaN;
  }
}

/** A stepper for any rolling statistic. */
export function rollingStepper(stat: RollingStat, window: number): RollingMoments | RollingExtreme {
  return stat === 'min' || stat === 'max' || stat === 'argmin' || stat === 'argmax'
    ? new RollingExtreme(stat, window)
    : new RollingMoments(stat, window);
}
