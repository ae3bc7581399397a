import { InvalidParameterError } from '@candlelab/core';
import { annualizedReturn } from './annualizedReturn.js';
import { checkFiniteOption, checkReturns } from './checkSeries.js';
import { equityFromReturns } from './equityFromReturns.js';
import { maxDrawdown } from './maxDrawdown.js';
import { mean, ratioOrInfinity, sampleStd } from './moments.js';
import { type AnnualizationOptions, periodsPerYear } from './periodsPerYear.js';

/** Options of {@link sharpeRatio}. */
export interface SharpeOptions extends AnnualizationOptions {
  /** Annual risk-free rate, de-annualized geometrically to `(1 + rf)^(1 / periodsPerYear) - 1` per bar. Default 0. */
  riskFreeRate?: number;
}

/** Options of {@link sortinoRatio}. */
export interface SortinoOptions extends AnnualizationOptions {
  /** Minimum acceptable return per bar (not annualized). Default 0. */
  target?: number;
}

/**
 * Annualized volatility: sample standard deviation (ddof = 1) of per-bar returns times
 * `√periodsPerYear`. Needs at least 2 returns; exactly 0 when all returns are equal.
 */
export function volatility(returns: ArrayLike<number>, options: AnnualizationOptions = {}): number {
  checkReturns('volatility', returns, 2);
  return sampleStd(returns) * Math.sqrt(periodsPerYear(options));
}

/** Per-bar risk-free rate from an annual one. */
function perBarRiskFree(riskFreeRate: number, perYear: number): number {
  checkFiniteOption('riskFreeRate', riskFreeRate);
  if (riskFreeRate <= -1) throw new InvalidParameterError('riskFreeRate', riskFreeRate, 'must be > -1');
  return (1 + riskFreeRate) ** (1 / perYear) - 1;
}

/**
 * Annualized Sharpe ratio: `mean(r - rf) / std(r - rf) · √periodsPerYear` with the sample
 * standard deviation (ddof = 1). Needs at least 2 returns. When all returns are equal the
 * standard deviation is 0 and the ratio is 0 if the mean excess return is 0, else ±Infinity.
 */
export function sharpeRatio(returns: ArrayLike<number>, options: SharpeOptions = {}): number {
  checkReturns('sharpeRatio', returns, 2);
  const perYear = periodsPerYear(options);
  const rf = perBarRiskFree(options.riskFreeRate ?? 0, perYear);
  const m = mean(returns);
  return ratioOrInfinity(m - rf, sampleStd(returns, m)) * Math.sqrt(perYear);
}

/**
 * Annualized Sortino ratio (Sortino & Price 1994, as in empyrical): `mean(r - T) / DD · √periodsPerYear`
 * with target `T` per bar and downside deviation `DD = √(Σ min(r - T, 0)² / n)` taken over ALL `n`
 * returns (returns above target count as 0). When no return is below target (DD = 0) the ratio is
 * +Infinity if the mean excess is positive, else 0.
 */
export function sortinoRatio(returns: ArrayLike<number>, options: SortinoOptions = {}): number {
  checkReturns('sortinoRatio', returns);
  const target = options.target ?? 0;
  checkFiniteOption('target', target);
  const perYear = periodsPerYear(options);
  const n = returns.length;
  let downside = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - target;
    if (d < 0) downside += d * d;
  }
  return ratioOrInfinity(mean(returns) - target, Math.sqrt(downside / n)) * Math.sqrt(perYear);
}

/**
 * Calmar ratio: {@link annualizedReturn} divided by the {@link maxDrawdown} of the compounded
 * equity (starting at 1 before the first return). Without drawdown: 0 when the annualized return
 * is 0, else +Infinity.
 */
export function calmarRatio(returns: ArrayLike<number>, options: AnnualizationOptions = {}): number {
  checkReturns('calmarRatio', returns);
  return ratioOrInfinity(annualizedReturn(returns, options), maxDrawdown(equityFromReturns(returns)).maxDrawdown);
}
