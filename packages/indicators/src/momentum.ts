import type { Candle } from '@candlelab/core';
import * as z from 'zod/mini';
import { DirectStream, defineIndicator, period, requireFastBelowSlow } from './defineIndicator.js';
import { EmaStep, ExtremeStep, LagStep, SmaStep, SumStep, trueRange } from './steps.js';
import { EmaSeedingSchema, initMacd, isZero, MacdStream, macd } from './trend.js';

/** How average gains and losses are smoothed in RSI and CMO. */
export const GainLossSmoothingSchema = z.enum(['wilder', 'ewm']);
export type GainLossSmoothing = z.infer<typeof GainLossSmoothingSchema>;

export interface GainLossState {
  period: number;
  /** Seed the averages with the simple mean of the first `period` changes (Wilder, TA-Lib, TradingView). */
  wilderSeed: boolean;
  /** Output CMO instead of RSI. */
  cmo: boolean;
  count: number;
  prev: number;
  gain: number;
  loss: number;
}

function runGainLoss(s: GainLossState, x: Float64Array, o: Float64Array, from: number, to: number): void {
  const p = s.period;
  // Wilder's `(avg·(n − 1) + x)/n` as `avg·decay + x/n`: a multiply-add on the loop-carried chain.
  const decay = (p - 1) / p;
  const invP = 1 / p;
  const cmo = s.cmo;
  let count = s.count;
  let prev = s.prev;
  let gain = s.gain;
  let loss = s.loss;
  let i = from;
  for (; i < to && count <= p; i++) {
    const v = x[i]!;
    if (count > 0) {
      const d = v - prev;
      if (s.wilderSeed) {
        if (d < 0) loss -= d;
        else gain += d;
        if (count === p) {
          gain /= p;
          loss /= p;
        }
      } else {
        const ad = Math.abs(d);
        gain = gain * decay + (d + ad) * 0.5 * invP;
        loss = loss * decay + (ad - d) * 0.5 * invP;
      }
    }
    prev = v;
    count++;
    if (count > p) {
      const sum = gain + loss;
      o[i] = isZero(sum) ? 0 : cmo ? 100 * ((gain - loss) / sum) : 100 * (gain / sum);
    } else {
      o[i] = Number.NaN;
    }
  }
  // Two copies of the steady-state loop keep the CMO/RSI choice out of the hot path.
  if (cmo) {
    for (; i < to; i++) {
      const v = x[i]!;
      const d = v - prev;
      prev = v;
      // Branch-free split of the change (exact: (d + |d|)/2 and (|d| − d)/2).
      const ad = Math.abs(d);
      gain = gain * decay + (d + ad) * 0.5 * invP;
      loss = loss * decay + (ad - d) * 0.5 * invP;
      const sum = gain + loss;
      o[i] = isZero(sum) ? 0 : 100 * ((gain - loss) / sum);
    }
  }
  for (; i < to; i++) {
    const v = x[i]!;
    const d = v - prev;
    prev = v;
    const ad = Math.abs(d);
    gain = gain * decay + (d + ad) * 0.5 * invP;
    loss = loss * decay + (ad - d) * 0.5 * invP;
    const sum = gain + loss;
    o[i] = sum > -1e-14 && sum < 1e-14 ? 0 : 100 * (gain / sum);
  }
  s.count = count;
  s.prev = prev;
  s.gain = gain;
  s.loss = loss;
}

const gainLossParams = z.object({ period: period(14), smoothing: z._default(GainLossSmoothingSchema, 'wilder') });

/** RSI's and CMO's dedicated streaming form (see `DirectStream`). */
class GainLossStream extends DirectStream<'value'> {
  readonly #s: GainLossState;
  #count = 0;
  #prev = 0;
  #gain = 0;
  #loss = 0;

  constructor(warmup: number, makeState: () => GainLossState) {
    super(['value'], warmup, makeState, (s, c, [o], from, to) => runGainLoss(s as never, c.close, o!, from, to));
    this.#s = makeState();
  }

