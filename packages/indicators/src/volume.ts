import { isTimeframe, type Timeframe, timeframeToMs } from '@candlelab/core';
import * as z from 'zod/mini';
import { defineIndicator, period, positive, requireFastBelowSlow } from './defineIndicator.js';
import { ppo } from './momentum.js';
import { EmaStep, SmaStep, SumStep } from './steps.js';

/**
 * core's `TimeframeSchema` in zod/mini: the classic-zod original would pull all of classic zod into
 * every bundle that holds this module (and the indicator registry holds it).
 */
const TimeframeParam = z.pipe(
  z.string().check(z.refine(isTimeframe, { message: 'expected a timeframe like 1m, 15m, 4h, 1d, 1w' })),
  z.transform((value) => value as Timeframe),
);

/** Close location value `((C − L) − (H − C))/(H − L)`, 0 for a zero range. */
function clv(high: number, low: number, close: number): number {
  const range = high - low;
  return range > 0 ? (close - low - (high - close)) / range : 0;
}

/** On-Balance Volume (OBV, Granville), starting at bar 0's volume as TA-Lib. No warm-up. */
export const obv = defineIndicator({
  id: 'obv',
  name: 'On-Balance Volume (OBV)',
  group: 'volume',
  inputs: ['close', 'volume'],
  outputs: ['value'],
  params: z.object({}),
  warmup: () => 0,
  init: () => ({ count: 0, prev: 0, obv: 0 }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const x = c.close[i]!;
      const v = c.volume[i]!;
      if (s.count++ === 0) s.obv = v;
      else if (x > s.prev) s.obv += v;
      else if (x < s.prev) s.obv -= v;
      s.prev = x;
      out![i] = s.obv;
    }
  },
});

/** Accumulation/Distribution line (A/D, Chaikin): cumulative CLV·volume. No warm-up. */
export const ad = defineIndicator({
  id: 'ad',
  name: 'Accumulation/Distribution Line (A/D)',
  group: 'volume',
  inputs: ['high', 'low', 'close', 'volume'],
  outputs: ['value'],
  params: z.object({}),
  warmup: () => 0,
  init: () => ({ ad: 0 }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      s.ad += clv(c.high[i]!, c.low[i]!, c.close[i]!) * c.volume[i]!;
      out![i] = s.ad;
    }
  },
});

/** Chaikin Money Flow (CMF): `Σ CLV·volume / Σ volume` over `period` (0 for zero volume). Warm-up `period − 1`. */
export const cmf = defineIndicator({
  id: 'cmf',
  name: 'Chaikin Money Flow (CMF)',
  group: 'volume',
  inputs: ['high', 'low', 'close', 'volume'],
  outputs: ['value'],
  params: z.object({ period: period(20) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ mfv: new SumStep(p.period), vol: new SumStep(p.period) }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const v = c.volume[i]!;
      const m = s.mfv.next(clv(c.high[i]!, c.low[i]!, c.close[i]!) * v);
      const total = s.vol.next(v);
      out![i] = total > 0 ? m / total : Number.isNaN(total) ? Number.NaN : 0;
    }
  },
});

/**
 * Chaikin A/D Oscillator (ADOSC): EMA(fast) − EMA(slow) of the A/D line, both EMAs seeded with the
 * first A/D value as TA-Lib. Warm-up `slow − 1`.
 */
export const adosc = defineIndicator({
  id: 'adosc',
  name: 'Chaikin A/D Oscillator (ADOSC)',
  group: 'volume',
  inputs: ['high', 'low', 'close', 'volume'],
  outputs: ['value'],
  params: z.object({ fast: period(3), slow: period(10) }),
  check: (p) => requireFastBelowSlow(p.fast, p.slow),
  warmup: (p) => p.slow - 1,
  init: (p) => ({ kf: 2 / (p.fast + 1), ks: 2 / (p.slow + 1), warm: p.slow - 1, count: 0, ad: 0, fast: 0, slow: 0 }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      s.ad += clv(c.high[i]!, c.low[i]!, c.close[i]!) * c.volume[i]!;
      if (s.count === 0) {
        s.fast = s.ad;
        s.slow = s.ad;
      } else {
        s.fast = s.kf * s.ad + (1 - s.kf) * s.fast;
        s.slow = s.ks * s.ad + (1 - s.ks) * s.slow;
      }
      out![i] = s.count++ >= s.warm ? s.fast - s.slow : Number.NaN;
    }
  },
});

/**
 * Volume-Weighted Average Price (VWAP), session-anchored: `Σ typical·volume / Σ volume` since the
 * start of the current `session` (default `'1d'`, UTC), as trading platforms plot it (the typical
 * price when a session has no volume yet). Reads `time`. No warm-up.
 */
