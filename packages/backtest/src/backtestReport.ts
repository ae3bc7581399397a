import { NotEnoughDataError } from '@candlelab/core';
import {
  type TradeListMetrics,
  type TradeRecord,
  type TradingMetrics,
  type TradingMetricsOptions,
  tradeListMetrics,
  tradingMetrics,
} from '@candlelab/metrics';

/** A closed trade as the report reads it (an event-driven `Trade` satisfies it). */
export interface ReportTrade extends TradeRecord {
  holdBars?: number;
}

/** What a report is built from: either backtester's result satisfies it. */
export interface ReportInput {
  initialCash: number;
  equity: Float64Array;
  /** Per-bar simple returns (bar 0 against `initialCash`). */
  returns: Float64Array;
  /** Event-driven: gross exposure per bar (used for `exposure`). */
  exposure?: Float64Array;
  /** Vectorized: units per bar (used for `exposure` when `exposure` is absent). */
  units?: Float64Array | Float64Array[];
  /** Closed trades; without them, win rate / profit factor / expectancy are per bar. */
  trades?: readonly ReportTrade[];
}

/** Options: annualization (`periodsPerYear` / `timeframe` / `calendar`, default 252 per year), `riskFreeRate` (0), Sortino `target` (0). */
export type BacktestReportOptions = Omit<TradingMetricsOptions, 'positions'>;

export interface BacktestReport {
  initialEquity: number;
  finalEquity: number;
  netProfit: number;
  /** Net profit ÷ initial equity. */
  totalReturn: number;
  cagr: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  /** Positive fraction of the peak. */
  maxDrawdown: number;
  /** Bars from the maximum drawdown's peak to recovery (or to the end). */
  maxDrawdownDuration: number;
  longestDrawdownDuration: number;
  /** Fraction of bars with a position. */
  exposure: number;
  /** Whether win rate, profit factor and expectancy are per trade or per bar (no trade list given). */
  basis: 'trades' | 'bars';
  winRate: number;
  profitFactor: number;
  /** Mean P&L per trade (basis `trades`) or mean return per bar (basis `bars`). */
  expectancy: number;
  numberOfTrades: number;
  /** Mean bars held per trade (NaN without trades or hold counts). */
  avgHoldBars: number;
  /** Every per-bar metric from `@candlelab/metrics`. */
  metrics: TradingMetrics;
  /** Trade-list metrics from `@candlelab/metrics` (absent without a trade list). */
  tradeMetrics?: TradeListMetrics;
  /** The trade list as given. */
  tradeList: readonly ReportTrade[];
}

/**
 * The standard report of a backtest, computed through `@candlelab/metrics`: net profit, CAGR,
 * Sharpe, Sortino, Calmar, max drawdown and its duration, win rate, profit factor, expectancy,
 * exposure, number of trades, average hold and the trade list. Needs at least 2 bars.
 */
export function backtestReport(input: ReportInput, options: BacktestReportOptions = {}): BacktestReport {
  const n = input.equity.length;
  if (n < 2) throw new NotEnoughDataError('backtestReport: bars', 2, n);
  const positions = input.exposure ?? (input.units instanceof Float64Array ? input.units : undefined);
  const metrics = tradingMetrics(input.returns, positions === undefined ? options : { ...options, positions });
  const trades = input.trades;
  const tradeMetrics = trades === undefined ? undefined : tradeListMetrics(trades);
  let holdSum = 0;
  let holdCount = 0;
  for (const t of trades ?? []) {
    if (t.holdBars !== undefined) {
      holdSum += t.holdBars;
      holdCount++;
    }
  }
  const initialEquity = input.initialCash;
  const finalEquity = input.equity[n - 1]!;
  const report: BacktestReport = {
    initialEquity,
    finalEquity,
    netProfit: finalEquity - initialEquity,
    totalReturn: finalEquity / initialEquity - 1,
    cagr: metrics.cagr,
    volatility: metrics.volatility,
    sharpe: metrics.sharpe,
    sortino: metrics.sortino,
    calmar: metrics.calmar,
    maxDrawdown: metrics.maxDrawdown,
    maxDrawdownDuration: metrics.maxDrawdownDuration,
    longestDrawdownDuration: metrics.longestDrawdownDuration,
    exposure: metrics.exposure,
    basis: tradeMetrics ? 'trades' : 'bars',
    winRate: tradeMetrics ? tradeMetrics.winRate : metrics.winRate,
    profitFactor: tradeMetrics ? tradeMetrics.profitFactor : metrics.profitFactor,
    expectancy: tradeMetrics ? tradeMetrics.expectancy : metrics.expectancy,
    numberOfTrades: trades?.length ?? 0,
    avgHoldBars: holdCount > 0 ? holdSum / holdCount : Number.NaN,
    metrics,
    tradeList: trades ?? [],
  };
  if (tradeMetrics) report.tradeMetrics = tradeMetrics;
  return report;
}
