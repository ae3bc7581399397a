/**
 * Small one-value-at-a-time building blocks used inside composite kernels. Each keeps only
 * numbers and typed arrays as state (so streaming can copy it) and returns `NaN` until ready.
 */

/** Simple moving average over a ring buffer. */
export class SmaStep {
  readonly period: number;
  readonly ring: Float64Array;
  pos = 0;
  count = 0;
  sum = 0;

  constructor(period: number) {
    this.period = period;
    this.ring = new Float64Array(period);
  }

  /** Adds `x` (NaN is skipped: returns NaN and leaves the state unchanged). */
  next(x: number): number {
    if (Number.isNaN(x)) return Number.NaN;
    const p = this.period;
    this.sum += x - this.ring[this.pos]!;
    this.ring[this.pos] = x;
    this.pos = this.pos + 1 === p ? 0 : this.pos + 1;
    if (this.count < p) this.count++;
    return this.count < p ? Number.NaN : this.sum / p;
  }
}

/** Rolling sum of the last `period` values (NaN until full). */
export class SumStep {
  readonly period: number;
  readonly ring: Float64Array;
  pos = 0;
  count = 0;
  sum = 0;

  constructor(period: number) {
    this.period = period;
    this.ring = new Float64Array(period);
  }

  /** Adds `x` (NaN is skipped: returns NaN and leaves the state unchanged). */
  next(x: number): number {
    if (Number.isNaN(x)) return Number.NaN;
    const p = this.period;
    this.sum += x - this.ring[this.pos]!;
    this.ring[this.pos] = x;
    this.pos = this.pos + 1 === p ? 0 : this.pos + 1;
    if (this.count < p) this.count++;
    return this.count < p ? Number.NaN : this.sum;
  }
}

/**
 * Exponential smoothing `v += k (x - v)` seeded with the simple average of the first `period`
 * values (TA-Lib's EMA seeding). `k = 2 / (period + 1)` for EMA, `1 / period` for Wilder's RMA.
 * NaN inputs before the seed are skipped, so it can smooth another indicator's output.
 */
export class EmaStep {
  readonly period: number;
  readonly k: number;
  count = 0;
  value = 0;

  constructor(period: number, k = 2 / (period + 1)) {
    this.period = period;
    this.k = k;
  }

  next(x: number): number {
    if (this.count >= this.period) {
      this.value += (x - this.value) * this.k;
      return this.value;
    }
    if (Number.isNaN(x)) return Number.NaN;
    this.value += x;
    this.count++;
    if (this.count < this.period) return Number.NaN;
    this.value /= this.period;
    return this.value;
  }
}

/** Linearly weighted moving average (weights 1..period, newest heaviest), O(1) per value. */
export class WmaStep {
  readonly period: number;
  readonly ring: Float64Array;
  readonly divisor: number;
  pos = 0;
  count = 0;
  sum = 0;
  weighted = 0;

  constructor(period: number) {
    this.period = period;
    this.ring = new Float64Array(period);
    this.divisor = (period * (period + 1)) / 2;
  }

  next(x: number): number {
    if (Number.isNaN(x)) return Number.NaN;
    const p = this.period;
    // weighted' = weighted - sum(previous window) + p * x, where the previous window sum includes the leaving value
    this.weighted += p * x - this.sum;
    const old = this.ring[this.pos]!;
    this.sum += x - old;
    this.ring[this.pos] = x;
    this.pos = this.pos + 1 === p ? 0 : this.pos + 1;
    if (this.count < p) this.count++;
    return this.count < p ? Number.NaN : this.weighted / this.divisor;
  }
}

/**
 * Rolling maximum (or minimum) of the last `period` values with a monotonic deque; also reports
 * how many bars ago the extreme occurred (the most recent one on ties, as TA-Lib).
 */
export class ExtremeStep {
  readonly period: number;
  /** +1 for maximum, -1 for minimum. */
  readonly sign: number;
  readonly values: Float64Array;
  readonly indices: Float64Array;
  head = 0;
  size = 0;
  t = -1;

  constructor(period: number, kind: 'max' | 'min') {
    this.period = period;
    this.sign = kind === 'max' ? 1 : -1;
    this.values = new Float64Array(period);
    this.indices = new Float64Array(period);
  }

  next(x: number): number {
    const cap = this.period;
    const s = this.sign;
    const t = ++this.t;
    if (this.size > 0 && this.indices[this.head]! <= t - cap) {
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.size--;
    }
    while (this.size > 0) {
      let back = this.head + this.size - 1;
      if (back >= cap) back -= cap;
      if (s * this.values[back]! > s * x) break;
      this.size--;
    }
    let slot = this.head + this.size;
    if (slot >= cap) slot -= cap;
    this.values[slot] = x;
    this.indices[slot] = t;
    this.size++;
    return t + 1 < cap ? Number.NaN : this.values[this.head]!;
  }

  /** Bars since the current extreme (0 = this bar). */
  get age(): number {
    return this.t - this.indices[this.head]!;
  }
}

/** Rolling mean and population standard deviation from running sums (TA-Lib's method). */
export class MomentsStep {
  readonly period: number;
  readonly ring: Float64Array;
  pos = 0;
  count = 0;
  sum = 0;
  sumSq = 0;
  mean = Number.NaN;

  constructor(period: number) {
    this.period = period;
    this.ring = new Float64Array(period);
  }

  /** Returns the population variance (NaN until full); `mean` holds the mean. */
  next(x: number): number {
    const p = this.period;
    const old = this.ring[this.pos]!;
    this.sum += x - old;
    this.sumSq += x * x - old * old;
    this.ring[this.pos] = x;
    this.pos = this.pos + 1 === p ? 0 : this.pos + 1;
    if (this.count < p) this.count++;
    if (this.count < p) return Number.NaN;
    const mean = this.sum / p;
    this.mean = mean;
    return this.sumSq / p - mean * mean;
  }
}

/** Holds the last `period` values so a kernel can look back `lag` bars (`lag <= period`). */
export class LagStep {
  readonly ring: Float64Array;
  pos = 0;
  count = 0;

  constructor(period: number) {
    this.ring = new Float64Array(period + 1);
  }

  /** Stores `x` and returns the value `lag` bars earlier (NaN if not seen yet). */
  next(x: number, lag = this.ring.length - 1): number {
    const cap = this.ring.length;
    this.ring[this.pos] = x;
    let at = this.pos - lag;
    if (at < 0) at += cap;
    this.pos = this.pos + 1 === cap ? 0 : this.pos + 1;
    this.count++;
    return this.count > lag ? this.ring[at]! : Number.NaN;
  }
}

/** True range of a bar given the previous close (NaN previous close → high − low). */
export function trueRange(high: number, low: number, prevClose: number): number {
  let tr = high - low;
  const up = Math.abs(high - prevClose);
  if (up > tr) tr = up;
  const down = Math.abs(low - prevClose);
  if (down > tr) tr = down;
  return tr;
}
