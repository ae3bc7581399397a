import * as z from 'zod/mini';
import { defineIndicator, period, positive } from './defineIndicator.js';
import { ExtremeStep, LagStep } from './steps.js';

/**
 * ZigZag pivots, causal form: a new pivot is confirmed when price reverses by `deviation` percent
 * from the running extreme of the current leg. Outputs the last confirmed pivot price, the running
 * extreme of the current leg and the leg `direction` (+1 up, −1 down, 0 before the first leg).
 * Bar 0 is the initial pivot. No warm-up.
 */
export const zigzag = defineIndicator({
  id: 'zigzag',
  name: 'ZigZag pivots',
  group: 'structure',
  inputs: ['high', 'low'],
  outputs: ['pivot', 'extreme', 'direction'],
  params: z.object({ deviation: positive(5) }),
  warmup: () => 0,
  init: (p) => ({
    threshold: p.deviation / 100,
    count: 0,
    direction: 0,
    pivot: Number.NaN,
    high: Number.NaN,
    low: Number.NaN,
  }),
  run(s, c, [op, oe, od], from, to) {
    const t = s.threshold;
    for (let i = from; i < to; i++) {
      const h = c.high[i]!;
      const l = c.low[i]!;
      if (s.count++ === 0) {
        s.pivot = (h + l) / 2;
        s.high = h;
        s.low = l;
      } else {
        if (s.direction >= 0 && h > s.high) s.high = h;
        if (s.direction <= 0 && l < s.low) s.low = l;
        if (s.direction === 0) {
          if (s.high >= s.pivot * (1 + t)) s.direction = 1;
          else if (s.low <= s.pivot * (1 - t)) s.direction = -1;
        }
      }
      if (s.direction === 1 && l <= s.high * (1 - t)) {
        s.pivot = s.high;
        s.direction = -1;
        s.low = l;
      } else if (s.direction === -1 && h >= s.low * (1 + t)) {
        s.pivot = s.low;
        s.direction = 1;
        s.high = h;
      }
      op![i] = s.pivot;
      oe![i] = s.direction === 1 ? s.high : s.direction === -1 ? s.low : (s.high + s.low) / 2;
      od![i] = s.direction;
    }
  },
});

/**
 * Swing highs/lows (fractals, Bill Williams for `strength` 2): bar `t − strength` is a swing high
 * when its high is the strict maximum of the `2·strength + 1` bars around it; confirmed (flag 1)
 * on bar `t`. Outputs 1 on the confirming bar, else 0 (the swing's price is `high[t − strength]`).
 * Warm-up `2·strength`.
 */
export const swings = defineIndicator({
  id: 'swings',
  name: 'Swing Highs/Lows (fractals)',
  group: 'structure',
  inputs: ['high', 'low'],
  outputs: ['high', 'low'],
  params: z.object({ strength: period(2) }),
  warmup: (p) => 2 * p.strength,
  init: (p) => ({
    strength: p.strength,
    count: 0,
    highs: new Float64Array(2 * p.strength + 1),
    lows: new Float64Array(2 * p.strength + 1),
    pos: 0,
  }),
  run(s, c, [oh, ol], from, to) {
    const w = s.highs.length;
    for (let i = from; i < to; i++) {
      s.highs[s.pos] = c.high[i]!;
      s.lows[s.pos] = c.low[i]!;
      s.pos = s.pos + 1 === w ? 0 : s.pos + 1;
      if (s.count < w) s.count++;
      if (s.count < w) {
        oh![i] = Number.NaN;
        ol![i] = Number.NaN;
        continue;
      }
      let centre = s.pos + s.strength;
      if (centre >= w) centre -= w;
      const ch = s.highs[centre]!;
      const cl = s.lows[centre]!;
      let isHigh = true;
      let isLow = true;
      for (let j = 0; j < w; j++) {
        if (j === centre) continue;
        if (s.highs[j]! >= ch) isHigh = false;
        if (s.lows[j]! <= cl) isLow = false;
      }
      oh![i] = isHigh ? 1 : 0;
      ol![i] = isLow ? 1 : 0;
    }
  },
});

