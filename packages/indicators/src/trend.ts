import type { Candle } from '@candlelab/core';
import * as z from 'zod/mini';
import {
  DirectStream,
  defineIndicator,
  period,
  positive,
  requireFastBelowSlow,
  type StreamValue,
} from './defineIndicator.js';
import { EmaStep, ExtremeStep, LagStep, SmaStep, SumStep, trueRange, WmaStep } from './steps.js';

/** |v| below TA-Lib's zero threshold (1e-14). */
export function isZero(v: number): boolean {
  return v > -1e-14 && v < 1e-14;
}

export interface SmaState {
  period: number;
  ring: Float64Array;
  pos: number;
  count: number;
  sum: number;
}

const initSma = (p: { period: number }): SmaState => ({
  period: p.period,
  ring: new Float64Array(p.period),
  pos: 0,
  count: 0,
  sum: 0,
});

/** SMA's kernel over rows `[from, to)` of `x`. */
function runSma(s: SmaState, x: Float64Array, o: Float64Array, from: number, to: number): void {
  const p = s.period;
  const ring = s.ring;
  let pos = s.pos;
  let count = s.count;
  let sum = s.sum;
  const invP = 1 / p;
  let i = from;
  // `sum += new − old` keeps one addition on the loop-carried chain. The value leaving the window
  // comes from the ring (zero during warm-up) until a whole window lies inside this call.
  const ringEnd = Math.min(to, from + p);
  for (; i < ringEnd; i++) {
    const v = x[i]!;
    sum += v - ring[pos]!;
    ring[pos] = v;
    pos = pos + 1 === p ? 0 : pos + 1;
    if (count < p) count++;
    o[i] = count < p ? Number.NaN : sum * invP;
  }
  if (i < to) {
    // Four rows per iteration (same additions in the same order): V8 reloads the arrays' data
    // pointers and lengths on every iteration, and unrolling spreads that cost over four rows.
    for (; i + 3 < to; i += 4) {
      const d0 = x[i]! - x[i - p]!;
      const d1 = x[i + 1]! - x[i + 1 - p]!;
      const d2 = x[i + 2]! - x[i + 2 - p]!;
      const d3 = x[i + 3]! - x[i + 3 - p]!;
      sum += d0;
      o[i] = sum * invP;
      sum += d1;
      o[i + 1] = sum * invP;
      sum += d2;
      o[i + 2] = sum * invP;
      sum += d3;
      o[i + 3] = sum * invP;
    }
    for (; i < to; i++) {
      sum += x[i]! - x[i - p]!;
      o[i] = sum * invP;
    }
    refillRing(ring, pos, x, to);
  }
  s.pos = pos;
  s.count = count;
  s.sum = sum;
}

/** SMA's dedicated streaming form (see `DirectStream`). */
class SmaStream extends DirectStream<'value'> {
  readonly #s: SmaState;
  #pos = 0;
  #count = 0;
  #sum = 0;
  #leaving = 0;

  constructor(p: { period: number }) {
    super(
      ['value'],
      p.period - 1,
      () => initSma(p),
      (s, c, [o], from, to) => runSma(s as never, c.close, o!, from, to),
    );
    this.#s = initSma(p);
  }

  override update(bar: Candle): number | null {
    const s = this.#s;
    this.#pos = s.pos;
    this.#count = s.count;
    this.#sum = s.sum;
    this.#leaving = s.ring[s.pos]!;
    this.bars++;
    return this.#step(bar);
  }

  override replace(bar: Candle): number | null {
    if (this.bars === 0) return this.update(bar);
    const s = this.#s;
    s.pos = this.#pos;
    s.count = this.#count;
    s.sum = this.#sum;
    s.ring[s.pos] = this.#leaving;
    return this.#step(bar);
  }

  #step(bar: Candle): number | null {
    const x = this.row.close;
    const o = this.outRow[0]!;
    x[0] = bar.close;
    runSma(this.#s, x, o, 0, 1);
    return this.bars > this.warmup ? o[0]! : null;
  }
}

/**
 * Simple Moving Average (SMA): the mean of the last `period` closes. Warm-up `period − 1`.
 * The kernel reads the leaving value from the input itself once a full window lies inside the
 * current call, and from its ring buffer before that, so batch and streaming add the same numbers.
 */
export const sma = defineIndicator({
  id: 'sma',
  name: 'Simple Moving Average (SMA)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => p.period - 1,
  init: initSma,
  run: (s, c, [out], from, to) => runSma(s, c.close, out!, from, to),
  direct: (p) => new SmaStream(p),
});

/**
 * After a kernel read its window straight from the input, puts the last `ring.length` inputs back
 * into the ring, oldest at slot `pos` (the next to leave).
 */
