import type { Bars } from '@candlelab/core';
import type { PositionSide } from './eventBacktest.js';

/** One round trip of a target-position series, filled at next-bar opens. */
export interface PositionTrade {
  side: PositionSide;
  /** Bar index of the entry fill (the open after the decision bar). */
  entryIndex: number;
  exitIndex: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  /** Return after fees and slippage on both fills. */
  returnPct: number;
  /** Profit per unit of starting notional (= returnPct for unit positions). */
  pnl: number;
  holdBars: number;
}

/**
 * The round trips implied by a target-position series (-1, 0, 1) when a decision at bar t's
 * close fills at bar t+1's open, as the vectorized backtest does. An open position at the end
 * is closed at the last bar's close. This is the trade list of a `vectorizedBacktest` run over the
 * same targets (unit positions; costs charged on both fills).
 */
export function positionTrades(bars: Bars, targets: ArrayLike<number>, costBps: number): PositionTrade[] {
  const n = targets.length;
  const cost = costBps / 10_000;
  const trades: PositionTrade[] = [];
  let side = 0;
  let entry = -1;
  const close = (exitIndex: number, exitPrice: number) => {
    const entryPrice = bars.open[entry]!;
    const gross = side > 0 ? exitPrice / entryPrice - 1 : entryPrice / exitPrice - 1;
    const returnPct = gross - 2 * cost;
    trades.push({
      side: side > 0 ? 'long' : 'short',
      entryIndex: entry,
      exitIndex,
      entryTime: bars.time[entry]!,
      exitTime: bars.time[exitIndex]!,
      entryPrice,
      exitPrice,
      returnPct,
      pnl: returnPct,
      holdBars: exitIndex - entry,
    });
  };
  for (let t = 0; t < n - 1; t++) {
    const target = Math.sign(targets[t]! || 0);
    if (target === side) continue;
    if (side !== 0) close(t + 1, bars.open[t + 1]!);
    side = target;
    entry = t + 1;
  }
  if (side !== 0 && entry < n) close(n - 1, bars.close[n - 1]!);
  return trades;
}