export const vwap = defineIndicator({
  id: 'vwap',
  name: 'Volume-Weighted Average Price (VWAP, session)',
  group: 'volume',
  inputs: ['time', 'high', 'low', 'close', 'volume'],
  outputs: ['value'],
  params: z.object({ session: z._default(TimeframeParam, '1d') }),
  warmup: () => 0,
  init: (p) => ({ sessionMs: timeframeToMs(p.session), session: Number.NaN, pv: 0, v: 0 }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const key = Math.floor(c.time[i]! / s.sessionMs);
      if (key !== s.session) {
        s.session = key;
        s.pv = 0;
        s.v = 0;
      }
      const tp = (c.high[i]! + c.low[i]! + c.close[i]!) / 3;
      const v = c.volume[i]!;
      s.pv += tp * v;
      s.v += v;
      out![i] = s.v > 0 ? s.pv / s.v : tp;
    }
  },
});

/** Rolling VWAP over the last `period` bars: `Σ typical·volume / Σ volume` (typical price for zero volume). Warm-up `period − 1`. */
export const vwapRolling = defineIndicator({
  id: 'vwapRolling',
  name: 'Rolling Volume-Weighted Average Price',
  group: 'volume',
  inputs: ['high', 'low', 'close', 'volume'],
  outputs: ['value'],
  params: z.object({ period: period(14) }),
  warmup: (p) => p.period - 1,
  init: (p) => ({ pv: new SumStep(p.period), v: new SumStep(p.period) }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const tp = (c.high[i]! + c.low[i]! + c.close[i]!) / 3;
      const v = c.volume[i]!;
      const pv = s.pv.next(tp * v);
      const total = s.v.next(v);
      out![i] = total > 0 ? pv / total : Number.isNaN(total) ? Number.NaN : tp;
    }
  },
});

/** Force Index (Elder): EMA(`period`) of `(close − prev close)·volume`. Warm-up `period`. */
export const forceIndex = defineIndicator({
  id: 'forceIndex',
  name: 'Force Index (FI)',
  group: 'volume',
  inputs: ['close', 'volume'],
  outputs: ['value'],
  params: z.object({ period: period(13) }),
  warmup: (p) => p.period,
  init: (p) => ({ count: 0, prev: 0, ema: new EmaStep(p.period) }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const x = c.close[i]!;
      const raw = s.count++ === 0 ? Number.NaN : (x - s.prev) * c.volume[i]!;
      s.prev = x;
      out![i] = s.ema.next(raw);
    }
  },
});

/**
 * Ease of Movement (EMV, Arms): SMA(`period`) of `(midpoint move)/((volume/scale)/(high − low))`
 * (0 for a zero range or volume). Warm-up `period`.
 */
export const eom = defineIndicator({
  id: 'eom',
  name: 'Ease of Movement (EMV)',
  group: 'volume',
  inputs: ['high', 'low', 'volume'],
  outputs: ['value'],
  params: z.object({ period: period(14), scale: positive(100_000_000) }),
  warmup: (p) => p.period,
  init: (p) => ({ count: 0, prevMid: 0, scale: p.scale, sma: new SmaStep(p.period) }),
  run(s, c, [out], from, to) {
    for (let i = from; i < to; i++) {
      const h = c.high[i]!;
      const l = c.low[i]!;
      const mid = (h + l) / 2;
      let raw = Number.NaN;
      if (s.count++ > 0) {
        const range = h - l;
        const v = c.volume[i]!;
        raw = range > 0 && v > 0 ? (mid - s.prevMid) / (v / s.scale / range) : 0;
      }
      s.prevMid = mid;
      out![i] = s.sma.next(raw);
    }
  },
});

/**
 * Volume Oscillator as the Percentage Volume Oscillator (PVO): `100·(EMA fast − EMA slow)/EMA slow`
 * of volume with signal and histogram, computed by the {@link ppo} kernel. Warm-up `slow + signal − 2`.
 */
export const volumeOsc = defineIndicator({
  id: 'volumeOsc',
  name: 'Percentage Volume Oscillator (PVO)',
  group: 'volume',
  inputs: ['volume'],
  outputs: ['value', 'signal', 'histogram'],
  params: ppo.params,
  check: (p) => requireFastBelowSlow(p.fast, p.slow),
  warmup: (p) => p.slow + p.signal - 2,
  init: (p) => ppo.init(p),
  run: (s, c, out, from, to) => ppo.run(s, { ...c, close: c.volume }, out, from, to),
});