export function refillRing(ring: Float64Array, pos: number, x: Float64Array, to: number): void {
  const p = ring.length;
  let q = pos;
  for (let j = to - p; j < to; j++) {
    ring[q] = x[j]!;
    q = q + 1 === p ? 0 : q + 1;
  }
}

export interface EmaState {
  period: number;
  k: number;
  /** `1 − k`. */
  keep: number;
  count: number;
  value: number;
}

const initEma = (p: { period: number }): EmaState => {
  const k = 2 / (p.period + 1);
  return { period: p.period, k, keep: 1 - k, count: 0, value: 0 };
};

/** EMA's kernel over rows `[from, to)` of `x`. */
function runEma(s: EmaState, x: Float64Array, o: Float64Array, from: number, to: number): void {
  const p = s.period;
  const k = s.k;
  const keep = s.keep;
  let value = s.value;
  let count = s.count;
  let i = from;
  for (; i < to && count < p; i++) {
    value += x[i]!;
    count++;
    if (count === p) {
      value /= p;
      o[i] = value;
    } else {
      o[i] = Number.NaN;
    }
  }
  for (; i < to; i++) {
    value = emaNext(value, x[i]!, k, keep);
    o[i] = value;
  }
  s.value = value;
  s.count = count;
}

/**
 * One step of the EMA recursion, `k·x + (1 − k)·v`: one multiply-add on the loop-carried chain
 * (TA-Lib: `v + (x − v)·k`). The kernel and the streaming form both use it.
 */
export function emaNext(value: number, x: number, k: number, keep: number): number {
  return x * k + value * keep;
}

/**
 * EMA's dedicated streaming form (see `DirectStream`). The kernel seeds it (the SMA of the first
 * `period` values); after that the stream keeps the EMA in its own fields and does the recursion
 * itself, one multiply-add per bar with no state object or output row to write, since EMA is the
 * building block most often streamed bar by bar.
 */
class EmaStream extends DirectStream<'value'> {
  /** The kernel's state, used while seeding. */
  readonly #s: EmaState;
  readonly #k: number;
  readonly #keep: number;
  /** Whether the seed is complete (`#s.count === period`); from then on `#value` is the EMA. */
  #seeded = false;
  #value = Number.NaN;
  /** Whether the last bar went through the seeding path (then `replace` rewinds the kernel state). */
  #lastSeeding = true;
  /** The state before the last bar: the EMA once seeded, else the kernel's running sum and count. */
  #previous = 0;
  #previousCount = 0;

  constructor(p: { period: number }) {
    super(
      ['value'],
      p.period - 1,
      () => initEma(p),
      (s, c, [o], from, to) => runEma(s as never, c.close, o!, from, to),
    );
    this.#s = initEma(p);
    this.#k = this.#s.k;
    this.#keep = this.#s.keep;
  }

