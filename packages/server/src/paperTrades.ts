import { type PositionTrade, positionTrades, vectorizedBacktest } from '@candlelab/backtest';
import { type Bars, barsLength } from '@candlelab/core';
import type { LogRecord } from './PredictionLog.js';

export interface PaperResult {
  /** Bars simulated. */
  bars: number;
  /** Round trips at next-bar opens, after fees and slippage. */
  trades: PositionTrade[];
  /** Equity at the last bar (starting from 1). */
  finalEquity: number;
  /** Fills (target changes that traded). */
  orders: number;
}

/** The target position a log row asks for: a prediction's position, an aggregate's signed executed size, an alert's direction. */
export function targetOf(row: LogRecord): number {
  if (row.kind === 'prediction') return row.size ?? 0;
  const sign = row.action === 'buy' ? 1 : row.action === 'sell' ? -1 : 0;
  return sign * (row.kind === 'aggregate' ? (row.size ?? 0) : 1);
}

/**
 * Paper fills of a source's logged signals, by the backtest's own fill rules: each bar's target
 * (held until the next row) trades at the next bar's open with fees and slippage
 * (`vectorizedBacktest`, `fill: 'nextOpen'`), and `positionTrades` lists the round trips. So the
 * live record is scored exactly as the walk-forward backtest scored the model.
 */
export function paperTrades(
  bars: Bars,
  rows: readonly LogRecord[],
  costs: { feesBps: number; slippageBps: number },
): PaperResult {
  const n = barsLength(bars);
  const targets = new Float64Array(n);
  let r = 0;
  let current = 0;
  for (let i = 0; i < n; i++) {
    while (r < rows.length && rows[r]!.barTime <= bars.time[i]!) current = targetOf(rows[r++]!);
    targets[i] = current;
  }
  if (n === 0) return { bars: 0, trades: [], finalEquity: 1, orders: 0 };
  const run = vectorizedBacktest(bars, targets, { fill: 'nextOpen', ...costs });
  return {
    bars: n,
    trades: positionTrades(bars, targets, costs.feesBps + costs.slippageBps),
    finalEquity: run.equity[n - 1]!,
    orders: run.orders,
  };
}
