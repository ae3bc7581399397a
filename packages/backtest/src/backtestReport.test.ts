import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { backtestReport } from './backtestReport.js';
import { runEventBacktest } from './eventBacktest.js';
import { maCrossoverStrategy } from './maCrossoverStrategy.js';
import { maCrossoverGrid, vectorizedBacktest } from './vectorized.js';

describe('backtestReport and engine agreement', () => {
  const bars = btcHourly({ last: 3000 });

  it('event-driven MA crossover equals the vectorized MA crossover (same fills, same equity)', () => {
    const event = runEventBacktest(bars, maCrossoverStrategy({ fast: 12, slow: 48 }), {
      initialCash: 1,
      feesBps: 7,
      slippageBps: 3,
    });
    const grid = maCrossoverGrid(bars, { fast: [12], slow: [48], feesBps: 7, slippageBps: 3, keepEquity: true });
    const e = grid.equity!;
    for (let i = 0; i < bars.close.length; i++) expect(event.equity[i]).toBeCloseTo(e[i]!, 10);
    expect(event.fills.length).toBe(grid.orders[0]);
  });

  it('reports net profit, trade statistics and metrics-based ratios', () => {
    const r = runEventBacktest(
      bars,
      maCrossoverStrategy({ fast: 12, slow: 48, allowShort: true, brackets: { stopLoss: 0.03 } }),
      { feesBps: 10 },
    );
    const report = backtestReport(r, { timeframe: '1h' });
    expect(report.netProfit).toBeCloseTo(r.equity.at(-1)! - 10_000, 8);
    expect(report.numberOfTrades).toBe(r.trades.length);
    expect(report.basis).toBe('trades');
    const wins = r.trades.filter((t) => t.pnl > 0).length;
    const decided = r.trades.filter((t) => t.pnl !== 0).length;
    expect(report.winRate).toBeCloseTo(wins / decided, 12);
    expect(report.avgHoldBars).toBeCloseTo(r.trades.reduce((s, t) => s + t.holdBars, 0) / r.trades.length, 12);
    // independent Sharpe: mean / sample std × √(24 × 365)
    const x = Array.from(r.returns);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (x.length - 1));
    expect(report.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(8760), 8);
    let peak = -Infinity;
    let dd = 0;
    for (const v of r.equity) {
      peak = Math.max(peak, v);
      dd = Math.max(dd, 1 - v / peak);
    }
    expect(report.maxDrawdown).toBeCloseTo(dd, 10);
    expect(report.exposure).toBeGreaterThan(0.5);
  });

  it('falls back to per-bar statistics for a vectorized result', () => {
    const positions = new Float64Array(bars.close.length).map((_, i) => (i % 48 < 24 ? 1 : 0));
    const report = backtestReport(vectorizedBacktest(bars, positions, { feesBps: 5 }), { timeframe: '1h' });
    expect(report.basis).toBe('bars');
    expect(report.numberOfTrades).toBe(0);
    expect(report.exposure).toBeCloseTo(0.5, 2);
  });
});