  override update(bar: Candle): number | null {
    const s = this.#s;
    this.#count = s.count;
    this.#prev = s.prev;
    this.#gain = s.gain;
    this.#loss = s.loss;
    this.bars++;
    return this.#step(bar);
  }

  override replace(bar: Candle): number | null {
    if (this.bars === 0) return this.update(bar);
    const s = this.#s;
    s.count = this.#count;
    s.prev = this.#prev;
    s.gain = this.#gain;
    s.loss = this.#loss;
    return this.#step(bar);
  }

  #step(bar: Candle): number | null {
    const x = this.row.close;
    const o = this.outRow[0]!;
    x[0] = bar.close;
    runGainLoss(this.#s, x, o, 0, 1);
    return this.bars > this.warmup ? o[0]! : null;
  }
}

const initGainLoss = (p: { period: number; smoothing: GainLossSmoothing }, cmo: boolean): GainLossState => ({
  period: p.period,
  wilderSeed: p.smoothing === 'wilder',
  cmo,
  count: 0,
  prev: 0,
  gain: 0,
  loss: 0,
});

/**
 * Relative Strength Index (RSI, Wilder): `100·avgGain/(avgGain + avgLoss)`. `smoothing: 'wilder'`
 * (default) seeds the averages with the mean of the first `period` changes, then smooths by
 * `1/period` — TA-Lib, TradingView `ta.rsi` and StockCharts agree on it. `'ewm'` runs the same
 * recursion from zero on the first change (the spreadsheet/pandas form; StockCharts' sample sheet).
 * Warm-up `period`.
 */
export const rsi = defineIndicator({
  id: 'rsi',
  name: 'Relative Strength Index (RSI)',
  group: 'momentum',
  inputs: ['close'],
  outputs: ['value'],
  params: gainLossParams,
  warmup: (p) => p.period,
  init: (p) => initGainLoss(p, false),
  run: (s, c, [out], from, to) => runGainLoss(s, c.close, out!, from, to),
  direct: (p) => new GainLossStream(p.period, () => initGainLoss(p, false)),
});

/** Chande Momentum Oscillator (CMO): `100·(avgGain − avgLoss)/(avgGain + avgLoss)`, smoothed as RSI (TA-Lib). Warm-up `period`. */
export const cmo = defineIndicator({
  id: 'cmo',
  name: 'Chande Momentum Oscillator (CMO)',
  group: 'momentum',
  inputs: ['close'],
  outputs: ['value'],
  params: gainLossParams,
  warmup: (p) => p.period,
  init: (p) => initGainLoss(p, true),
  run: (s, c, [out], from, to) => runGainLoss(s, c.close, out!, from, to),
  direct: (p) => new GainLossStream(p.period, () => initGainLoss(p, true)),
});

/** `100·(x − lowest)/(highest − lowest)`, 0 for a flat window (TA-Lib). */
function stochastic(x: number, highest: number, lowest: number): number {
  const diff = highest - lowest;
  return diff !== 0 ? ((x - lowest) / diff) * 100 : 0;
}

/**
 * Stochastic Oscillator (Lane), slow form as TA-Lib STOCH: raw %K over `kPeriod`, smoothed by an
 * SMA of `kSmoothing` (%K), and %D an SMA of `dPeriod` of %K. Warm-up `kPeriod + kSmoothing + dPeriod − 3`.
 */
export const stoch = defineIndicator({
  id: 'stoch',
  name: 'Stochastic Oscillator (%K/%D)',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  outputs: ['k', 'd'],
  params: z.object({ kPeriod: period(14), kSmoothing: period(3), dPeriod: period(3) }),
  warmup: (p) => p.kPeriod + p.kSmoothing + p.dPeriod - 3,
  init: (p) => ({
    hi: new ExtremeStep(p.kPeriod, 'max'),
    lo: new ExtremeStep(p.kPeriod, 'min'),
    k: new SmaStep(p.kSmoothing),
    d: new SmaStep(p.dPeriod),
  }),
  run(s, c, [ok, od], from, to) {
    for (let i = from; i < to; i++) {
      const hh = s.hi.next(c.high[i]!);
      const ll = s.lo.next(c.low[i]!);
      const k = s.k.next(Number.isNaN(hh) ? Number.NaN : stochastic(c.close[i]!, hh, ll));
      const d = s.d.next(k);
      ok![i] = Number.isNaN(d) ? Number.NaN : k;
      od![i] = d;
    }
  },
});

