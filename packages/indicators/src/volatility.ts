import type { Candle } from '@candlelab/core';
import * as z from 'zod/mini';
import { type Columns, DirectStream, defineIndicator, period, positive } from './defineIndicator.js';
import { ExtremeStep } from './steps.js';
import { ema, refillRing } from './trend.js';

/** How the first ATR value is formed. */
export const AtrSeedSchema = z.enum(['talib', 'tradingview']);
export type AtrSeed = z.infer<typeof AtrSeedSchema>;

/** True Range (TR, Wilder): `max(high, prev close) − min(low, prev close)`. Warm-up 1 (TA-Lib TRANGE). */
export const trange = defineIndicator({
  id: 'trange',
  name: 'True Range (TR)',
  group: 'volatility',
  inputs: ['high', 'low', 'close'],
  outputs: ['value'],
  params: z.object({}),
  warmup: () => 1,
  init: () => ({ prevClose: Number.NaN }),
  run(s, c, [out], from, to) {
    const o = out!;
    let prevClose = s.prevClose;
    for (let i = from; i < to; i++) {
      const h = c.high[i]!;
      const l = c.low[i]!;
      let tr = h - l;
      const up = Math.abs(h - prevClose);
      if (up > tr) tr = up;
      const down = Math.abs(l - prevClose);
      if (down > tr) tr = down;
      o[i] = Number.isNaN(prevClose) ? Number.NaN : tr;
      prevClose = c.close[i]!;
    }
    s.prevClose = prevClose;
  },
});

export interface AtrState {
  period: number;
  /** Index of the first ATR value: `period` (TA-Lib) or `period − 1` (TradingView). */
  seedAt: number;
  count: number;
  prevClose: number;
  atr: number;
}

const atrParams = z.object({ period: period(14), seed: z._default(AtrSeedSchema, 'talib') });
const initAtr = (p: z.infer<typeof atrParams>): AtrState => ({
  period: p.period,
  seedAt: p.seed === 'talib' ? p.period : p.period - 1,
  count: 0,
  prevClose: Number.NaN,
  atr: 0,
});

function runAtr(
  s: AtrState,
  c: { high: Float64Array; low: Float64Array; close: Float64Array },
  o: Float64Array,
  from: number,
  to: number,
): void {
  const { high, low, close } = c;
  const p = s.period;
  // Wilder's `(atr·(n − 1) + tr)/n` as `atr·decay + tr/n`: a multiply-add on the loop-carried chain.
  const decay = (p - 1) / p;
  const invP = 1 / p;
  const seedAt = s.seedAt;
  let count = s.count;
  let prevClose = s.prevClose;
  let atr = s.atr;
  let i = from;
  for (; i < to && count <= seedAt; i++) {
    const h = high[i]!;
    const l = low[i]!;
    let tr = h - l;
    const up = Math.abs(h - prevClose);
    if (up > tr) tr = up;
    const down = Math.abs(l - prevClose);
    if (down > tr) tr = down;
    // TA-Lib skips bar 0 (no previous close); TradingView counts its high − low.
    if (count > 0 || seedAt < p) atr += tr;
    if (count === seedAt) {
      atr /= p;
      o[i] = atr;
    } else {
      o[i] = Number.NaN;
    }
    prevClose = close[i]!;
    count++;
  }
  for (; i < to; i++) {
    const h = high[i]!;
    const l = low[i]!;
    // max(h, prev close) − min(l, prev close): the same subtraction the three-way maximum picks.
    const tr = Math.max(h, prevClose) - Math.min(l, prevClose);
    atr = atr * decay + tr * invP;
    o[i] = atr;
    prevClose = close[i]!;
  }
  s.count = count;
  s.prevClose = prevClose;
  s.atr = atr;
}

/** NATR's kernel: ATR as a percentage of the close. */
function runNatr(s: AtrState, c: Columns, o: Float64Array, from: number, to: number): void {
  runAtr(s, c, o, from, to);
  for (let i = from; i < to; i++) {
    const close = c.close[i]!;
    o[i] = close !== 0 ? (o[i]! / close) * 100 : Number.isNaN(o[i]!) ? Number.NaN : 0;
  }
}

/** ATR's and NATR's dedicated streaming form (see `DirectStream`). */
class AtrStream extends DirectStream<'value'> {
  readonly #s: AtrState;
  readonly #normalized: boolean;
  #count = 0;
  #prevClose = 0;
  #atr = 0;

  constructor(p: z.infer<typeof atrParams>, normalized: boolean) {
    super(
      ['value'],
      p.seed === 'talib' ? p.period : p.period - 1,
      () => initAtr(p),
      (s, c, [o], from, to) =>
        normalized ? runNatr(s as never, c, o!, from, to) : runAtr(s as never, c, o!, from, to),
    );
    this.#s = initAtr(p);
    this.#normalized = normalized;
  }

