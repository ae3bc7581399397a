import { InvalidParameterError } from '@candlelab/core';
import { expectClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from './normalCdf.js';
import { deflatedSharpeRatio, expectedMaxSharpe, probabilisticSharpeRatio } from './probabilisticSharpeRatio.js';

describe('probabilisticSharpeRatio', () => {
  it('matches the formula on a hand-worked symmetric two-point series (skew 0, kurtosis 1)', () => {
    // returns ±0.01 around 0.002: SR = 0.002 / std(ddof=1), γ3 = 0, γ4 = 1 → PSR = Φ(SR √(n-1))
    const returns = [0.012, -0.008, 0.012, -0.008];
    const std = Math.sqrt((4 * 0.01 * 0.01) / 3);
    expectClose(probabilisticSharpeRatio(returns), normalCdf((0.002 / std) * Math.sqrt(3)), { rel: 1e-12 });
  });

  it('is 0.5 when the benchmark equals the observed Sharpe, and decreases with the benchmark', () => {
    const returns = [0.01, -0.02, 0.03, 0.005, -0.01, 0.02];
    const m = returns.reduce((a, b) => a + b) / 6;
    const sd = Math.sqrt(returns.reduce((a, b) => a + (b - m) ** 2, 0) / 5);
    expectClose(probabilisticSharpeRatio(returns, m / sd), 0.5, { rel: 1e-12 });
    expect(probabilisticSharpeRatio(returns, 0.1)).toBeGreaterThan(probabilisticSharpeRatio(returns, 0.2));
  });

  it('constant returns give 1, 0 or 0.5 by comparing the (infinite or zero) Sharpe with the benchmark', () => {
    expect(probabilisticSharpeRatio([0.01, 0.01, 0.01])).toBe(1);
    expect(probabilisticSharpeRatio([-0.01, -0.01])).toBe(0);
    expect(probabilisticSharpeRatio([0, 0, 0])).toBe(0.5);
  });

  it('DSR equals PSR against the expected maximum Sharpe; one trial deflates nothing', () => {
    const returns = [0.01, -0.02, 0.03, 0.005, -0.01, 0.02, 0.004];
    const sr0 = expectedMaxSharpe(20, 0.04);
    expect(deflatedSharpeRatio(returns, { numTrials: 20, sharpeVariance: 0.04 })).toBe(
      probabilisticSharpeRatio(returns, sr0),
    );
    expect(deflatedSharpeRatio(returns, { numTrials: 1, sharpeVariance: 0.04 })).toBe(
      probabilisticSharpeRatio(returns),
    );
    expect(() => expectedMaxSharpe(0, 1)).toThrow(InvalidParameterError);
    expect(() => expectedMaxSharpe(2.5, 1)).toThrow(/'numTrials'/);
    expect(() => expectedMaxSharpe(10, -1)).toThrow(/'sharpeVariance'/);
  });

  it('property: a probability in [0, 1], non-increasing in the benchmark', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 2, maxLength: 80 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (returns, benchmark) => {
          const p = probabilisticSharpeRatio(returns, benchmark);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(probabilisticSharpeRatio(returns, benchmark + 0.1)).toBeLessThanOrEqual(p);
        },
      ),
    );
  });
});

describe('normal distribution', () => {
  it('hand values: Φ(0) = 0.5, Φ(1.959963984540054) = 0.975, tails and infinities', () => {
    expect(normalCdf(0)).toBe(0.5);
    expectClose(normalCdf(1.959963984540054), 0.975, { rel: 1e-15 });
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => normalQuantile(1.5)).toThrow(/'p'/);
    expect(() => normalQuantile(Number.NaN)).toThrow(InvalidParameterError);
  });

  it('property: symmetric, and quantile inverts the CDF', () => {
    fc.assert(
      fc.property(fc.double({ min: -35, max: 8, noNaN: true }), (z) => {
        const p = normalCdf(z);
        expectClose(normalCdf(-z), 1 - p, { rel: 1e-12, abs: 1e-16 });
        if (p > 0 && p < 1 - 1e-12) expectClose(normalQuantile(p), z, { rel: 1e-9, abs: 1e-9 });
      }),
    );
  });
});
