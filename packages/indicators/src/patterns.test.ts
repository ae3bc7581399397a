import { describe, expect, it } from 'vitest';
import { type IndicatorId, indicatorEntry } from './registry.js';

type Ohlc = [number, number, number, number];

/** Runs a pattern on hand-made candles and returns its value on the last one. */
function last(id: IndicatorId, candles: Ohlc[]): number {
  const open = candles.map((c) => c[0]);
  const high = candles.map((c) => c[1]);
  const low = candles.map((c) => c[2]);
  const close = candles.map((c) => c[3]);
  const out = indicatorEntry(id).batch({ open, high, low, close }) as Float64Array;
  return out[out.length - 1]!;
}

/** Quiet context candles: body 0.4, range 1.0, so TA-Lib's averages are known (long body > 0.4, very short shadow < 0.1, near 0.2). */
const context: Ohlc[] = Array.from({ length: 12 }, () => [10, 10.6, 9.6, 10.4]);
const after = (...candles: Ohlc[]) => [...context, ...candles];

// Shapes built to TA-Lib 0.4's rules (ta_CDL*.c with the default candle settings); talib.test.ts
// compares every pattern with TA-Lib on real data, these cover patterns that data never shows.
describe('candlestick patterns', () => {
  it('single candles', () => {
    expect(last('doji', after([10, 10.5, 9.5, 10.05]))).toBe(100);
    expect(last('doji', after([10, 10.5, 9.5, 10.3]))).toBe(0);
    expect(last('marubozu', after([10, 11, 10, 11]))).toBe(100);
    expect(last('marubozu', after([11, 11, 10, 10]))).toBe(-100);
    expect(last('spinningTop', after([10, 10.5, 9.5, 10.2]))).toBe(100);
  });

  it('hammers and stars depend on the previous candle', () => {
    expect(last('hammer', after([9.7, 9.75, 9, 9.75]))).toBe(100);
    expect(last('hangingMan', after([10.5, 10.55, 9.8, 10.55]))).toBe(-100);
    expect(last('hammer', after([10.5, 10.55, 9.8, 10.55]))).toBe(0);
    expect(last('invertedHammer', after([9.8, 10.5, 9.78, 9.85]))).toBe(100);
    expect(last('shootingStar', after([10.5, 11.2, 10.48, 10.55]))).toBe(-100);
  });

  it('two-candle reversals', () => {
    expect(
      last('engulfing', [
        [10.5, 10.6, 9.9, 10],
        [9.9, 11, 9.8, 10.8],
      ]),
    ).toBe(100);
    expect(
      last('engulfing', [
        [10, 10.6, 9.9, 10.5],
        [10.6, 10.7, 9.7, 9.8],
      ]),
    ).toBe(-100);
    expect(
      last('engulfing', [
        [10.5, 10.6, 9.9, 10],
        [10, 11, 9.8, 10.8],
      ]),
    ).toBe(80);
    expect(last('harami', after([12, 12.1, 9.9, 10], [10.5, 11, 10.4, 10.8]))).toBe(100);
    expect(last('harami', after([10, 12.1, 9.9, 12], [11.5, 11.6, 10.9, 11]))).toBe(-100);
    expect(last('piercing', after([12, 12.1, 9.9, 10], [9.8, 11.5, 9.7, 11.4]))).toBe(100);
    expect(last('darkCloudCover', after([10, 12.1, 9.9, 12], [12.2, 12.3, 10.5, 10.6]))).toBe(-100);
  });

  it('three-candle patterns', () => {
    expect(last('morningStar', after([12, 12.1, 9.9, 10], [9.8, 9.9, 9.5, 9.7], [9.9, 11.6, 9.8, 11.5]))).toBe(100);
    expect(last('eveningStar', after([10, 12.1, 9.9, 12], [12.2, 12.5, 12.1, 12.3], [12.1, 12.2, 10.4, 10.5]))).toBe(
      -100,
    );
    const soldiers: Ohlc[] = [
      [10, 11.05, 9.95, 11],
      [10.5, 12.05, 10.45, 12],
      [11.5, 13.05, 11.45, 13],
    ];
    expect(last('threeWhiteSoldiers', after(...soldiers))).toBe(100);
    expect(last('threeWhiteSoldiers', after(soldiers[0]!, soldiers[1]!, [11.5, 11.95, 11.45, 11.9]))).toBe(0);
    expect(
      last(
        'threeBlackCrows',
        after([12.5, 13.2, 12.4, 13.1], [13, 13.05, 11.98, 12], [12.5, 12.55, 10.98, 11], [11.5, 11.55, 9.98, 10]),
      ),
    ).toBe(-100);
  });

  it('is NaN during the TA-Lib lookback', () => {
    expect(Number.isNaN(last('threeBlackCrows', context))).toBe(true);
    expect(last('threeBlackCrows', [...context, [10, 10.6, 9.6, 10.4], [10, 10.6, 9.6, 10.4]])).toBe(0);
  });
});

describe('structure', () => {
  it('zigzag confirms a pivot after a reversal of `deviation` percent', () => {
    const high = [100, 104, 108, 110, 106, 103, 104];
    const low = [99, 103, 107, 109, 104, 102, 103];
    const z = indicatorEntry('zigzag').batch({ high, low }, { deviation: 5 }) as Record<string, Float64Array>;
    // Up leg confirmed on bar 2 (108 ≥ 99.5·1.05); bar 4's low 104 ≤ 110·0.95 confirms the top.
    expect(Array.from(z.direction!)).toEqual([0, 0, 1, 1, -1, -1, -1]);
    expect(z.pivot![3]).toBe(99.5);
    expect(z.pivot![4]).toBe(110);
    expect(z.extreme![6]).toBe(102);
  });

  it('swings flag the centre bar once the right side is in', () => {
    const high = [1, 2, 5, 2, 1, 3];
    const low = [0.5, 1.5, 4, 1.5, 0.2, 2];
    const s = indicatorEntry('swings').batch({ high, low }, { strength: 2 }) as Record<string, Float64Array>;
    expect(Array.from(s.high!)).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN, 1, 0]);
  });

  it('pivot points use the previous bar', () => {
    const p = indicatorEntry('pivotPoints').batch({ high: [12, 0], low: [8, 0], close: [10, 0] }) as Record<
      string,
      Float64Array
    >;
    expect([p.pp![1], p.r1![1], p.s1![1], p.r2![1], p.s2![1]]).toEqual([10, 12, 8, 14, 6]);
  });
});