  override update(bar: Candle): number | null {
    const s = this.#s;
    this.#count = s.count;
    this.#prevClose = s.prevClose;
    this.#atr = s.atr;
    this.bars++;
    return this.#step(bar);
  }

  override replace(bar: Candle): number | null {
    if (this.bars === 0) return this.update(bar);
    const s = this.#s;
    s.count = this.#count;
    s.prevClose = this.#prevClose;
    s.atr = this.#atr;
    return this.#step(bar);
  }

  #step(bar: Candle): number | null {
    const row = this.row;
    const o = this.outRow[0]!;
    row.high[0] = bar.high;
    row.low[0] = bar.low;
    row.close[0] = bar.close;
    if (this.#normalized) runNatr(this.#s, row, o, 0, 1);
    else runAtr(this.#s, row, o, 0, 1);
    return this.bars > this.warmup ? o[0]! : null;
  }
}

/**
 * Average True Range (ATR, Wilder): Wilder smoothing (`1/period`) of the true range. `seed: 'talib'`
 * (default) averages TR of bars 1..period (first value at `period`, as TA-Lib and StockCharts);
 * `'tradingview'` counts bar 0's high − low and starts at `period − 1` (TradingView `ta.atr`).
 * Warm-up `period` or `period − 1`.
 */
export const atr = defineIndicator({
  id: 'atr',
  name: 'Average True Range (ATR)',
  group: 'volatility',
  inputs: ['high', 'low', 'close'],
  outputs: ['value'],
  params: atrParams,
  warmup: (p) => (p.seed === 'talib' ? p.period : p.period - 1),
  init: initAtr,
  run: (s, c, [out], from, to) => runAtr(s, c, out!, from, to),
  direct: (p) => new AtrStream(p, false),
});

/** Normalized Average True Range (NATR): `100·ATR/close` (0 for a zero close, as TA-Lib). Warm-up as {@link atr}. */
export const natr = defineIndicator({
  id: 'natr',
  name: 'Normalized Average True Range (NATR)',
  group: 'volatility',
  inputs: ['high', 'low', 'close'],
  outputs: ['value'],
  params: atrParams,
  warmup: (p) => (p.seed === 'talib' ? p.period : p.period - 1),
  init: initAtr,
  run: (s, c, [out], from, to) => runNatr(s, c, out!, from, to),
  direct: (p) => new AtrStream(p, true),
});

const BBANDS_OUTPUTS = ['upper', 'middle', 'lower', 'percentB', 'bandwidth'] as const;
type BbandsOutput = (typeof BBANDS_OUTPUTS)[number];

export interface BbandsState {
  period: number;
  k: number;
  ring: Float64Array;
  pos: number;
  count: number;
  sum: number;
  sumSq: number;
}

const initBbands = (p: { period: number; stdDev: number }): BbandsState => ({
  period: p.period,
  k: p.stdDev,
  ring: new Float64Array(p.period),
  pos: 0,
  count: 0,
  sum: 0,
  sumSq: 0,
});

/** The Bollinger Bands kernel over rows `[from, to)`. */
function runBbands(
  s: BbandsState,
  c: Columns,
  [ou, om, ol, ob, ow]: readonly Float64Array[],
  from: number,
  to: number,
): void {
  const x = c.close;
  const up = ou!;
  const mid = om!;
  const lo = ol!;
  const pb = ob!;
  const bw = ow!;
  const p = s.period;
  const k = s.k;
  const invP = 1 / p;
  const ring = s.ring;
  let pos = s.pos;
  let count = s.count;
  let sum = s.sum;
  let sumSq = s.sumSq;
  let i = from;
  // Running sums of x and x² updated by `new − old` (the leaving value from the ring until a
  // whole window lies inside this call), as in sma.
  const ringEnd = Math.min(to, from + p);
  for (; i < ringEnd; i++) {
    const v = x[i]!;
    const old = ring[pos]!;
    sum += v - old;
    sumSq += v * v - old * old;
    ring[pos] = v;
    pos = pos + 1 === p ? 0 : pos + 1;
    if (count < p) count++;
    if (count < p) {
      up[i] = Number.NaN;
      mid[i] = Number.NaN;
      lo[i] = Number.NaN;
      pb[i] = Number.NaN;
      bw[i] = Number.NaN;
      continue;
    }
    const m = sum * invP;
    const variance = sumSq * invP - m * m;
    const d = variance > 0 ? Math.sqrt(variance) * k : 0;
    const u = m + d;
    const l = m - d;
    const width = u - l;
    up[i] = u;
    mid[i] = m;
    lo[i] = l;
    pb[i] = (v - l) / width;
    bw[i] = (width / m) * 100;
  }
  if (i < to) {
    for (; i < to; i++) {
      const v = x[i]!;
      const old = x[i - p]!;
      sum += v - old;
      sumSq += v * v - old * old;
      const m = sum * invP;
      const variance = sumSq * invP - m * m;
      const d = variance > 0 ? Math.sqrt(variance) * k : 0;
      const u = m + d;
      const l = m - d;
      const width = u - l;
      up[i] = u;
      mid[i] = m;
      lo[i] = l;
      pb[i] = (v - l) / width;
      bw[i] = (width / m) * 100;
    }
    refillRing(ring, pos, x, to);
  }
  s.pos = pos;
  s.count = count;
  s.sum = sum;
  s.sumSq = sumSq;
}

/** Bollinger Bands' dedicated streaming form (see `DirectStream`). */
class BbandsStream extends DirectStream<BbandsOutput> {
  readonly #s: BbandsState;
  #pos = 0;
  #count = 0;
  #sum = 0;
  #sumSq = 0;
  #leaving = 0;