/**
 * Classic floor pivot points from the previous bar's high, low and close (feed daily bars for
 * daily pivots): `PP = (H+L+C)/3`, `R1 = 2PP − L`, `S1 = 2PP − H`, `R2 = PP + (H − L)`,
 * `S2 = PP − (H − L)`, `R3 = H + 2(PP − L)`, `S3 = L − 2(H − PP)`. Warm-up 1.
 */
export const pivotPoints = defineIndicator({
  id: 'pivotPoints',
  name: 'Pivot Points (classic floor)',
  group: 'structure',
  inputs: ['high', 'low', 'close'],
  outputs: ['pp', 'r1', 's1', 'r2', 's2', 'r3', 's3'],
  params: z.object({}),
  warmup: () => 1,
  init: () => ({ h: Number.NaN, l: Number.NaN, c: Number.NaN }),
  run(s, c, [pp, r1, s1, r2, s2, r3, s3], from, to) {
    for (let i = from; i < to; i++) {
      const { h, l } = s;
      const p = (h + l + s.c) / 3;
      pp![i] = p;
      r1![i] = 2 * p - l;
      s1![i] = 2 * p - h;
      r2![i] = p + (h - l);
      s2![i] = p - (h - l);
      r3![i] = h + 2 * (p - l);
      s3![i] = l - 2 * (h - p);
      s.h = c.high[i]!;
      s.l = c.low[i]!;
      s.c = c.close[i]!;
    }
  },
});

/**
 * Support and resistance levels: the nearest confirmed swing low below / swing high above the
 * close among the last `levels` swings (swings of `strength`), falling back to the lowest low /
 * highest high of the last `lookback` bars. Warm-up `lookback − 1`.
 */
export const supportResistance = defineIndicator({
  id: 'supportResistance',
  name: 'Support/Resistance levels',
  group: 'structure',
  inputs: ['high', 'low', 'close'],
  outputs: ['support', 'resistance'],
  params: z.object({ strength: period(2), levels: period(10), lookback: period(100) }),
  warmup: (p) => Math.max(p.lookback - 1, 2 * p.strength),
  init: (p) => ({
    strength: p.strength,
    warm: Math.max(p.lookback - 1, 2 * p.strength),
    count: 0,
    hiLag: new LagStep(2 * p.strength),
    loLag: new LagStep(2 * p.strength),
    swing: swings.init({ strength: p.strength }),
    flags: [new Float64Array(1), new Float64Array(1)],
    row: { high: new Float64Array(1), low: new Float64Array(1) },
    highs: new Float64Array(p.levels).fill(Number.NaN),
    lows: new Float64Array(p.levels).fill(Number.NaN),
    hPos: 0,
    lPos: 0,
    maxHigh: new ExtremeStep(p.lookback, 'max'),
    minLow: new ExtremeStep(p.lookback, 'min'),
  }),
  run(s, c, [os, or], from, to) {
    const row = { ...c, high: s.row.high, low: s.row.low };
    for (let i = from; i < to; i++) {
      const h = c.high[i]!;
      const l = c.low[i]!;
      const x = c.close[i]!;
      row.high[0] = h;
      row.low[0] = l;
      swings.run(s.swing, row, s.flags, 0, 1);
      const centreHigh = s.hiLag.next(h, s.strength);
      const centreLow = s.loLag.next(l, s.strength);
      if (s.flags[0]![0] === 1) {
        s.highs[s.hPos] = centreHigh;
        s.hPos = s.hPos + 1 === s.highs.length ? 0 : s.hPos + 1;
      }
      if (s.flags[1]![0] === 1) {
        s.lows[s.lPos] = centreLow;
        s.lPos = s.lPos + 1 === s.lows.length ? 0 : s.lPos + 1;
      }
      const hh = s.maxHigh.next(h);
      const ll = s.minLow.next(l);
      if (s.count++ < s.warm) {
        os![i] = Number.NaN;
        or![i] = Number.NaN;
        continue;
      }
      let support = ll;
      let resistance = hh;
      for (let j = 0; j < s.highs.length; j++) {
        const v = s.highs[j]!;
        if (v > x && v < resistance) resistance = v;
      }
      for (let j = 0; j < s.lows.length; j++) {
        const v = s.lows[j]!;
        if (v < x && v > support) support = v;
      }
      os![i] = support;
      or![i] = resistance;
    }
  },
});
