import { checkEquity, checkReturns } from './checkSeries.js';
import { type AnnualizationOptions, periodsPerYear } from './periodsPerYear.js';

/** Compounded growth factor `Π(1 + r)` of per-bar simple returns (trusted input). */
function growth(returns: ArrayLike<number>): number {
  let g = 1;
  for (let i = 0; i < returns.length; i++) g *= 1 + returns[i]!;
  return g;
}

/** Annualizes a growth factor earned over `periods` bars; a total loss (factor 0) gives -1. */
function annualizeGrowth(factor: number, periods: number, perYear: number): number {
  if (factor === 0) return -1;
  return factor ** (perYear / periods) - 1;
}

/** Total compounded return `Π(1 + r) - 1` of per-bar simple returns. */
export function totalReturn(returns: ArrayLike<number>): number {
  checkReturns('totalReturn', returns);
  return growth(returns) - 1;
}

/**
 * Annualized (geometric) return: `(Π(1 + r))^(periodsPerYear / n) - 1` for `n` per-bar simple
 * returns; -1 after a total loss. Annualization as in {@link AnnualizationOptions} (default 252).
 */
export function annualizedReturn(returns: ArrayLike<number>, options: AnnualizationOptions = {}): number {
  checkReturns('annualizedReturn', returns);
  return annualizeGrowth(growth(returns), returns.length, periodsPerYear(options));
}

/**
 * Compound annual growth rate of an equity curve: `(last / first)^(periodsPerYear / (n - 1)) - 1`,
 * the `n - 1` bar steps being the elapsed time; -1 when the final equity is 0. Needs n >= 2.
 * Equals {@link annualizedReturn} of the curve's returns.
 */
export function cagr(equity: ArrayLike<number>, options: AnnualizationOptions = {}): number {
  checkEquity('cagr', equity, 2);
  const n = equity.length;
  return annualizeGrowth(equity[n - 1]! / equity[0]!, n - 1, periodsPerYear(options));
}
