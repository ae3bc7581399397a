import { InvalidParameterError, ValidationError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { forwardReturnLabels } from './forwardReturnLabels.js';

const HOUR = 3_600_000;
const series = (closes: number[]) => ({
  time: Float64Array.from(closes, (_, i) => i * HOUR),
  close: Float64Array.from(closes),
});

describe('forwardReturnLabels', () => {
  const bars = series([100, 110, 99, 99, 120]);

  it('regression target over one bar (hand-computed)', () => {
    const result = forwardReturnLabels(bars);
    expect(Array.from(result.label.subarray(0, 4))).toEqual([110 / 100 - 1, 99 / 110 - 1, 0, 120 / 99 - 1]);
    expect(result.label[4]).toBeNaN();
    expect(Array.from(result.endIndex)).toEqual([1, 2, 3, 4, -1]);
    expect(Array.from(result.labelEnd.subarray(0, 4))).toEqual([HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR]);
    expect(Array.from(result.weight.subarray(0, 4))).toEqual([1, 1, 1, 1]);
    expect(result.unlabeled.count).toBe(1);
    expect(result.unlabeled.byReason.horizon).toBe(1);
  });

  it('binary and ternary classes with thresholds', () => {
    expect(Array.from(forwardReturnLabels(bars, { target: 'binary', upper: 0.05 }).label)).toEqual([
      1,
      0,
      0,
      1,
      Number.NaN,
    ]);
    expect(Array.from(forwardReturnLabels(bars, { target: 'ternary', upper: 0.05 }).label)).toEqual([
      1,
      -1,
      0,
      1,
      Number.NaN,
    ]);
    expect(Array.from(forwardReturnLabels(bars, { target: 'ternary', upper: 0.15, lower: -0.05 }).label)).toEqual([
      0,
      -1,
      0,
      1,
      Number.NaN,
    ]);
  });

  it('horizon 2: overlapping labels get uniqueness weights', () => {
    const result = forwardReturnLabels(bars, { horizon: 2, logReturn: true });
    expect(result.label[0]).toBeCloseTo(Math.log(99 / 100), 15);
    expect(Array.from(result.endIndex)).toEqual([2, 3, 4, -1, -1]);
    // spans (0,2], (1,3], (2,4]: concurrency of bars 1..4 = 1, 2, 2, 1
    expect(Array.from(result.weight.subarray(0, 3))).toEqual([0.75, 0.5, 0.75]);
    expect(result.unlabeled.byReason.horizon).toBe(2);
  });

  it('leaves bars with a missing or non-positive close unlabeled and says why', () => {
    const result = forwardReturnLabels(series([100, Number.NaN, 101, 0, 102]));
    expect(Array.from(result.label)).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    expect(result.unlabeled).toEqual({
      count: 5,
      byReason: { horizon: 1, invalidPrice: 4, volatility: 0, unconfirmed: 0, ambiguous: 0, noSignal: 0 },
    });
  });

  it('rejects bad options and mismatched columns', () => {
    expect(() => forwardReturnLabels(bars, { horizon: 0 })).toThrow(InvalidParameterError);
    expect(() => forwardReturnLabels(bars, { target: 'ternary', upper: -0.1, lower: 0.1 })).toThrow(/lower/);
    expect(() => forwardReturnLabels({ time: new Float64Array(3), close: new Float64Array(2) })).toThrow(
      ValidationError,
    );
  });
});
