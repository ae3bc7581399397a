import * as z from 'zod/mini';
import { defineIndicator, period, positive } from './defineIndicator.js';
import { SumStep } from './steps.js';

/**
 * The last {@link DEPTH} candles as `[open, high, low, close]`, newest first: index `4k + f` is
 * field `f` of the candle `k` bars ago.
 */
export type CandleWindow = Float64Array;

/** Candles a pattern may look back over (TA-Lib's longest lookback is 13). */
const DEPTH = 16;
const O = 0;
const H = 1;
const L = 2;
const C = 3;

const open = (w: CandleWindow, k: number): number => w[4 * k + O]!;
const high = (w: CandleWindow, k: number): number => w[4 * k + H]!;
const low = (w: CandleWindow, k: number): number => w[4 * k + L]!;
const close = (w: CandleWindow, k: number): number => w[4 * k + C]!;
const body = (w: CandleWindow, k: number): number => Math.abs(close(w, k) - open(w, k));
const upperShadow = (w: CandleWindow, k: number): number => high(w, k) - Math.max(close(w, k), open(w, k));
const lowerShadow = (w: CandleWindow, k: number): number => Math.min(close(w, k), open(w, k)) - low(w, k);
/** TA-Lib's candle colour: +1 white (close ≥ open), −1 black. */
const color = (w: CandleWindow, k: number): number => (close(w, k) >= open(w, k) ? 1 : -1);
const bodyGapUp = (w: CandleWindow, k: number, prev: number): boolean =>
  Math.min(open(w, k), close(w, k)) > Math.max(open(w, prev), close(w, prev));
const bodyGapDown = (w: CandleWindow, k: number, prev: number): boolean =>
  Math.max(open(w, k), close(w, k)) < Math.min(open(w, prev), close(w, prev));

/** TA-Lib's default candle settings: what is measured, over how many previous candles, times what. */
const SETTINGS = {
  bodyLong: { range: 'body', period: 10, factor: 1 },
  bodyShort: { range: 'body', period: 10, factor: 1 },
  shadowLong: { range: 'body', period: 0, factor: 1 },
  shadowVeryShort: { range: 'highLow', period: 10, factor: 0.1 },
  near: { range: 'highLow', period: 5, factor: 0.2 },
  far: { range: 'highLow', period: 5, factor: 0.6 },
} as const;
type Setting = keyof typeof SETTINGS;

/**
 * TA-Lib's `TA_CANDLEAVERAGE`: `factor` × the mean range over the `period` candles before candle
 * `k` (or candle `k`'s own range when `period` is 0).
 */
function average(w: CandleWindow, setting: Setting, k: number): number {
  const { range, period: n, factor } = SETTINGS[setting];
  const ofBody = range === 'body';
  if (n === 0) return factor * (ofBody ? body(w, k) : high(w, k) - low(w, k));
  let sum = 0;
  for (let j = k + n; j > k; j--) sum += ofBody ? body(w, j) : high(w, j) - low(w, j);
  return factor * (sum / n);
}

/**
 * A candlestick pattern ported from TA-Lib 0.4 (default candle settings): +100 bullish, −100
 * bearish (±80 for weaker forms where TA-Lib has them), 0 none. Warm-up = TA-Lib's lookback.
 */
function pattern<Id extends string>(id: Id, name: string, lookback: number, detect: (w: CandleWindow) => number) {
  return defineIndicator({
    id,
    name,
    group: 'pattern',
    inputs: ['open', 'high', 'low', 'close'],
    outputs: ['value'],
    params: z.object({}),
    warmup: () => lookback,
    init: () => ({ count: 0, window: new Float64Array(4 * DEPTH) }),
    run(s, c, [out], from, to) {
      const w = s.window;
      for (let i = from; i < to; i++) {
        w.copyWithin(4, 0, 4 * (DEPTH - 1));
        w[O] = c.open[i]!;
        w[H] = c.high[i]!;
        w[L] = c.low[i]!;
        w[C] = c.close[i]!;
        if (s.count <= lookback) s.count++;
        out![i] = s.count <= lookback ? Number.NaN : detect(w);
      }
    },
  });
}

/**
 * Doji, as TA-Lib CDLDOJI: real body at most `factor` × the average high−low range of the previous
 * `period` candles (+100). Warm-up `period`.
 */