  override update(bar: Candle): number | null {
    this.bars++;
    if (this.#seeded) {
      const previous = this.#value;
      this.#previous = previous;
      this.#lastSeeding = false;
      const value = emaNext(previous, bar.close, this.#k, this.#keep);
      this.#value = value;
      return value;
    }
    this.#previous = this.#s.value;
    this.#previousCount = this.#s.count;
    this.#lastSeeding = true;
    return this.#seed(bar.close);
  }

  override replace(bar: Candle): number | null {
    if (this.bars === 0) return this.update(bar);
    if (!this.#lastSeeding) {
      const value = emaNext(this.#previous, bar.close, this.#k, this.#keep);
      this.#value = value;
      return value;
    }
    this.#s.value = this.#previous;
    this.#s.count = this.#previousCount;
    return this.#seed(bar.close);
  }

  /** One bar through the kernel while seeding; NaN output (and `null`) until the seed is complete. */
  #seed(close: number): number | null {
    const s = this.#s;
    const o = this.outRow[0]!;
    this.row.close[0] = close;
    runEma(s, this.row.close, o, 0, 1);
    this.#seeded = s.count >= s.period;
    this.#value = o[0]!;
    return this.bars > this.warmup ? this.#value : null;
  }

  override raw(): number {
    return this.#value;
  }

  override rawAt(): number {
    return this.#value;
  }
}

/**
 * Exponential Moving Average (EMA), `k = 2 / (period + 1)`, seeded with the SMA of the first
 * `period` values (TA-Lib, TradingView). Warm-up `period − 1`.
 */
export const ema = defineIndicator({
  id: 'ema',
  name: 'Exponential Moving Average (EMA)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => p.period - 1,
  init: initEma,
  run: (s, c, [out], from, to) => runEma(s, c.close, out!, from, to),
  direct: (p) => new EmaStream(p),
});

/** Weighted Moving Average (WMA): weights 1..period, newest heaviest. Warm-up `period − 1`. */
export const wma = defineIndicator({
  id: 'wma',
  name: 'Weighted Moving Average (WMA)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ w: new WmaStep(p.period) }),
  run(s, c, [out], from, to) {
    const x = c.close;
    const o = out!;
    const w = s.w;
    for (let i = from; i < to; i++) o[i] = w.next(x[i]!);
  },
});

/** Double Exponential Moving Average (DEMA, Mulloy): `2·EMA − EMA(EMA)`. Warm-up `2(period − 1)`. */
export const dema = defineIndicator({
  id: 'dema',
  name: 'Double Exponential Moving Average (DEMA)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => 2 * (p.period - 1),
  init: (p) => ({ e1: new EmaStep(p.period), e2: new EmaStep(p.period) }),
  run(s, c, [out], from, to) {
    const x = c.close;
    const o = out!;
    for (let i = from; i < to; i++) {
      const a = s.e1.next(x[i]!);
      const b = s.e2.next(a);
      o[i] = 2 * a - b;
    }
  },
});

/** Triple Exponential Moving Average (TEMA, Mulloy): `3·E1 − 3·E2 + E3`. Warm-up `3(period − 1)`. */
export const tema = defineIndicator({
  id: 'tema',
  name: 'Triple Exponential Moving Average (TEMA)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => 3 * (p.period - 1),
  init: (p) => ({ e1: new EmaStep(p.period), e2: new EmaStep(p.period), e3: new EmaStep(p.period) }),
  run(s, c, [out], from, to) {
    const x = c.close;
    const o = out!;
    for (let i = from; i < to; i++) {
      const a = s.e1.next(x[i]!);
      const b = s.e2.next(a);
      const d = s.e3.next(b);
      o[i] = 3 * a - 3 * b + d;
    }
  },
});

/**
 * Hull Moving Average (HMA): `WMA(2·WMA(n/2) − WMA(n), √n)` with `n/2` and `√n` floored.
 * Warm-up `period − 1 + floor(√period) − 1`.
 */
export const hma = defineIndicator({
  id: 'hma',
  name: 'Hull Moving Average (HMA)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(16, 2) }),
  warmup: (p) => p.period - 1 + Math.floor(Math.sqrt(p.period)) - 1,
  init: (p) => ({
    half: new WmaStep(Math.floor(p.period / 2)),
    full: new WmaStep(p.period),
    smooth: new WmaStep(Math.floor(Math.sqrt(p.period))),
  }),
  run(s, c, [out], from, to) {
    const x = c.close;
    const o = out!;
    for (let i = from; i < to; i++) {
      const h = s.half.next(x[i]!);
      const f = s.full.next(x[i]!);
      o[i] = s.smooth.next(2 * h - f);
    }
  },
});

/**
 * Kaufman Adaptive Moving Average (KAMA): smoothing `(ER·(2/(fast+1) − 2/(slow+1)) + 2/(slow+1))²`
 * from the efficiency ratio ER over `period` bars; seeded with the close at `period − 1` as TA-Lib.
 * Warm-up `period`.
 */
export const kama = defineIndicator({
  id: 'kama',
  name: 'Kaufman Adaptive Moving Average (KAMA)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(10), fast: period(2), slow: period(30) }),
  check: (p) => requireFastBelowSlow(p.fast, p.slow),
  warmup: (p) => p.period,
  init: (p) => ({
    period: p.period,
    lag: new LagStep(p.period),
    noise: new SumStep(p.period),
    slowK: 2 / (p.slow + 1),
    diffK: 2 / (p.fast + 1) - 2 / (p.slow + 1),
    prev: Number.NaN,
    count: 0,
    kama: Number.NaN,
  }),
  run(s, c, [out], from, to) {
    const x = c.close;
    const o = out!;
    for (let i = from; i < to; i++) {
      const v = x[i]!;
      const old = s.lag.next(v);
      const noise = s.noise.next(s.count > 0 ? Math.abs(v - s.prev) : 0);
      s.count++;
      if (s.count === s.period) s.kama = v;
      s.prev = v;
      if (s.count <= s.period) {
        o[i] = Number.NaN;
        continue;
      }
      const change = v - old;
      const er = noise <= change || isZero(noise) ? 1 : Math.abs(change / noise);
      let sc = er * s.diffK + s.slowK;
      sc *= sc;
      s.kama += (v - s.kama) * sc;
      o[i] = s.kama;
    }
  },
});

/** Volume-Weighted Moving Average (VWMA): `Σ close·volume / Σ volume` over `period` (SMA when volume is all zero). Warm-up `period − 1`. */
export const vwma = defineIndicator({
  id: 'vwma',
  name: 'Volume-Weighted Moving Average (VWMA)',
  group: 'trend',
  inputs: ['close', 'volume'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ pv: new SumStep(p.period), v: new SumStep(p.period), c: new SmaStep(p.period) }),
  run(s, c, [out], from, to) {
    const o = out!;
    for (let i = from; i < to; i++) {
      const close = c.close[i]!;
      const vol = c.volume[i]!;
      const pv = s.pv.next(close * vol);
      const v = s.v.next(vol);
      const mean = s.c.next(close);
      o[i] = v > 0 ? pv / v : mean;
    }
  },
});