  constructor(p: { period: number; stdDev: number }) {
    super(BBANDS_OUTPUTS, p.period - 1, () => initBbands(p), runBbands as never);
    this.#s = initBbands(p);
  }

  override update(bar: Candle): Record<BbandsOutput, number> | null {
    const s = this.#s;
    this.#pos = s.pos;
    this.#count = s.count;
    this.#sum = s.sum;
    this.#sumSq = s.sumSq;
    this.#leaving = s.ring[s.pos]!;
    this.bars++;
    return this.#step(bar);
  }

  override replace(bar: Candle): Record<BbandsOutput, number> | null {
    if (this.bars === 0) return this.update(bar);
    const s = this.#s;
    s.pos = this.#pos;
    s.count = this.#count;
    s.sum = this.#sum;
    s.sumSq = this.#sumSq;
    s.ring[s.pos] = this.#leaving;
    return this.#step(bar);
  }

  #step(bar: Candle): Record<BbandsOutput, number> | null {
    this.row.close[0] = bar.close;
    runBbands(this.#s, this.row, this.outRow, 0, 1);
    if (this.bars <= this.warmup) return null;
    const [upper, middle, lower, percentB, bandwidth] = this.outRow;
    return {
      upper: upper![0]!,
      middle: middle![0]!,
      lower: lower![0]!,
      percentB: percentB![0]!,
      bandwidth: bandwidth![0]!,
    };
  }
}

/**
 * Bollinger Bands (Bollinger): SMA ± `stdDev`·σ (population σ over `period`, TA-Lib's running sums),
 * with %B `(close − lower)/(upper − lower)` and bandwidth `100·(upper − lower)/middle`.
 * Warm-up `period − 1`.
 */
export const bbands = defineIndicator({
  id: 'bbands',
  name: 'Bollinger Bands (BB) with %B and bandwidth',
  group: 'volatility',
  inputs: ['close'],
  outputs: BBANDS_OUTPUTS,
  params: z.object({ period: period(20), stdDev: positive(2) }),
  warmup: (p) => p.period - 1,
  init: initBbands,
  run: runBbands,
  direct: (p) => new BbandsStream(p),
});

export interface MomentState {
  period: number;
  ring: Float64Array;
  pos: number;
  count: number;
  sum: number;
  sumSq: number;
}

const initMoments = (n: number): MomentState => ({
  period: n,
  ring: new Float64Array(n),
  pos: 0,
  count: 0,
  sum: 0,
  sumSq: 0,
});

/**
 * Rolling population variance by TA-Lib's running sums; calls `emit(i, mean, variance)` per full
 * window and writes NaN to `o` during warm-up.
 */
function runMoments(
  s: MomentState,
  x: Float64Array,
  o: Float64Array,
  from: number,
  to: number,
  emit: (i: number, mean: number, variance: number) => void,
): void {
  const p = s.period;
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    s.ring[s.pos] = v;
    s.sum += v;
    s.sumSq += v * v;
    if (s.count < p) s.count++;
    if (s.count < p) o[i] = Number.NaN;
    else {
      const m = s.sum / p;
      emit(i, m, s.sumSq / p - m * m);
    }
    s.pos = s.pos + 1 === p ? 0 : s.pos + 1;
    const old = s.ring[s.pos]!;
    s.sum -= old;
    s.sumSq -= old * old;
  }
}

/** Standard deviation (population σ over `period`, times `multiplier`), as TA-Lib STDDEV. Warm-up `period − 1`. */
export const stddev = defineIndicator({
  id: 'stddev',
  name: 'Standard Deviation (σ)',
  group: 'volatility',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20), multiplier: positive(1) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ m: initMoments(p.period), k: p.multiplier }),
  run(s, c, [out], from, to) {
    const o = out!;
    runMoments(s.m, c.close, o, from, to, (i, _mean, variance) => {
      o[i] = variance > 0 ? Math.sqrt(variance) * s.k : 0;
    });
  },
});

