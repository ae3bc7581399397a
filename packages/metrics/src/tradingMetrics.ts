import { annualizedReturn, cagr, totalReturn } from './annualizedReturn.js';
import { checkReturns, checkSameLength } from './checkSeries.js';
import { equityFromReturns } from './equityFromReturns.js';
import { maxDrawdown } from './maxDrawdown.js';
import { ratioOrInfinity } from './moments.js';
import { probabilisticSharpeRatio } from './probabilisticSharpeRatio.js';
import { expectancy, exposure, profitFactor, winRate } from './profitFactor.js';
import { type SharpeOptions, type SortinoOptions, sharpeRatio, sortinoRatio, volatility } from './sharpeRatio.js';

/** Options of {@link tradingMetrics}: annualization, risk-free rate, Sortino target and positions. */
export interface TradingMetricsOptions extends SharpeOptions, SortinoOptions {
  /** Position held during each bar (same length as `returns`) for `exposure`. Default: use the returns. */
  positions?: ArrayLike<number>;
}

/** Every trading metric of one per-bar returns series (see each function for its definition). */
export interface TradingMetrics {
  /** Bars in the series. */
  bars: number;
  totalReturn: number;
  annualizedReturn: number;
  /** CAGR of the equity compounded from 1 (equal to `annualizedReturn`). */
  cagr: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  /** Positive fraction of the peak. */
  maxDrawdown: number;
  /** Bars from the maximum drawdown's peak to its recovery (or to the end). */
  maxDrawdownDuration: number;
  /** Longest underwater spell in bars. */
  longestDrawdownDuration: number;
  calmar: number;
  /** Per-bar win rate (flat bars excluded). */
  winRate: number;
  /** Per-bar profit factor. */
  profitFactor: number;
  /** Mean per-bar return. */
  expectancy: number;
  /** Fraction of bars in the market: from `positions`, else the fraction of bars with a non-zero return. */
  exposure: number;
  /** PSR against a per-bar Sharpe of 0. */
  probabilisticSharpe: number;
}

/**
 * All trading metrics of per-bar simple returns in one record, with one annualization
 * ({@link AnnualizationOptions}; default 252 periods per year). Needs at least 2 returns.
 * Equity is compounded from 1 before the first return.
 */
export function tradingMetrics(returns: ArrayLike<number>, options: TradingMetricsOptions = {}): TradingMetrics {
  checkReturns('tradingMetrics', returns, 2);
  const { positions, ...rest } = options;
  if (positions !== undefined) checkSameLength('tradingMetrics', 'returns', returns, 'positions', positions);
  const equity = equityFromReturns(returns);
  const drawdown = maxDrawdown(equity);
  const annual = annualizedReturn(returns, rest);
  return {
    bars: returns.length,
    totalReturn: totalReturn(returns),
    annualizedReturn: annual,
    cagr: cagr(equity, rest),
    volatility: volatility(returns, rest),
    sharpe: sharpeRatio(returns, rest),
    sortino: sortinoRatio(returns, rest),
    maxDrawdown: drawdown.maxDrawdown,
    maxDrawdownDuration: drawdown.durationBars,
    longestDrawdownDuration: drawdown.longestDurationBars,
    calmar: ratioOrInfinity(annual, drawdown.maxDrawdown),
    winRate: winRate(returns),
    profitFactor: profitFactor(returns),
    expectancy: expectancy(returns),
    exposure: exposure(positions ?? returns),
    probabilisticSharpe: probabilisticSharpeRatio(returns),
  };
}