/** How the two EMAs of MACD-style oscillators are seeded. */
export const EmaSeedingSchema = z.enum(['aligned', 'independent']);
export type EmaSeeding = z.infer<typeof EmaSeedingSchema>;

/** State of the MACD kernel (shared by PPO, which sets `percent`). */
export interface MacdState {
  fastPeriod: number;
  slowPeriod: number;
  signalPeriod: number;
  /** Smoothing factors `2 / (period + 1)` and their complements. */
  kf: number;
  ks: number;
  ksig: number;
  keepF: number;
  keepS: number;
  keepSig: number;
  fastStart: number;
  percent: boolean;
  count: number;
  fast: number;
  slow: number;
  signal: number;
}

/** MACD's fresh state; `percent` gives PPO. */
export const initMacd = (
  p: { fast: number; slow: number; signal: number; seeding: EmaSeeding },
  percent = false,
): MacdState => ({
  fastPeriod: p.fast,
  slowPeriod: p.slow,
  signalPeriod: p.signal,
  kf: 2 / (p.fast + 1),
  ks: 2 / (p.slow + 1),
  ksig: 2 / (p.signal + 1),
  keepF: 1 - 2 / (p.fast + 1),
  keepS: 1 - 2 / (p.slow + 1),
  keepSig: 1 - 2 / (p.signal + 1),
  fastStart: p.seeding === 'aligned' ? p.slow - p.fast : 0,
  percent,
  count: 0,
  fast: 0,
  slow: 0,
  signal: 0,
});

/** The MACD/PPO kernel over rows `[from, to)` of `x`. */
function runMacd(
  s: MacdState,
  x: Float64Array,
  om: Float64Array,
  os: Float64Array,
  oh: Float64Array,
  from: number,
  to: number,
): void {
  const nf = s.fastPeriod;
  const ns = s.slowPeriod;
  const nsig = s.signalPeriod;
  const { kf, ks, ksig, keepF, keepS, keepSig } = s;
  const ready = ns + nsig - 1;
  const percent = s.percent;
  let fast = s.fast;
  let slow = s.slow;
  let signal = s.signal;
  let count = s.count;
  let i = from;
  const fastStart = s.fastStart;
  for (; i < to && count < ready; i++) {
    const v = x[i]!;
    count++;
    if (count > fastStart) {
      if (count < fastStart + nf) fast += v;
      else if (count === fastStart + nf) fast = (fast + v) / nf;
      else fast = emaNext(fast, v, kf, keepF);
    }
    if (count < ns) slow += v;
    else if (count === ns) slow = (slow + v) / ns;
    else slow = emaNext(slow, v, ks, keepS);
    if (count >= ns) signal += percent ? ((fast - slow) / slow) * 100 : fast - slow;
    if (count === ready) {
      signal /= nsig;
      const m = percent ? ((fast - slow) / slow) * 100 : fast - slow;
      om[i] = m;
      os[i] = signal;
      oh[i] = m - signal;
    } else {
      om[i] = Number.NaN;
      os[i] = Number.NaN;
      oh[i] = Number.NaN;
    }
  }
  if (percent) {
    for (; i < to; i++) {
      const v = x[i]!;
      fast = emaNext(fast, v, kf, keepF);
      slow = emaNext(slow, v, ks, keepS);
      const m = ((fast - slow) / slow) * 100;
      signal = emaNext(signal, m, ksig, keepSig);
      om[i] = m;
      os[i] = signal;
      oh[i] = m - signal;
    }
  }
  for (; i < to; i++) {
    const v = x[i]!;
    fast = emaNext(fast, v, kf, keepF);
    slow = emaNext(slow, v, ks, keepS);
    const m = fast - slow;
    signal = emaNext(signal, m, ksig, keepSig);
    om[i] = m;
    os[i] = signal;
    oh[i] = m - signal;
  }
  s.fast = fast;
  s.slow = slow;
  s.signal = signal;
  s.count = count;
}

/** MACD's (and PPO's) dedicated streaming form (see `DirectStream`). */
export class MacdStream<O extends string> extends DirectStream<O> {
  readonly #s: MacdState;
  #count = 0;
  #fast = 0;
  #slow = 0;
  #signal = 0;

