import { expectClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectancy, exposure, profitFactor, winRate } from './profitFactor.js';
import { tradeListMetrics } from './tradeListMetrics.js';
import { tradingMetrics } from './tradingMetrics.js';

describe('per-value trade statistics', () => {
  it('hand-worked, zeros excluded from the win rate', () => {
    const v = [2, -1, 0, 3, -2];
    expect(winRate(v)).toBe(0.5);
    expect(profitFactor(v)).toBe(5 / 3);
    expect(expectancy(v)).toBe(0.4);
    expect(exposure([1, 0, -1, 0.5])).toBe(0.75);
  });

  it('edge cases: no losses → Infinity, nothing decided → 0', () => {
    expect(profitFactor([1, 0])).toBe(Number.POSITIVE_INFINITY);
    expect(profitFactor([0, 0])).toBe(0);
    expect(profitFactor([-1, 0])).toBe(0);
    expect(winRate([0, 0])).toBe(0);
    expect(() => winRate([])).toThrow(/values: is empty/);
    expect(() => exposure([1, Number.NaN])).toThrow(/row 1, positions/);
  });
});

describe('tradeListMetrics', () => {
  const hour = 3_600_000;
  const trade = (pnl: number, hours: number) => ({ pnl, returnPct: pnl / 100, entryTime: 0, exitTime: hours * hour });

  it('hand-worked list', () => {
    const m = tradeListMetrics([trade(10, 1), trade(-5, 2), trade(-5, 3), trade(0, 4), trade(-2, 1), trade(20, 1)]);
    expect(m).toEqual({
      trades: 6,
      winRate: 2 / 5,
      profitFactor: 30 / 12,
      expectancy: 3,
      avgWin: 15,
      avgLoss: -4,
      payoffRatio: 15 / 4,
      avgReturnPct: expect.closeTo(0.03, 15),
      avgHoldMs: 2 * hour,
      largestWin: 20,
      largestLoss: -5,
      maxConsecutiveLosses: 2,
    });
  });

  it('empty list and winners only', () => {
    expect(tradeListMetrics([])).toMatchObject({
      trades: 0,
      winRate: 0,
      profitFactor: 0,
      payoffRatio: 0,
      avgHoldMs: 0,
    });
    const winners = tradeListMetrics([trade(1, 1), trade(2, 1)]);
    expect(winners.profitFactor).toBe(Number.POSITIVE_INFINITY);
    expect(winners.payoffRatio).toBe(Number.POSITIVE_INFINITY);
    expect(winners.avgLoss).toBe(0);
  });

  it('rejects non-finite fields and exits before entries, naming the trade', () => {
    expect(() => tradeListMetrics([trade(1, 1), { ...trade(1, 1), pnl: Number.NaN }])).toThrow(
      /row 1, pnl: is not a finite number/,
    );
    expect(() => tradeListMetrics([{ pnl: 1, returnPct: 0.01, entryTime: 10, exitTime: 5 }])).toThrow(
      /row 0, exitTime: is before entryTime/,
    );
  });

  it('property: expectancy = P(win)·avgWin + P(loss)·avgLoss', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 50 }), (pnls) => {
        const m = tradeListMetrics(pnls.map((p) => trade(p, 1)));
        const wins = pnls.filter((p) => p > 0).length;
        const losses = pnls.filter((p) => p < 0).length;
        expectClose(m.expectancy, (wins * m.avgWin + losses * m.avgLoss) / pnls.length, { rel: 1e-12, abs: 1e-12 });
      }),
    );
  });
});

describe('tradingMetrics', () => {
  it('uses positions for exposure when given, else non-zero returns', () => {
    const returns = [0.01, 0, -0.02, 0.03];
    expect(tradingMetrics(returns).exposure).toBe(0.75);
    expect(tradingMetrics(returns, { positions: [1, 1, 1, 1] }).exposure).toBe(1);
    expect(() => tradingMetrics(returns, { positions: [1] })).toThrow(/positions: has 1 values but returns has 4/);
    expect(() => tradingMetrics([0.01])).toThrow(/needs at least 2/);
  });
});