/**
 * Stochastic RSI (Chande & Kroll), as TA-Lib STOCHRSI: fast %K of RSI over `kPeriod` and %D an SMA
 * of `dPeriod`. Warm-up `period + kPeriod + dPeriod − 2`.
 */
export const stochRsi = defineIndicator({
  id: 'stochRsi',
  name: 'Stochastic RSI (StochRSI)',
  group: 'momentum',
  inputs: ['close'],
  outputs: ['k', 'd'],
  params: z.object({ period: period(14), kPeriod: period(14), dPeriod: period(3) }),
  warmup: (p) => p.period + p.kPeriod + p.dPeriod - 2,
  init: (p) => ({
    rsi: rsi.init({ period: p.period, smoothing: 'wilder' }),
    hi: new ExtremeStep(p.kPeriod, 'max'),
    lo: new ExtremeStep(p.kPeriod, 'min'),
    d: new SmaStep(p.dPeriod),
  }),
  run(s, c, [ok, od], from, to) {
    const k = ok!;
    // RSI goes into the %K buffer first; each row is read before it is overwritten.
    runGainLoss(s.rsi, c.close, k, from, to);
    for (let i = from; i < to; i++) {
      const v = k[i]!;
      let fastK = Number.NaN;
      if (!Number.isNaN(v)) {
        const hh = s.hi.next(v);
        const ll = s.lo.next(v);
        if (!Number.isNaN(hh)) fastK = stochastic(v, hh, ll);
      }
      const d = s.d.next(fastK);
      k[i] = Number.isNaN(d) ? Number.NaN : fastK;
      od![i] = d;
    }
  },
});

/** Williams %R: `−100·(highest high − close)/(highest high − lowest low)` over `period` (0 when flat). Warm-up `period − 1`. */
export const willr = defineIndicator({
  id: 'willr',
  name: 'Williams %R',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  outputs: ['value'],
  params: z.object({ period: period(14) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ hi: new ExtremeStep(p.period, 'max'), lo: new ExtremeStep(p.period, 'min') }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const hh = s.hi.next(c.high[i]!);
      const ll = s.lo.next(c.low[i]!);
      const diff = hh - ll;
      out![i] = Number.isNaN(hh) ? Number.NaN : diff !== 0 ? ((hh - c.close[i]!) / diff) * -100 : 0;
    }
  },
});

/**
 * Commodity Channel Index (CCI, Lambert): `(TP − SMA(TP))/(0.015·mean deviation)` with typical
 * price TP = (H+L+C)/3 over `period` (0 when the deviation is zero, as TA-Lib). Warm-up `period − 1`.
 */
export const cci = defineIndicator({
  id: 'cci',
  name: 'Commodity Channel Index (CCI)',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ ring: new Float64Array(p.period), pos: 0, count: 0 }),
  run(s, c, [out], from, to) {
    const p = s.ring.length;
    const ring = s.ring;
    for (let i = from; i < to; i++) {
      const tp = (c.high[i]! + c.low[i]! + c.close[i]!) / 3;
      ring[s.pos] = tp;
      s.pos = s.pos + 1 === p ? 0 : s.pos + 1;
      if (s.count < p) s.count++;
      if (s.count < p) {
        out![i] = Number.NaN;
        continue;
      }
      let sum = 0;
      for (let j = 0; j < p; j++) sum += ring[j]!;
      const mean = sum / p;
      let dev = 0;
      for (let j = 0; j < p; j++) dev += Math.abs(ring[j]! - mean);
      const d = tp - mean;
      out![i] = d !== 0 && dev !== 0 ? d / (0.015 * (dev / p)) : 0;
    }
  },
});