  readonly #names: readonly O[];

  constructor(outputs: readonly O[], warmup: number, makeState: () => MacdState) {
    super(outputs, warmup, makeState, (s, c, [om, os, oh], from, to) =>
      runMacd(s as never, c.close, om!, os!, oh!, from, to),
    );
    this.#s = makeState();
    this.#names = outputs;
  }

  override update(bar: Candle): StreamValue<O> | null {
    const s = this.#s;
    this.#count = s.count;
    this.#fast = s.fast;
    this.#slow = s.slow;
    this.#signal = s.signal;
    this.bars++;
    return this.#step(bar);
  }

  override replace(bar: Candle): StreamValue<O> | null {
    if (this.bars === 0) return this.update(bar);
    const s = this.#s;
    s.count = this.#count;
    s.fast = this.#fast;
    s.slow = this.#slow;
    s.signal = this.#signal;
    return this.#step(bar);
  }

  #step(bar: Candle): StreamValue<O> | null {
    const s = this.#s;
    const out = this.outRow;
    if (s.count >= s.slowPeriod + s.signalPeriod - 1) {
      // Past the seeds: the kernel's steady-state step on one value.
      const v = bar.close;
      const fast = emaNext(s.fast, v, s.kf, s.keepF);
      const slow = emaNext(s.slow, v, s.ks, s.keepS);
      const m = s.percent ? ((fast - slow) / slow) * 100 : fast - slow;
      const signal = emaNext(s.signal, m, s.ksig, s.keepSig);
      s.fast = fast;
      s.slow = slow;
      s.signal = signal;
      out[0]![0] = m;
      out[1]![0] = signal;
      out[2]![0] = m - signal;
    } else {
      const x = this.row.close;
      x[0] = bar.close;
      runMacd(s, x, out[0]!, out[1]!, out[2]!, 0, 1);
    }
    return this.bars > this.warmup ? this.#record() : null;
  }

  /** The three outputs as a fresh record (unrolled: this runs every bar). */
  #record(): StreamValue<O> {
    const out = this.outRow;
    const record = {} as Record<string, number>;
    record[this.#names[0]!] = out[0]![0]!;
    record[this.#names[1]!] = out[1]![0]!;
    record[this.#names[2]!] = out[2]![0]!;
    return record as StreamValue<O>;
  }
}

/**
 * Moving Average Convergence/Divergence (MACD, Appel): fast EMA − slow EMA, its signal EMA and the
 * histogram. `seeding: 'aligned'` (default, TA-Lib MACD) seeds both EMAs on bar `slow − 1` (the
 * fast one with the mean of the `fast` closes ending there); `'independent'` seeds each EMA with
 * the mean of its own first closes (TradingView, TA-Lib PPO/APO). Warm-up `slow + signal − 2`.
 */
export const macd = defineIndicator({
  id: 'macd',
  name: 'Moving Average Convergence/Divergence (MACD)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['macd', 'signal', 'histogram'],
  params: z.object({
    fast: period(12),
    slow: period(26),
    signal: period(9),
    seeding: z._default(EmaSeedingSchema, 'aligned'),
  }),
  check: (p) => requireFastBelowSlow(p.fast, p.slow),
  warmup: (p) => p.slow + p.signal - 2,
  init: (p) => initMacd(p),
  run: (s, c, [om, os, oh], from, to) => runMacd(s, c.close, om!, os!, oh!, from, to),
  direct: (p) => new MacdStream(['macd', 'signal', 'histogram'] as const, p.slow + p.signal - 2, () => initMacd(p)),
});

export interface DmState {
  period: number;
  count: number;
  prevHigh: number;
  prevLow: number;
  prevClose: number;
  plusDm: number;
  minusDm: number;
  tr: number;
  plusDi: number;
  minusDi: number;
  sumDx: number;
  adx: number;
}

const initDm = (n: number): DmState => ({
  period: n,
  count: 0,
  prevHigh: 0,
  prevLow: 0,
  prevClose: 0,
  plusDm: 0,
  minusDm: 0,
  tr: 0,
  plusDi: Number.NaN,
  minusDi: Number.NaN,
  sumDx: 0,
  adx: Number.NaN,
});

/** One bar of Wilder's directional movement (TA-Lib's arithmetic); returns the bar's DX or Number.NaN. */
function stepDm(s: DmState, high: number, low: number, close: number): number {
  const n = s.period;
  const k = s.count++;
  if (k === 0) {
    s.prevHigh = high;
    s.prevLow = low;
    s.prevClose = close;
    return Number.NaN;
  }
  const diffP = high - s.prevHigh;
  const diffM = s.prevLow - low;
  const tr = trueRange(high, low, s.prevClose);
  s.prevHigh = high;
  s.prevLow = low;
  s.prevClose = close;
  if (k >= n) {
    s.minusDm -= s.minusDm / n;
    s.plusDm -= s.plusDm / n;
  }
  if (diffM > 0 && diffP < diffM) s.minusDm += diffM;
  else if (diffP > 0 && diffP > diffM) s.plusDm += diffP;
  s.tr = k >= n ? s.tr - s.tr / n + tr : s.tr + tr;
  if (k < n) return Number.NaN;
  if (isZero(s.tr)) {
    s.plusDi = 0;
    s.minusDi = 0;
    return Number.NaN;
  }
  s.minusDi = 100 * (s.minusDm / s.tr);
  s.plusDi = 100 * (s.plusDm / s.tr);
  const sum = s.minusDi + s.plusDi;
  return isZero(sum) ? Number.NaN : 100 * (Math.abs(s.minusDi - s.plusDi) / sum);
}

/**
 * Average Directional Index (ADX, Wilder) with the directional indicators +DI and −DI, as TA-Lib.
 * All three outputs start together at warm-up `2·period − 1` (+DI/−DI alone: see `plusDi`/`minusDi`).
 */
export const adx = defineIndicator({
  id: 'adx',
  name: 'Average Directional Index (ADX) with +DI/−DI',
  group: 'trend',
  inputs: ['high', 'low', 'close'],
  outputs: ['adx', 'plusDi', 'minusDi'],
  params: z.object({ period: period(14) }),
  warmup: (p) => 2 * p.period - 1,
  init: (p) => initDm(p.period),
  run(s, c, [oa, op, om], from, to) {
    const n = s.period;
    for (let i = from; i < to; i++) {
      const dx = stepDm(s, c.high[i]!, c.low[i]!, c.close[i]!);
      const k = s.count - 1;
      if (k >= n && k < 2 * n) {
        if (!Number.isNaN(dx)) s.sumDx += dx;
        if (k === 2 * n - 1) s.adx = s.sumDx / n;
      } else if (k >= 2 * n && !Number.isNaN(dx)) {
        s.adx = (s.adx * (n - 1) + dx) / n;
      }
      const ok = k >= 2 * n - 1;
      oa![i] = ok ? s.adx : Number.NaN;
      op![i] = ok ? s.plusDi : Number.NaN;
      om![i] = ok ? s.minusDi : Number.NaN;
    }
  },
});

function diIndicator(id: 'plusDi' | 'minusDi', name: string) {
  return defineIndicator({
    id,
    name,
    group: 'trend',
    inputs: ['high', 'low', 'close'],
    outputs: ['value'],
    params: z.object({ period: period(14) }),
    warmup: (p) => p.period,
    init: (p) => initDm(p.period),
    run(s, c, [out], from, to) {
      for (let i = from; i < to; i++) {
        stepDm(s, c.high[i]!, c.low[i]!, c.close[i]!);
        out![i] = s.count > s.period ? (id === 'plusDi' ? s.plusDi : s.minusDi) : Number.NaN;
      }
    },
  });
}

/** Plus Directional Indicator (+DI, Wilder), as TA-Lib PLUS_DI. Warm-up `period`. */
export const plusDi = diIndicator('plusDi', 'Plus Directional Indicator (+DI)');
/** Minus Directional Indicator (−DI, Wilder), as TA-Lib MINUS_DI. Warm-up `period`. */
export const minusDi = diIndicator('minusDi', 'Minus Directional Indicator (−DI)');

/**
 * Aroon (Chande): `100·(period − bars since the highest high)/period` (up) and the same for the
 * lowest low (down) over `period + 1` bars, and their difference (oscillator). Warm-up `period`.
 */
export const aroon = defineIndicator({
  id: 'aroon',
  name: 'Aroon Up/Down and Oscillator',
  group: 'trend',
  inputs: ['high', 'low'],
  outputs: ['up', 'down', 'oscillator'],
  params: z.object({ period: period(14) }),
  warmup: (p) => p.period,
  init: (p) => ({
    period: p.period,
    hi: new ExtremeStep(p.period + 1, 'max'),
    lo: new ExtremeStep(p.period + 1, 'min'),
  }),
  run(s, c, [ou, od, oo], from, to) {
    const n = s.period;
    const factor = 100 / n;
    for (let i = from; i < to; i++) {
      const h = s.hi.next(c.high[i]!);
      s.lo.next(c.low[i]!);
      if (Number.isNaN(h)) {
        ou![i] = Number.NaN;
        od![i] = Number.NaN;
        oo![i] = Number.NaN;
        continue;
      }
      const up = factor * (n - s.hi.age);
      const down = factor * (n - s.lo.age);
      ou![i] = up;
      od![i] = down;
      oo![i] = factor * (s.lo.age - s.hi.age);
    }
  },
});

/**
 * Parabolic SAR (Wilder), TA-Lib's algorithm (initial direction from the first bar's −DM).
 * Warm-up 1.
 */
export const psar = defineIndicator({
  id: 'psar',
  name: 'Parabolic Stop and Reverse (SAR)',
  group: 'trend',
  inputs: ['high', 'low'],
  outputs: ['value'],
  params: z.object({ acceleration: positive(0.02), maximum: positive(0.2) }),
  warmup: () => 1,
  init: (p) => ({
    step: Math.min(p.acceleration, p.maximum),
    maximum: p.maximum,
    count: 0,
    isLong: true,
    af: 0,
    ep: 0,
    sar: 0,
    newHigh: 0,
    newLow: 0,
  }),
  run(s, c, [out], from, to) {
    const o = out!;
    for (let i = from; i < to; i++) {
      const high = c.high[i]!;
      const low = c.low[i]!;
      const k = s.count++;
      if (k === 0) {
        s.newHigh = high;
        s.newLow = low;
        o[i] = Number.NaN;
        continue;
      }
      if (k === 1) {
        const diffM = s.newLow - low;
        const diffP = high - s.newHigh;
        s.isLong = !(diffM > 0 && diffP < diffM);
        s.af = s.step;
        if (s.isLong) {
          s.ep = high;
          s.sar = s.newLow;
        } else {
          s.ep = low;
          s.sar = s.newHigh;
        }
        s.newLow = low;
        s.newHigh = high;
      }
      const prevLow = s.newLow;
      const prevHigh = s.newHigh;
      s.newLow = low;
      s.newHigh = high;
      let sar = s.sar;
      if (s.isLong) {
        if (low <= sar) {
          s.isLong = false;
          sar = Math.max(s.ep, prevHigh, high);
          o[i] = sar;
          s.af = s.step;
          s.ep = low;
          sar += s.af * (s.ep - sar);
          sar = Math.max(sar, prevHigh, high);
        } else {
          o[i] = sar;
          if (high > s.ep) {
            s.ep = high;
            s.af = Math.min(s.af + s.step, s.maximum);
          }
          sar += s.af * (s.ep - sar);
          sar = Math.min(sar, prevLow, low);
        }
      } else if (high >= sar) {
        s.isLong = true;
        sar = Math.min(s.ep, prevLow, low);
        o[i] = sar;
        s.af = s.step;
        s.ep = high;
        sar += s.af * (s.ep - sar);
        sar = Math.min(sar, prevLow, low);
      } else {
        o[i] = sar;
        if (low < s.ep) {
          s.ep = low;
          s.af = Math.min(s.af + s.step, s.maximum);
        }
        sar += s.af * (s.ep - sar);
        sar = Math.max(sar, prevHigh, high);
      }
      s.sar = sar;
    }
  },
});

/**
 * SuperTrend (TradingView `ta.supertrend`): bands `hl2 ± multiplier·ATR` (ATR with TradingView
 * seeding) that ratchet with the trend. Outputs the line and `direction` (+1 up, −1 down).
 * Warm-up `period − 1`.
 */
export const supertrend = defineIndicator({
  id: 'supertrend',
  name: 'SuperTrend',
  group: 'trend',
  inputs: ['high', 'low', 'close'],
  outputs: ['value', 'direction'],
  params: z.object({ period: period(10), multiplier: positive(3) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({
    period: p.period,
    multiplier: p.multiplier,
    count: 0,
    prevClose: Number.NaN,
    trSum: 0,
    atr: Number.NaN,
    upper: 0,
    lower: 0,
    line: Number.NaN,
  }),
  run(s, c, [ov, od], from, to) {
    const n = s.period;
    for (let i = from; i < to; i++) {
      const high = c.high[i]!;
      const low = c.low[i]!;
      const close = c.close[i]!;
      const tr = trueRange(high, low, s.prevClose);
      const k = s.count++;
      const prevCloseValue = s.prevClose;
      s.prevClose = close;
      const hadAtr = !Number.isNaN(s.atr);
      if (k < n - 1) {
        s.trSum += tr;
        ov![i] = Number.NaN;
        od![i] = Number.NaN;
        continue;
      }
      s.atr = k === n - 1 ? (s.trSum + tr) / n : (s.atr * (n - 1) + tr) / n;
      const src = (high + low) / 2;
      let upper = src + s.multiplier * s.atr;
      let lower = src - s.multiplier * s.atr;
      const prevLower = hadAtr ? s.lower : 0;
      const prevUpper = hadAtr ? s.upper : 0;
      lower = lower > prevLower || prevCloseValue < prevLower ? lower : prevLower;
      upper = upper < prevUpper || prevCloseValue > prevUpper ? upper : prevUpper;
      let direction: number;
      if (!hadAtr) direction = -1;
      else if (s.line === prevUpper) direction = close > upper ? 1 : -1;
      else direction = close < lower ? -1 : 1;
      s.line = direction === 1 ? lower : upper;
      s.upper = upper;
      s.lower = lower;
      ov![i] = s.line;
      od![i] = direction;
    }
  },
});

/**
 * Ichimoku Kinkō Hyō, causal form: conversion (tenkan), base (kijun) and the two leading spans
 * as computed on each bar (charts plot the spans `displacement` bars ahead; the lagging span
 * looks ahead and is omitted). Warm-up `max(conversion, base, spanB) − 1`.
 */
export const ichimoku = defineIndicator({
  id: 'ichimoku',
  name: 'Ichimoku Cloud',
  group: 'trend',
  inputs: ['high', 'low'],
  outputs: ['conversion', 'base', 'spanA', 'spanB'],
  params: z.object({ conversion: period(9), base: period(26), spanB: period(52) }),
  warmup: (p) => Math.max(p.conversion, p.base, p.spanB) - 1,
  init: (p) => ({
    warm: Math.max(p.conversion, p.base, p.spanB) - 1,
    count: 0,
    cHi: new ExtremeStep(p.conversion, 'max'),
    cLo: new ExtremeStep(p.conversion, 'min'),
    bHi: new ExtremeStep(p.base, 'max'),
    bLo: new ExtremeStep(p.base, 'min'),
    sHi: new ExtremeStep(p.spanB, 'max'),
    sLo: new ExtremeStep(p.spanB, 'min'),
  }),
  run(s, c, [oc, ob, oa, os], from, to) {
    for (let i = from; i < to; i++) {
      const h = c.high[i]!;
      const l = c.low[i]!;
      const conv = (s.cHi.next(h) + s.cLo.next(l)) / 2;
      const base = (s.bHi.next(h) + s.bLo.next(l)) / 2;
      const spanB = (s.sHi.next(h) + s.sLo.next(l)) / 2;
      const ok = s.count++ >= s.warm;
      oc![i] = ok ? conv : Number.NaN;
      ob![i] = ok ? base : Number.NaN;
      oa![i] = ok ? (conv + base) / 2 : Number.NaN;
      os![i] = ok ? spanB : Number.NaN;
    }
  },
});

/** Triple Exponential Average rate of change (TRIX, Hutson): 1-bar % change of a triple EMA. Warm-up `3(period − 1) + 1`. */
export const trix = defineIndicator({
  id: 'trix',
  name: 'Triple Exponential Average (TRIX)',
  group: 'trend',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(15) }),
  warmup: (p) => 3 * (p.period - 1) + 1,
  init: (p) => ({ e1: new EmaStep(p.period), e2: new EmaStep(p.period), e3: new EmaStep(p.period), prev: Number.NaN }),
  run(s, c, [out], from, to) {
    const o = out!;
    for (let i = from; i < to; i++) {
      const e = s.e3.next(s.e2.next(s.e1.next(c.close[i]!)));
      o[i] = (e / s.prev - 1) * 100;
      s.prev = e;
    }
  },
});

/**
 * Vortex Indicator (Botes & Siepman): `VI± = Σ|high − prev low| (or |low − prev high|) / Σ TR`
 * over `period`. Warm-up `period`.
 */
export const vortex = defineIndicator({
  id: 'vortex',
  name: 'Vortex Indicator (VI+/VI−)',
  group: 'trend',
  inputs: ['high', 'low', 'close'],
  outputs: ['plus', 'minus'],
  params: z.object({ period: period(14) }),
  warmup: (p) => p.period,
  init: (p) => ({
    count: 0,
    prevHigh: 0,
    prevLow: 0,
    prevClose: 0,
    vp: new SumStep(p.period),
    vm: new SumStep(p.period),
    tr: new SumStep(p.period),
  }),
  run(s, c, [op, om], from, to) {
    for (let i = from; i < to; i++) {
      const h = c.high[i]!;
      const l = c.low[i]!;
      if (s.count++ === 0) {
        op![i] = Number.NaN;
        om![i] = Number.NaN;
      } else {
        const tr = s.tr.next(trueRange(h, l, s.prevClose));
        op![i] = s.vp.next(Math.abs(h - s.prevLow)) / tr;
        om![i] = s.vm.next(Math.abs(l - s.prevHigh)) / tr;
      }
      s.prevHigh = h;
      s.prevLow = l;
      s.prevClose = c.close[i]!;
    }
  },
});
