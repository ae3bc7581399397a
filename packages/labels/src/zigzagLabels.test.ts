import { InvalidParameterError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { type ZigZagOptions, zigzagLabels } from './zigzagLabels.js';

const HOUR = 3_600_000;
/** Bars whose open, high and low equal the close. */
const flatBars = (closes: number[]) => {
  const close = Float64Array.from(closes);
  return { time: Float64Array.from(closes, (_, i) => i * HOUR), open: close, high: close, low: close, close };
};

describe('zigzagLabels', () => {
  const closes = [100, 102, 106, 103, 97, 94, 95, 96, 101];

  it('hand-worked 5 % swings with a 3-bar lookahead', () => {
    const result = zigzagLabels(flatBars(closes), { threshold: 0.05, lookahead: 3 });
    // t0: 106 >= 105 at bar 2 → up. t1: 102 → needs 107.1 / 96.9 within bars 2-4 → unconfirmed.
    // t2: 97 <= 100.7 at bar 4 → down. t3: 97 <= 97.85 at bar 4 → down. t4: 97 → 101.85 / 92.15 → unconfirmed.
    // t5: 101 >= 98.7 at bar 8 → up. t6-t8: lookahead runs past the data.
    expect(Array.from(result.label)).toEqual([
      1,
      Number.NaN,
      -1,
      -1,
      Number.NaN,
      1,
      Number.NaN,
      Number.NaN,
      Number.NaN,
    ]);
    expect(Array.from(result.endIndex)).toEqual([2, -1, 4, 4, -1, 8, -1, -1, -1]);
    expect(result.labelEnd[5]).toBe(8 * HOUR);
    expect(result.unlabeled.count).toBe(5);
    expect(result.unlabeled.byReason.unconfirmed).toBe(2);
    expect(result.unlabeled.byReason.horizon).toBe(3);
    // spans (0,2], (2,4], (3,4], (5,8]: bar 4 is shared by two labels
    expect(result.weight[0]).toBe(1);
    expect(result.weight[2]).toBe(0.75);
    expect(result.weight[3]).toBe(0.5);
    expect(result.weight[5]).toBe(1);
    expect(result.swingSize[0]).toBeCloseTo(5, 12);
  });

  it('ATR mode uses the given volatility column in price units', () => {
    const atr = new Float64Array(closes.length).fill(2);
    atr[0] = Number.NaN;
    const result = zigzagLabels(flatBars(closes), { thresholdType: 'atr', atrMultiple: 1.5, atr, lookahead: 3 });
    // t0: no volatility. t1: 102 ± 3 → 106 at bar 2 → up. t2: 106 ± 3 → 103 at bar 3 → down.
    expect(result.label[0]).toBeNaN();
    expect(result.unlabeled.byReason.volatility).toBe(1);
    expect(result.label[1]).toBe(1);
    expect(result.endIndex[1]).toBe(2);
    expect(result.label[2]).toBe(-1);
    expect(result.endIndex[2]).toBe(3);
  });

  it("ATR mode computes Wilder's ATR when no column is given (NaN during warm-up)", () => {
    const result = zigzagLabels(flatBars(closes), { thresholdType: 'atr', atrPeriod: 3, atrMultiple: 1, lookahead: 2 });
    // TR = |Δclose| for flat bars: 0, 2, 4 → ATR_2 = 2; ATR_3 = (2·2 + 3) / 3 = 7/3
    expect(result.unlabeled.byReason.volatility).toBe(2);
    expect(result.swingSize[2]).toBe(2);
    expect(result.swingSize[3]).toBeCloseTo(7 / 3, 14);
    expect(result.label[2]).toBe(-1); // 106 - 2 = 104 >= 103 at bar 3
  });

  it('highLow: a bar crossing both levels is decided by a gapped open, else left unlabeled', () => {
    const time = Float64Array.of(0, 1, 2).map((i) => i * HOUR);
    const close = Float64Array.of(100, 100, 100);
    const high = Float64Array.of(100, 110, 100);
    const low = Float64Array.of(100, 90, 100);
    const inside = zigzagLabels(
      { time, open: Float64Array.of(100, 100, 100), high, low, close },
      { lookahead: 1, price: 'highLow' },
    );
    expect(inside.label[0]).toBeNaN();
    expect(inside.unlabeled.byReason.ambiguous).toBe(1);
    const gapUp = zigzagLabels(
      { time, open: Float64Array.of(100, 106, 100), high, low, close },
      { lookahead: 1, price: 'highLow' },
    );
    expect(gapUp.label[0]).toBe(1);
    const gapDown = zigzagLabels(
      { time, open: Float64Array.of(100, 94, 100), high, low, close },
      { lookahead: 1, price: 'highLow' },
    );
    expect(gapDown.label[0]).toBe(-1);
    // with closes only, the bar does not move at all (unconfirmed)
    expect(zigzagLabels({ time, open: close, high, low, close }, { lookahead: 1 }).label[0]).toBeNaN();
  });

  it('rejects bad options', () => {
    const bars = flatBars(closes);
    expect(() => zigzagLabels(bars, { threshold: 0 })).toThrow(InvalidParameterError);
    expect(() => zigzagLabels(bars, { lookahead: 1.5 })).toThrow(/lookahead/);
    expect(() => zigzagLabels(bars, { thresholdType: 'atr', atr: new Float64Array(2) })).toThrow(
      /atr: column has 2 values/,
    );
    // a swing size of the other thresholdType is refused, naming it (no silently ignored 'threshold: 2')
    const atrWithThreshold = { thresholdType: 'atr', threshold: 2 } as unknown as ZigZagOptions;
    expect(() => zigzagLabels(bars, atrWithThreshold)).toThrow(
      expect.objectContaining({ parameter: 'threshold', message: expect.stringMatching(/takes atrMultiple/) }),
    );
    const percentWithMultiple = { atrMultiple: 2 } as unknown as ZigZagOptions;
    expect(() => zigzagLabels(bars, percentWithMultiple)).toThrow(
      expect.objectContaining({ parameter: 'atrMultiple' }),
    );
  });
});
