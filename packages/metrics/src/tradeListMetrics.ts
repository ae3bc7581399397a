import { ValidationError } from '@candlelab/core';
import { ratioOrInfinity } from './moments.js';

/** One closed trade as the metrics need it. Times are UTC epoch milliseconds. */
export interface TradeRecord {
  /** Profit or loss in account currency (after costs). */
  pnl: number;
  /** Return of the trade as a fraction (0.01 = 1 %). */
  returnPct: number;
  entryTime: number;
  exitTime: number;
}

/** Summary of a list of closed trades. */
export interface TradeListMetrics {
  /** Number of trades. */
  trades: number;
  /** `count(pnl > 0) / count(pnl ≠ 0)`; break-even trades excluded; 0 without decided trades. */
  winRate: number;
  /** Gross profit / gross loss; +Infinity without losses (0 when there is no profit either). */
  profitFactor: number;
  /** Mean P&L per trade. */
  expectancy: number;
  /** Mean P&L of winning trades (> 0); 0 without winners. */
  avgWin: number;
  /** Mean P&L of losing trades, a negative number; 0 without losers. */
  avgLoss: number;
  /** `avgWin / |avgLoss|`; +Infinity without losers (0 without winners either). */
  payoffRatio: number;
  /** Mean `returnPct`. */
  avgReturnPct: number;
  /** Mean `exitTime - entryTime` in ms. */
  avgHoldMs: number;
  /** Largest P&L of a winner; 0 without winners. */
  largestWin: number;
  /** Most negative P&L of a loser; 0 without losers. */
  largestLoss: number;
  /** Longest run of consecutive losing trades in list order (a break-even trade ends a run). */
  maxConsecutiveLosses: number;
}

const FIELDS = ['pnl', 'returnPct', 'entryTime', 'exitTime'] as const;

function checkTrades(trades: readonly TradeRecord[]): void {
  for (let i = 0; i < trades.length; i++) {
    const trade = trades[i]!;
    for (const field of FIELDS) {
      const value: unknown = trade[field];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ValidationError('tradeListMetrics', [
          { row: i, field, reason: `is not a finite number (${String(value)})` },
        ]);
      }
    }
    if (trade.exitTime < trade.entryTime) {
      throw new ValidationError('tradeListMetrics', [{ row: i, field: 'exitTime', reason: 'is before entryTime' }]);
    }
  }
}

/**
 * Trade-list metrics (win rate, profit factor, expectancy, payoff, holding time, streaks) of closed
 * trades in chronological order. An empty list is a valid outcome (a strategy that never traded)
 * and gives `trades: 0` with every other field 0.
 */
export function tradeListMetrics(trades: readonly TradeRecord[]): TradeListMetrics {
  checkTrades(trades);
  const n = trades.length;
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let pnlSum = 0;
  let returnSum = 0;
  let holdSum = 0;
  let largestWin = 0;
  let largestLoss = 0;
  let streak = 0;
  let maxStreak = 0;
  for (const trade of trades) {
    const { pnl } = trade;
    pnlSum += pnl;
    returnSum += trade.returnPct;
    holdSum += trade.exitTime - trade.entryTime;
    if (pnl > 0) {
      wins++;
      grossProfit += pnl;
      largestWin = Math.max(largestWin, pnl);
    } else if (pnl < 0) {
      losses++;
      grossLoss -= pnl;
      largestLoss = Math.min(largestLoss, pnl);
    }
    streak = pnl < 0 ? streak + 1 : 0;
    maxStreak = Math.max(maxStreak, streak);
  }
  const avgWin = wins === 0 ? 0 : grossProfit / wins;
  const avgLoss = losses === 0 ? 0 : -grossLoss / losses;
  return {
    trades: n,
    winRate: wins + losses === 0 ? 0 : wins / (wins + losses),
    profitFactor: ratioOrInfinity(grossProfit, grossLoss),
    expectancy: n === 0 ? 0 : pnlSum / n,
    avgWin,
    avgLoss,
    payoffRatio: ratioOrInfinity(avgWin, -avgLoss),
    avgReturnPct: n === 0 ? 0 : returnSum / n,
    avgHoldMs: n === 0 ? 0 : holdSum / n,
    largestWin,
    largestLoss,
    maxConsecutiveLosses: maxStreak,
  };
}