export const doji = defineIndicator({
  id: 'doji',
  name: 'Doji',
  group: 'pattern',
  inputs: ['open', 'high', 'low', 'close'],
  outputs: ['value'],
  params: z.object({ period: period(10), factor: positive(0.1) }),
  warmup: (p) => p.period,
  init: (p) => ({ period: p.period, factor: p.factor, ranges: new SumStep(p.period) }),
  run(s, c, [out], from, to) {
    const ranges = s.ranges;
    for (let i = from; i < to; i++) {
      const full = ranges.count >= s.period;
      const average = s.factor * (ranges.sum / s.period);
      out![i] = full ? (Math.abs(c.close[i]! - c.open[i]!) <= average ? 100 : 0) : Number.NaN;
      ranges.next(c.high[i]! - c.low[i]!);
    }
  },
});
/** Marubozu (TA-Lib CDLMARUBOZU): long body, very short shadows; sign of the candle. */
export const marubozu = pattern('marubozu', 'Marubozu', 10, (w) =>
  body(w, 0) > average(w, 'bodyLong', 0) &&
  upperShadow(w, 0) < average(w, 'shadowVeryShort', 0) &&
  lowerShadow(w, 0) < average(w, 'shadowVeryShort', 0)
    ? color(w, 0) * 100
    : 0,
);
/** Spinning top (TA-Lib CDLSPINNINGTOP): short body, both shadows longer than the body; sign of the candle. */
export const spinningTop = pattern('spinningTop', 'Spinning Top', 10, (w) =>
  body(w, 0) < average(w, 'bodyShort', 0) && upperShadow(w, 0) > body(w, 0) && lowerShadow(w, 0) > body(w, 0)
    ? color(w, 0) * 100
    : 0,
);

function hammerShape(w: CandleWindow): boolean {
  return (
    body(w, 0) < average(w, 'bodyShort', 0) &&
    lowerShadow(w, 0) > average(w, 'shadowLong', 0) &&
    upperShadow(w, 0) < average(w, 'shadowVeryShort', 0)
  );
}

function invertedShape(w: CandleWindow): boolean {
  return (
    body(w, 0) < average(w, 'bodyShort', 0) &&
    upperShadow(w, 0) > average(w, 'shadowLong', 0) &&
    lowerShadow(w, 0) < average(w, 'shadowVeryShort', 0)
  );
}

/** Hammer (TA-Lib CDLHAMMER): short body, long lower shadow, very short upper shadow, body near the prior low (+100). */
export const hammer = pattern('hammer', 'Hammer', 11, (w) =>
  hammerShape(w) && Math.min(close(w, 0), open(w, 0)) <= low(w, 1) + average(w, 'near', 1) ? 100 : 0,
);
/** Hanging man (TA-Lib CDLHANGINGMAN): hammer shape with the body near the prior high (−100). */
export const hangingMan = pattern('hangingMan', 'Hanging Man', 11, (w) =>
  hammerShape(w) && Math.min(close(w, 0), open(w, 0)) >= high(w, 1) - average(w, 'near', 1) ? -100 : 0,
);
/** Inverted hammer (TA-Lib CDLINVERTEDHAMMER): short body, long upper shadow, very short lower shadow, body gapping down (+100). */
export const invertedHammer = pattern('invertedHammer', 'Inverted Hammer', 11, (w) =>
  invertedShape(w) && bodyGapDown(w, 0, 1) ? 100 : 0,
);
/** Shooting star (TA-Lib CDLSHOOTINGSTAR): inverted-hammer shape with the body gapping up (−100). */
export const shootingStar = pattern('shootingStar', 'Shooting Star', 11, (w) =>
  invertedShape(w) && bodyGapUp(w, 0, 1) ? -100 : 0,
);
/**
 * Engulfing, as TA-Lib CDLENGULFING: a white candle engulfing the previous black body (+100), or a
 * black one engulfing a white body (−100); ±80 when one end of the bodies coincides. A candle is
 * white when close ≥ open.
 */