/** Variance (population, over `period`), as TA-Lib VAR. Warm-up `period − 1`. */
export const variance = defineIndicator({
  id: 'variance',
  name: 'Variance (σ²)',
  group: 'statistics',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ m: initMoments(p.period) }),
  run(s, c, [out], from, to) {
    const o = out!;
    runMoments(s.m, c.close, o, from, to, (i, _mean, v) => {
      o[i] = v;
    });
  },
});

/** Rolling z-score: `(close − mean)/σ` over `period` (population σ; 0 for a flat window). Warm-up `period − 1`. */
export const zscore = defineIndicator({
  id: 'zscore',
  name: 'Rolling z-score',
  group: 'statistics',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20, 2) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ m: initMoments(p.period) }),
  run(s, c, [out], from, to) {
    const o = out!;
    const x = c.close;
    runMoments(s.m, x, o, from, to, (i, mean, v) => {
      o[i] = v > 0 ? (x[i]! - mean) / Math.sqrt(v) : 0;
    });
  },
});

/**
 * Historical volatility: sample standard deviation of log returns over `period`, annualised by
 * `√barsPerYear` (default 365 for daily crypto bars; use core's `barsPerYear(timeframe)`).
 * Warm-up `period`.
 */
export const histVol = defineIndicator({
  id: 'histVol',
  name: 'Historical Volatility (HV)',
  group: 'volatility',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ period: period(20, 2), barsPerYear: positive(365) }),
  warmup: (p) => p.period,
  init: (p) => ({
    m: initMoments(p.period),
    prev: Number.NaN,
    scale: Math.sqrt((p.barsPerYear * p.period) / (p.period - 1)),
    ret: new Float64Array(1),
    tmp: new Float64Array(1),
  }),
  run(s, c, [out], from, to) {
    const o = out!;
    for (let i = from; i < to; i++) {
      const x = c.close[i]!;
      const prev = s.prev;
      s.prev = x;
      if (Number.isNaN(prev)) {
        o[i] = Number.NaN;
        continue;
      }
      s.ret[0] = Math.log(x / prev);
      o[i] = Number.NaN;
      runMoments(s.m, s.ret, s.tmp, 0, 1, (_j, _mean, v) => {
        o[i] = v > 0 ? Math.sqrt(v) * s.scale : 0;
      });
    }
  },
});

/**
 * Keltner Channels (Chester Keltner, Raschke's form): EMA(close, `period`) ± `multiplier`·ATR(`atrPeriod`)
 * (TA-Lib ATR seeding). Warm-up `max(period − 1, atrPeriod)`.
 */
export const keltner = defineIndicator({
  id: 'keltner',
  name: 'Keltner Channels (KC)',
  group: 'volatility',
  inputs: ['high', 'low', 'close'],
  outputs: ['upper', 'middle', 'lower'],
  params: z.object({ period: period(20), atrPeriod: period(10), multiplier: positive(2) }),
  warmup: (p) => Math.max(p.period - 1, p.atrPeriod),
  init: (p) => ({
    ema: ema.init({ period: p.period }),
    atr: initAtr({ period: p.atrPeriod, seed: 'talib' }),
    k: p.multiplier,
  }),
  run(s, c, [ou, om, ol], from, to) {
    const mid = om!;
    const width = ou!;
    ema.run(s.ema, c, [mid], from, to);
    runAtr(s.atr, c, width, from, to);
    for (let i = from; i < to; i++) {
      const m = mid[i]!;
      const d = s.k * width[i]!;
      const ok = !Number.isNaN(m + d);
      ou![i] = ok ? m + d : Number.NaN;
      ol![i] = ok ? m - d : Number.NaN;
      mid[i] = ok ? m : Number.NaN;
    }
  },
});

/** Donchian Channels (Donchian): highest high, lowest low over `period` and their midpoint. Warm-up `period − 1`. */
export const donchian = defineIndicator({
  id: 'donchian',
  name: 'Donchian Channels (DC)',
  group: 'volatility',
  inputs: ['high', 'low'],
  outputs: ['upper', 'middle', 'lower'],
  params: z.object({ period: period(20) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ hi: new ExtremeStep(p.period, 'max'), lo: new ExtremeStep(p.period, 'min') }),
  run(s, c, [ou, om, ol], from, to) {
    for (let i = from; i < to; i++) {
      const h = s.hi.next(c.high[i]!);
      const l = s.lo.next(c.low[i]!);
      ou![i] = h;
      ol![i] = l;
      om![i] = (h + l) / 2;
    }
  },
});
