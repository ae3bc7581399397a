import { InvalidParameterError, NotEnoughDataError, ValidationError } from '@candlelab/core';
import { expectClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annualizedReturn, cagr, totalReturn } from './annualizedReturn.js';
import { equityFromReturns } from './equityFromReturns.js';
import { periodsPerYear } from './periodsPerYear.js';
import { calmarRatio, sharpeRatio, sortinoRatio, volatility } from './sharpeRatio.js';

describe('annualization options', () => {
  it('resolves periodsPerYear, timeframe + calendar, calendar alone, then 252', () => {
    expect(periodsPerYear()).toBe(252);
    expect(periodsPerYear({ periodsPerYear: 12, timeframe: '1h' })).toBe(12);
    expect(periodsPerYear({ timeframe: '1h' })).toBe(8760);
    expect(periodsPerYear({ timeframe: '4h', calendar: 'crypto' })).toBe(2190);
    expect(periodsPerYear({ timeframe: '1h', calendar: 'equity' })).toBe(1638);
    expect(periodsPerYear({ timeframe: '1d', calendar: 'equity' })).toBe(252);
    expect(periodsPerYear({ calendar: 'crypto' })).toBe(365);
    expect(periodsPerYear({ calendar: 'equity' })).toBe(252);
  });

  it('rejects bad options by name', () => {
    expect(() => periodsPerYear({ periodsPerYear: 0 })).toThrow(InvalidParameterError);
    expect(() => periodsPerYear({ periodsPerYear: Number.NaN })).toThrow(/periodsPerYear/);
    expect(() => periodsPerYear({ timeframe: '1x' })).toThrow(/'timeframe'/);
    expect(() => periodsPerYear({ calendar: 'forex' as 'crypto' })).toThrow(/'calendar'/);
  });
});

describe('return metrics, hand-worked', () => {
  const r = [0.1, -0.05, 0.02, 0];

  it('total, annualized and CAGR', () => {
    const growth = 1.1 * 0.95 * 1.02;
    expectClose(totalReturn(r), growth - 1);
    expectClose(annualizedReturn(r, { periodsPerYear: 8 }), growth ** 2 - 1);
    expectClose(cagr(equityFromReturns(r), { periodsPerYear: 8 }), growth ** 2 - 1);
    expect(annualizedReturn([0.5, -1])).toBe(-1);
    expect(cagr([1, 0])).toBe(-1);
  });

  it('volatility uses ddof = 1 and annualizes by √periodsPerYear', () => {
    const m = 0.0175;
    const variance = ((0.1 - m) ** 2 + (-0.05 - m) ** 2 + (0.02 - m) ** 2 + m ** 2) / 3;
    expectClose(volatility(r, { periodsPerYear: 4 }), Math.sqrt(variance) * 2);
  });

  it('Sharpe with a geometric per-bar risk-free rate', () => {
    const m = 0.0175;
    const sd = volatility(r, { periodsPerYear: 1 });
    const rf = 1.05 ** (1 / 4) - 1;
    expectClose(sharpeRatio(r, { periodsPerYear: 4, riskFreeRate: 0.05 }), ((m - rf) / sd) * 2);
  });

  it('Sortino divides by the downside deviation over all n returns', () => {
    const dd = Math.sqrt((0.05 * 0.05) / 4);
    expectClose(sortinoRatio(r, { periodsPerYear: 1 }), 0.0175 / dd);
    const ddTarget = Math.sqrt(((-0.05 - 0.01) ** 2 + (0 - 0.01) ** 2) / 4);
    expectClose(sortinoRatio(r, { periodsPerYear: 1, target: 0.01 }), (0.0175 - 0.01) / ddTarget);
  });

  it('Calmar = annualized return / max drawdown', () => {
    expectClose(calmarRatio(r, { periodsPerYear: 8 }), ((1.1 * 0.95 * 1.02) ** 2 - 1) / 0.05);
  });
});

describe('edge cases', () => {
  it('zero volatility: Sharpe 0 for zero mean excess, ±Infinity otherwise', () => {
    expect(sharpeRatio([0, 0, 0])).toBe(0);
    expect(sharpeRatio([0.01, 0.01, 0.01])).toBe(Number.POSITIVE_INFINITY);
    expect(sharpeRatio([0.01, 0.01], { riskFreeRate: 100 })).toBe(Number.NEGATIVE_INFINITY);
    expect(volatility([0.01, 0.01, 0.01])).toBe(0);
  });

  it('no downside: Sortino +Infinity for positive mean, 0 for all-zero; no drawdown: Calmar Infinity or 0', () => {
    expect(sortinoRatio([0.01, 0.02])).toBe(Number.POSITIVE_INFINITY);
    expect(sortinoRatio([0, 0])).toBe(0);
    expect(calmarRatio([0.01, 0.02])).toBe(Number.POSITIVE_INFINITY);
    expect(calmarRatio([0, 0])).toBe(0);
  });

  it('typed errors for empty, short, non-finite input and bad options', () => {
    expect(() => sharpeRatio([])).toThrow(ValidationError);
    expect(() => sharpeRatio([0.01])).toThrow(NotEnoughDataError);
    expect(() => volatility([0.01, Number.NaN, 0])).toThrow(/volatility: row 1, returns: is not finite/);
    try {
      totalReturn([Number.NaN, 1, Number.NaN]);
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).rows).toEqual([0, 2]);
    }
    expect(() => sharpeRatio([0.1, 0.2], { riskFreeRate: Number.NaN })).toThrow(/'riskFreeRate'/);
    expect(() => sortinoRatio([0.1, 0.2], { target: Number.POSITIVE_INFINITY })).toThrow(/'target'/);
  });
});

describe('properties', () => {
  const returnsArb = fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { minLength: 3, maxLength: 100 });

  it('Sharpe is invariant to scaling returns and flips sign with them (no risk-free rate)', () => {
    fc.assert(
      fc.property(returnsArb, fc.double({ min: 0.1, max: 1.9, noNaN: true }), (returns, k) => {
        fc.pre(Math.max(...returns) - Math.min(...returns) > 1e-6);
        const s = sharpeRatio(returns);
        expectClose(sharpeRatio(returns.map((x) => x * k)), s, { rel: 1e-9, abs: 1e-12 });
        expectClose(sharpeRatio(returns.map((x) => -x)), -s, { rel: 1e-9, abs: 1e-12 });
      }),
    );
  });

  it('annualized return of the curve equals CAGR of its equity', () => {
    fc.assert(
      fc.property(returnsArb, fc.integer({ min: 1, max: 10_000 }), (returns, ppy) => {
        const a = annualizedReturn(returns, { periodsPerYear: ppy });
        const c = cagr(equityFromReturns(returns, 7), { periodsPerYear: ppy });
        if (Number.isFinite(a)) expectClose(c, a, { rel: 1e-9, abs: 1e-12 });
      }),
    );
  });
});