export const engulfing = pattern('engulfing', 'Engulfing', 1, (w) => {
  const [o0, c0, o1, c1] = [open(w, 0), close(w, 0), open(w, 1), close(w, 1)];
  const white = color(w, 0) === 1 && color(w, 1) === -1 && ((c0 >= o1 && o0 < c1) || (c0 > o1 && o0 <= c1));
  const black = color(w, 0) === -1 && color(w, 1) === 1 && ((o0 >= c1 && c0 < o1) || (o0 > c1 && c0 <= o1));
  if (!white && !black) return 0;
  return color(w, 0) * (o0 !== c1 && c0 !== o1 ? 100 : 80);
});
/** Harami (TA-Lib CDLHARAMI): a short body inside the previous long body, signed against it (±100; ±80 when one end matches). */
export const harami = pattern('harami', 'Harami', 11, (w) => {
  if (!(body(w, 1) > average(w, 'bodyLong', 1) && body(w, 0) <= average(w, 'bodyShort', 0))) return 0;
  const top0 = Math.max(close(w, 0), open(w, 0));
  const bottom0 = Math.min(close(w, 0), open(w, 0));
  const top1 = Math.max(close(w, 1), open(w, 1));
  const bottom1 = Math.min(close(w, 1), open(w, 1));
  if (top0 < top1 && bottom0 > bottom1) return -color(w, 1) * 100;
  if (top0 <= top1 && bottom0 >= bottom1) return -color(w, 1) * 80;
  return 0;
});
/** Piercing line (TA-Lib CDLPIERCING): long black, then a long white opening below its low and closing above its body midpoint (+100). */
export const piercing = pattern('piercing', 'Piercing Line', 11, (w) =>
  color(w, 1) === -1 &&
  body(w, 1) > average(w, 'bodyLong', 1) &&
  color(w, 0) === 1 &&
  body(w, 0) > average(w, 'bodyLong', 0) &&
  open(w, 0) < low(w, 1) &&
  close(w, 0) < open(w, 1) &&
  close(w, 0) > close(w, 1) + body(w, 1) * 0.5
    ? 100
    : 0,
);
/** Dark cloud cover (TA-Lib CDLDARKCLOUDCOVER, penetration 0.5): long white, then a black opening above its high and closing below its body midpoint (−100). */
export const darkCloudCover = pattern('darkCloudCover', 'Dark Cloud Cover', 11, (w) =>
  color(w, 1) === 1 &&
  body(w, 1) > average(w, 'bodyLong', 1) &&
  color(w, 0) === -1 &&
  open(w, 0) > high(w, 1) &&
  close(w, 0) > open(w, 1) &&
  close(w, 0) < close(w, 1) - body(w, 1) * 0.5
    ? -100
    : 0,
);
/** Morning star (TA-Lib CDLMORNINGSTAR, penetration 0.3): long black, a short body gapping down, a white candle closing well into the first body (+100). */
export const morningStar = pattern('morningStar', 'Morning Star', 12, (w) =>
  body(w, 2) > average(w, 'bodyLong', 2) &&
  color(w, 2) === -1 &&
  body(w, 1) <= average(w, 'bodyShort', 1) &&
  bodyGapDown(w, 1, 2) &&
  body(w, 0) > average(w, 'bodyShort', 0) &&
  color(w, 0) === 1 &&
  close(w, 0) > close(w, 2) + body(w, 2) * 0.3
    ? 100
    : 0,
);
/** Evening star (TA-Lib CDLEVENINGSTAR, penetration 0.3): long white, a short body gapping up, a black candle closing well into the first body (−100). */
export const eveningStar = pattern('eveningStar', 'Evening Star', 12, (w) =>
  body(w, 2) > average(w, 'bodyLong', 2) &&
  color(w, 2) === 1 &&
  body(w, 1) <= average(w, 'bodyShort', 1) &&
  bodyGapUp(w, 1, 2) &&
  body(w, 0) > average(w, 'bodyShort', 0) &&
  color(w, 0) === -1 &&
  close(w, 0) < close(w, 2) - body(w, 2) * 0.3
    ? -100
    : 0,
);
/** Three white soldiers (TA-Lib CDL3WHITESOLDIERS): three white candles with very short upper shadows, higher closes, each opening within/near the previous body, not shrinking far (+100). */
export const threeWhiteSoldiers = pattern('threeWhiteSoldiers', 'Three White Soldiers', 12, (w) => {
  for (let k = 0; k < 3; k++) if (color(w, k) !== 1 || upperShadow(w, k) >= average(w, 'shadowVeryShort', k)) return 0;
  return close(w, 0) > close(w, 1) &&
    close(w, 1) > close(w, 2) &&
    open(w, 1) > open(w, 2) &&
    open(w, 1) <= close(w, 2) + average(w, 'near', 2) &&
    open(w, 0) > open(w, 1) &&
    open(w, 0) <= close(w, 1) + average(w, 'near', 1) &&
    body(w, 1) > body(w, 2) - average(w, 'far', 2) &&
    body(w, 0) > body(w, 1) - average(w, 'far', 1) &&
    body(w, 0) > average(w, 'bodyShort', 0)
    ? 100
    : 0;
});
/** Three black crows (TA-Lib CDL3BLACKCROWS): after a white candle, three black candles with very short lower shadows, each opening within the previous body, closing lower (−100). */
export const threeBlackCrows = pattern('threeBlackCrows', 'Three Black Crows', 13, (w) => {
  if (color(w, 3) !== 1) return 0;
  for (let k = 0; k < 3; k++) if (color(w, k) !== -1 || lowerShadow(w, k) >= average(w, 'shadowVeryShort', k)) return 0;
  return open(w, 1) < open(w, 2) &&
    open(w, 1) > close(w, 2) &&
    open(w, 0) < open(w, 1) &&
    open(w, 0) > close(w, 1) &&
    high(w, 3) > close(w, 2) &&
    close(w, 2) > close(w, 1) &&
    close(w, 1) > close(w, 0)
    ? -100
    : 0;
});
