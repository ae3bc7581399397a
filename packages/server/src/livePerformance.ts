import { maxDrawdown, sharpeRatio } from '@candlelab/metrics';
import { meanBelow, type OneSidedTest, wilsonInterval, winRateBelow } from './performanceTests.js';

/**
 * Round-trip returns of a model's out-of-sample backtest, from the `oos_predictions.csv` stored
 * with it (`time_ms`, `symbol`, `close`, `position` per scored bar): a trade opens when the
 * position turns non-zero and closes when it changes, at bar closes, net of `costBps` per side.
 * (The live paper fills are at next-bar opens; on 24/7 crypto bars a bar's close is the next
 * bar's open up to a tick.) Only rows of `symbol` are used, so a universe model is compared per
 * symbol.
 */
export function backtestTradeReturns(csv: string, symbol: string, costBps: number): number[] {
  const lines = csv.trim().split('\n');
  const header = lines[0]?.split(',') ?? [];
  const col = (name: string) => header.indexOf(name);
  const [iSymbol, iClose, iPosition] = [col('symbol'), col('close'), col('position')];
  if (iSymbol < 0 || iClose < 0 || iPosition < 0) return [];
  const cost = costBps / 10_000;
  const trades: number[] = [];
  let side = 0;
  let entry = 0;
  let last = Number.NaN;
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',');
    if (cells[iSymbol] !== symbol) continue;
    const close = Number(cells[iClose]);
    const position = Math.sign(Number(cells[iPosition]) || 0);
    last = close;
    if (position === side) continue;
    if (side !== 0) trades.push((side > 0 ? close / entry - 1 : entry / close - 1) - 2 * cost);
    side = position;
    entry = close;
  }
  if (side !== 0 && Number.isFinite(last)) trades.push((side > 0 ? last / entry - 1 : entry / last - 1) - 2 * cost);
  return trades;
}

export interface PerformanceOptions {
  /** One-sided significance level. */
  alpha: number;
  /** Live trades needed before testing. */
  minTrades: number;
  /** Trades in the rolling Sharpe and drawdown. */
  rollingTrades: number;
}

/** Live paper trades of one model against its out-of-sample backtest. */
export interface PerformanceReport {
  liveTrades: number;
  backtestTrades: number;
  liveWinRate: number | null;
  backtestWinRate: number | null;
  /** One-sided Wilson bounds of the live win rate at `alpha`. */
  liveWinRateInterval: { lower: number; upper: number } | null;
  /** Exact binomial test: live wins ≤ observed under the backtest's win rate. */
  winRate: OneSidedTest | null;
  /** Welch t-test: mean live trade return below the backtest's. */
  meanReturn: (OneSidedTest & { df: number }) | null;
  liveMeanReturn: number | null;
  backtestMeanReturn: number | null;
  /** Per-trade Sharpe (mean / sd, not annualized) of the last `rollingTrades` live and backtest trades. */
  rollingSharpe: { live: number | null; backtest: number | null };
  /** Largest drawdown of compounded trade returns over the last `rollingTrades` trades (fraction). */
  rollingMaxDrawdown: { live: number | null; backtest: number | null };
  /** True when either test rejects "live performs like the backtest" at `alpha` (after `minTrades`). */
  significant: boolean;
}

const mean = (values: readonly number[]) => values.reduce((s, x) => s + x, 0) / values.length;

function rolling(trades: readonly number[], window: number): { sharpe: number | null; drawdown: number | null } {
  const recent = trades.slice(-window);
  if (recent.length < 2) return { sharpe: null, drawdown: null };
  const sharpe = sharpeRatio(recent, { periodsPerYear: 1 });
  const equity = [1];
  for (const r of recent) equity.push(equity[equity.length - 1]! * (1 + r));
  return { sharpe: Number.isFinite(sharpe) ? sharpe : null, drawdown: maxDrawdown(equity).maxDrawdown };
}

/**
 * Is the live record significantly worse than the backtest? Two one-sided tests at `alpha`
 * (not a fixed cut): the exact binomial test of the live win rate against the backtest's, and
 * Welch's t-test of mean per-trade return; plus rolling Sharpe and drawdown for the dashboard.
 * Nothing is tested before `minTrades` live trades or without backtest trades.
 */
export function compareLivePerformance(
  live: readonly number[],
  backtest: readonly number[],
  options: PerformanceOptions,
): PerformanceReport {
  const wins = (trades: readonly number[]) => trades.filter((r) => r > 0).length;
  const liveWinRate = live.length > 0 ? wins(live) / live.length : null;
  const backtestWinRate = backtest.length > 0 ? wins(backtest) / backtest.length : null;
  const testable = live.length >= options.minTrades && backtest.length >= 2;
  const winRate =
    testable && backtestWinRate !== null ? winRateBelow(wins(live), live.length, backtestWinRate, options.alpha) : null;
  const meanReturn = testable ? meanBelow(live, backtest, options.alpha) : null;
  const liveRolling = rolling(live, options.rollingTrades);
  const backtestRolling = rolling(backtest, options.rollingTrades);
  return {
    liveTrades: live.length,
    backtestTrades: backtest.length,
    liveWinRate,
    backtestWinRate,
    liveWinRateInterval: live.length > 0 ? wilsonInterval(wins(live), live.length, options.alpha) : null,
    winRate,
    meanReturn,
    liveMeanReturn: live.length > 0 ? mean(live) : null,
    backtestMeanReturn: backtest.length > 0 ? mean(backtest) : null,
    rollingSharpe: { live: liveRolling.sharpe, backtest: backtestRolling.sharpe },
    rollingMaxDrawdown: { live: liveRolling.drawdown, backtest: backtestRolling.drawdown },
    significant: (winRate?.significant ?? false) || (meanReturn?.significant ?? false),
  };
}
