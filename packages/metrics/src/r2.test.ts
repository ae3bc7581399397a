import { ValidationError } from '@candlelab/core';
import { expectClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageRanks } from './averageRanks.js';
import { pearson, spearman } from './pearson.js';
import { mae, mse, r2, rmse } from './r2.js';

// Millesimal values: no subnormals, whose squares underflow.
const seriesArb = fc.array(
  fc.integer({ min: -100_000, max: 100_000 }).map((v) => v / 1000),
  { minLength: 2, maxLength: 80 },
);

describe('regression metrics', () => {
  it('hand-worked', () => {
    const y = [1, 2, 3, 4];
    const p = [1, 3, 2, 4];
    expect(mse(y, p)).toBe(0.5);
    expect(rmse(y, p)).toBe(Math.sqrt(0.5));
    expect(mae(y, p)).toBe(0.5);
    expect(r2(y, p)).toBe(1 - 2 / 5);
    expect(r2(y, [0, 0, 0, 0])).toBe(1 - 30 / 5);
  });

  it('constant target: r2 is 1 for a perfect prediction and 0 otherwise (scikit-learn force_finite)', () => {
    expect(r2([3, 3, 3], [3, 3, 3])).toBe(1);
    expect(r2([3, 3, 3], [3, 3, 4])).toBe(0);
  });

  it('rejects mismatched lengths and non-finite values', () => {
    expect(() => mse([1, 2], [1])).toThrow(/yPred: has 1 values but yTrue has 2/);
    expect(() => mae([1, Number.NaN], [1, 2])).toThrow(/row 1, yTrue: is not finite/);
    expect(() => r2([], [])).toThrow(ValidationError);
  });

  it('property: r2 of a perfect prediction is 1; rmse² = mse; mae <= rmse', () => {
    fc.assert(
      fc.property(seriesArb, seriesArb, (y, p) => {
        expect(r2(y, y)).toBe(1);
        const n = Math.min(y.length, p.length);
        const a = y.slice(0, n);
        const b = p.slice(0, n);
        expectClose(rmse(a, b) ** 2, mse(a, b), { rel: 1e-12, abs: 1e-300 });
        expect(mae(a, b)).toBeLessThanOrEqual(rmse(a, b) * (1 + 1e-12));
      }),
    );
  });
});

describe('correlation', () => {
  it('average ranks for ties, as scipy.stats.rankdata', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
  });

  it('hand-worked Pearson and Spearman; constant input gives 0', () => {
    expectClose(pearson([1, 2, 3], [2, 4, 6.5]), 0.9979487157886733, { rel: 1e-12 }); // scipy.stats.pearsonr 1.10.1
    expectClose(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1, { rel: 1e-15 });
    expectClose(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, { rel: 1e-15 });
    expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBe(0);
    expect(() => pearson([1], [1])).toThrow(/needs at least 2/);
  });

  it('property: in [-1, 1], symmetric, Spearman invariant to monotone transforms', () => {
    fc.assert(
      fc.property(seriesArb, seriesArb, (x, y) => {
        const n = Math.min(x.length, y.length);
        const a = x.slice(0, n);
        const b = y.slice(0, n);
        const p = pearson(a, b);
        expect(Math.abs(p)).toBeLessThanOrEqual(1);
        expectClose(pearson(b, a), p, { rel: 1e-12, abs: 1e-15 });
        expectClose(
          spearman(
            a.map((v) => Math.exp(v / 50)),
            b,
          ),
          spearman(a, b),
          { rel: 1e-12, abs: 1e-15 },
        );
      }),
    );
  });
});
