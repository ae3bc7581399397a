import { expectArraysClose, expectClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equityFromReturns, returnsFromEquity } from './equityFromReturns.js';
import { maxDrawdown } from './maxDrawdown.js';

const returnsArb = fc.array(fc.double({ min: -0.99, max: 2, noNaN: true }), { minLength: 1, maxLength: 200 });

describe('maxDrawdown', () => {
  it('finds peak, trough, recovery and durations of a hand-worked curve', () => {
    //            0    1    2    3   4    5    6    7    8    9
    const equity = [100, 120, 120, 90, 60, 100, 130, 117, 104, 110];
    const dd = maxDrawdown(equity);
    expect(dd).toEqual({
      maxDrawdown: 0.5, // 120 → 60
      peakIndex: 2, // the last bar at the high-water mark
      troughIndex: 4,
      recoveryIndex: 6, // 130 >= 120
      durationBars: 4,
      longestDurationBars: 4, // 2 → 6; the final spell 6 → 9 lasts 3
    });
  });

  it('reports an unrecovered drawdown up to the last bar', () => {
    const dd = maxDrawdown([1, 2, 1.5, 1.8, 1]);
    expect(dd.maxDrawdown).toBe(0.5);
    expect(dd.peakIndex).toBe(1);
    expect(dd.troughIndex).toBe(4);
    expect(dd.recoveryIndex).toBeNull();
    expect(dd.durationBars).toBe(3);
    expect(dd.longestDurationBars).toBe(3);
  });

  it('longest underwater spell can differ from the deepest drawdown', () => {
    // shallow long spell 0 → 6, then a deep short one 6 → 8
    const dd = maxDrawdown([10, 9.9, 9.8, 9.9, 9.95, 9.99, 11, 5, 12]);
    expect(dd.maxDrawdown).toBeCloseTo(1 - 5 / 11, 15);
    expect(dd.durationBars).toBe(2);
    expect(dd.longestDurationBars).toBe(6);
  });

  it('is 0 with null recovery for a non-decreasing curve, and 1 after a total loss', () => {
    expect(maxDrawdown([1, 1, 2, 3])).toEqual({
      maxDrawdown: 0,
      peakIndex: 0,
      troughIndex: 0,
      recoveryIndex: null,
      durationBars: 0,
      longestDurationBars: 0,
    });
    expect(maxDrawdown([5])).toMatchObject({ maxDrawdown: 0, durationBars: 0 });
    const total = maxDrawdown(equityFromReturns([0.1, -1, 0]));
    expect(total.maxDrawdown).toBe(1);
    expect(total.troughIndex).toBe(2);
    expect(total.recoveryIndex).toBeNull();
  });

  it('rejects empty, non-finite, negative and non-positive-start curves, naming the index', () => {
    expect(() => maxDrawdown([])).toThrow(/equity: is empty/);
    expect(() => maxDrawdown([1, Number.NaN])).toThrow(/row 1, equity: is not finite/);
    expect(() => maxDrawdown([1, -2])).toThrow(/row 1, equity: must be >= 0/);
    expect(() => maxDrawdown([0, 1])).toThrow(/row 0, equity: must be > 0/);
  });

  it('property: depth in [0, 1], indices ordered, durations consistent', () => {
    fc.assert(
      fc.property(returnsArb, (returns) => {
        const equity = equityFromReturns(returns);
        const dd = maxDrawdown(equity);
        expect(dd.maxDrawdown).toBeGreaterThanOrEqual(0);
        expect(dd.maxDrawdown).toBeLessThanOrEqual(1);
        expect(dd.peakIndex).toBeLessThanOrEqual(dd.troughIndex);
        if (dd.maxDrawdown > 0) {
          expectClose(dd.maxDrawdown, 1 - equity[dd.troughIndex]! / equity[dd.peakIndex]!, { rel: 1e-12, abs: 1e-15 });
          for (let i = 0; i <= dd.peakIndex; i++) expect(equity[i]!).toBeLessThanOrEqual(equity[dd.peakIndex]!);
          if (dd.recoveryIndex !== null)
            expect(equity[dd.recoveryIndex]!).toBeGreaterThanOrEqual(equity[dd.peakIndex]!);
        }
        expect(dd.longestDurationBars).toBeGreaterThanOrEqual(dd.durationBars);
        expect(dd.longestDurationBars).toBeLessThan(equity.length);
      }),
    );
  });

  it('property: scale invariant', () => {
    fc.assert(
      fc.property(returnsArb, fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (returns, initial) => {
        const a = maxDrawdown(equityFromReturns(returns));
        const b = maxDrawdown(equityFromReturns(returns, initial));
        expectClose(b.maxDrawdown, a.maxDrawdown, { rel: 1e-9, abs: 1e-12 });
      }),
    );
  });
});

describe('equityFromReturns / returnsFromEquity', () => {
  it('compounds from the initial capital', () => {
    expect(Array.from(equityFromReturns([0.1, -0.5, 1], 100))).toEqual([
      100, 110.00000000000001, 55.00000000000001, 110.00000000000001,
    ]);
    expect(Array.from(returnsFromEquity([100, 110, 55]))).toEqual([0.10000000000000009, -0.5]);
  });

  it('property: returns → equity → returns round trip', () => {
    fc.assert(
      fc.property(returnsArb, (returns) => {
        const back = returnsFromEquity(equityFromReturns(returns, 1000));
        expect(back.length).toBe(returns.length);
        expectArraysClose(back, returns, { rel: 1e-9, abs: 1e-12 });
      }),
    );
  });

  it('rejects bad input naming the argument and index', () => {
    expect(() => equityFromReturns([0.1, Number.POSITIVE_INFINITY])).toThrow(/row 1, returns: is not finite/);
    expect(() => equityFromReturns([0.1, -1.5])).toThrow(/row 1, returns: is below -1/);
    expect(() => equityFromReturns([0.1], 0)).toThrow(/'initial'/);
    expect(() => returnsFromEquity([1])).toThrow(/needs at least 2, got 1/);
    expect(() => returnsFromEquity([1, 0, 1])).toThrow(/row 1, equity: is 0 before the end/);
  });
});