function lagIndicator(id: 'roc' | 'mom', name: string, defaultPeriod: number, f: (x: number, prev: number) => number) {
  return defineIndicator({
    id,
    name,
    group: 'momentum',
    inputs: ['close'],
    outputs: ['value'],
    params: z.object({ period: period(defaultPeriod) }),
    warmup: (p) => p.period,
    init: (p) => ({ lag: new LagStep(p.period) }),
    run(s, c, [out], from, to) {
      for (let i = from; i < to; i++) {
        const x = c.close[i]!;
        out![i] = f(x, s.lag.next(x));
      }
    },
  });
}

/** Rate of Change (ROC): `100·(close/close[period] − 1)` (0 when the old close is 0, as TA-Lib). Warm-up `period`. */
export const roc = lagIndicator('roc', 'Rate of Change (ROC)', 10, (x, prev) =>
  prev !== 0 ? (x / prev - 1) * 100 : Number.isNaN(prev) ? Number.NaN : 0,
);
/** Momentum (MOM): `close − close[period]`. Warm-up `period`. */
export const mom = lagIndicator('mom', 'Momentum (MOM)', 10, (x, prev) => x - prev);

/**
 * Money Flow Index (MFI, Quong & Soudack): volume-weighted RSI of the typical price over `period`
 * (bars with an unchanged typical price count for neither side, as TA-Lib). Warm-up `period`.
 */
export const mfi = defineIndicator({
  id: 'mfi',
  name: 'Money Flow Index (MFI)',
  group: 'momentum',
  inputs: ['high', 'low', 'close', 'volume'],
  outputs: ['value'],
  params: z.object({ period: period(14) }),
  warmup: (p) => p.period,
  init: (p) => ({ count: 0, prevTp: 0, pos: new SumStep(p.period), neg: new SumStep(p.period) }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const tp = (c.high[i]! + c.low[i]! + c.close[i]!) / 3;
      if (s.count++ === 0) {
        s.prevTp = tp;
        out![i] = Number.NaN;
        continue;
      }
      const flow = tp * c.volume[i]!;
      const pos = s.pos.next(tp > s.prevTp ? flow : 0);
      const neg = s.neg.next(tp < s.prevTp ? flow : 0);
      s.prevTp = tp;
      const total = pos + neg;
      out![i] = Number.isNaN(pos) ? Number.NaN : total < 1 ? 0 : 100 * (pos / total);
    }
  },
});

/**
 * Ultimate Oscillator (Williams): weighted 4:2:1 average of buying pressure / true range over three
 * periods (sorted ascending, as TA-Lib). Warm-up `max(period1, period2, period3)`.
 */
export const ultosc = defineIndicator({
  id: 'ultosc',
  name: 'Ultimate Oscillator (ULTOSC)',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  outputs: ['value'],
  params: z.object({ period1: period(7), period2: period(14), period3: period(28) }),
  warmup: (p) => Math.max(p.period1, p.period2, p.period3),
  init: (p) => {
    const [a, b, d] = [p.period1, p.period2, p.period3].sort((x, y) => x - y) as [number, number, number];
    return {
      count: 0,
      prevClose: 0,
      bp1: new SumStep(a),
      tr1: new SumStep(a),
      bp2: new SumStep(b),
      tr2: new SumStep(b),
      bp3: new SumStep(d),
      tr3: new SumStep(d),
    };
  },
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const close = c.close[i]!;
      if (s.count++ === 0) {
        s.prevClose = close;
        out![i] = Number.NaN;
        continue;
      }
      const trueLow = Math.min(c.low[i]!, s.prevClose);
      const bp = close - trueLow;
      const tr = trueRange(c.high[i]!, c.low[i]!, s.prevClose);
      s.prevClose = close;
      const b1 = s.bp1.next(bp);
      const t1 = s.tr1.next(tr);
      const b2 = s.bp2.next(bp);
      const t2 = s.tr2.next(tr);
      const b3 = s.bp3.next(bp);
      const t3 = s.tr3.next(tr);
      if (Number.isNaN(b3)) {
        out![i] = Number.NaN;
        continue;
      }
      let v = 0;
      if (!isZero(t1)) v += 4 * (b1 / t1);
      if (!isZero(t2)) v += 2 * (b2 / t2);
      if (!isZero(t3)) v += b3 / t3;
      out![i] = (100 * v) / 7;
    }
  },
});

/** Awesome Oscillator (AO, Williams): `SMA(hl2, fast) − SMA(hl2, slow)`. Warm-up `slow − 1`. */
export const ao = defineIndicator({
  id: 'ao',
  name: 'Awesome Oscillator (AO)',
  group: 'momentum',
  inputs: ['high', 'low'],
  outputs: ['value'],
  params: z.object({ fast: period(5), slow: period(34) }),
  check: (p) => requireFastBelowSlow(p.fast, p.slow),
  warmup: (p) => p.slow - 1,
  init: (p) => ({ fast: new SmaStep(p.fast), slow: new SmaStep(p.slow) }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const m = (c.high[i]! + c.low[i]!) / 2;
      out![i] = s.fast.next(m) - s.slow.next(m);
    }
  },
});

/**
 * Percentage Price Oscillator (PPO): `100·(EMA fast − EMA slow)/EMA slow` with signal EMA and
 * histogram, by the {@link macd} kernel; `seeding` defaults to `'independent'` (TA-Lib PPO with EMA,
 * TradingView). Warm-up `slow + signal − 2`.
 */
export const ppo = defineIndicator({
  id: 'ppo',
  name: 'Percentage Price Oscillator (PPO)',
  group: 'momentum',
  inputs: ['close'],
  outputs: ['ppo', 'signal', 'histogram'],
  params: z.extend(macd.params, { seeding: z._default(EmaSeedingSchema, 'independent') }),
  check: (p) => requireFastBelowSlow(p.fast, p.slow),
  warmup: (p) => p.slow + p.signal - 2,
  init: (p) => initMacd(p, true),
  run: macd.run,
  direct: (p) =>
    new MacdStream(['ppo', 'signal', 'histogram'] as const, p.slow + p.signal - 2, () => initMacd(p, true)),
});

/**
 * True Strength Index (TSI, Blau): `100·EMA_s(EMA_r(Δclose))/EMA_s(EMA_r(|Δclose|))`, EMAs seeded
 * with their SMA. Warm-up `long + short − 1`.
 */
export const tsi = defineIndicator({
  id: 'tsi',
  name: 'True Strength Index (TSI)',
  group: 'momentum',
  inputs: ['close'],
  outputs: ['value'],
  params: z.object({ long: period(25), short: period(13) }),
  warmup: (p) => p.long + p.short - 1,
  init: (p) => ({
    count: 0,
    prev: 0,
    m1: new EmaStep(p.long),
    m2: new EmaStep(p.short),
    a1: new EmaStep(p.long),
    a2: new EmaStep(p.short),
  }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const x = c.close[i]!;
      const d = s.count++ === 0 ? Number.NaN : x - s.prev;
      s.prev = x;
      const num = s.m2.next(s.m1.next(d));
      const den = s.a2.next(s.a1.next(Math.abs(d)));
      out![i] = den !== 0 ? (100 * num) / den : Number.isNaN(den) ? Number.NaN : 0;
    }
  },
});

/** Balance of Power (BOP, Livshin): `(close − open)/(high − low)`, 0 for a zero range. No warm-up. */
export const bop = defineIndicator({
  id: 'bop',
  name: 'Balance of Power (BOP)',
  group: 'momentum',
  inputs: ['open', 'high', 'low', 'close'],
  outputs: ['value'],
  params: z.object({}),
  warmup: () => 0,
  init: () => ({}),
  run(_s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const range = c.high[i]! - c.low[i]!;
      out![i] = range > 0 ? (c.close[i]! - c.open[i]!) / range : 0;
    }
  },
});
