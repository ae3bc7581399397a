import { InvalidParameterError } from '@candlelab/core';
import { checkFiniteOption, checkReturns } from './checkSeries.js';
import { centralSums, mean, ratioOrInfinity } from './moments.js';
import { normalCdf, normalQuantile } from './normalCdf.js';

/** The Euler–Mascheroni constant γ. */
const EULER_GAMMA = 0.5772156649015329;

/**
 * Probabilistic Sharpe ratio (Bailey & López de Prado 2012): the probability that the true
 * per-bar Sharpe ratio exceeds `benchmarkSharpe` (per bar, NOT annualized; default 0), given the
 * track record's length, skewness and kurtosis:
 * `PSR = Φ((SR - SR*) √(n - 1) / √(1 - γ₃ SR + (γ₄ - 1)/4 · SR²))`
 * with `SR = mean / std` (ddof = 1) per bar, `γ₃` the skewness and `γ₄` the (non-excess) kurtosis,
 * both from population moments (as `scipy.stats.skew` / `kurtosis(fisher=False)`). Needs at least
 * 2 returns. When the returns are constant (or the variance term vanishes) the result is 1 if
 * SR > SR*, 0 if SR < SR*, and 0.5 if equal.
 */
export function probabilisticSharpeRatio(returns: ArrayLike<number>, benchmarkSharpe = 0): number {
  checkReturns('probabilisticSharpeRatio', returns, 2);
  return psr(returns, benchmarkSharpe);
}

function psr(returns: ArrayLike<number>, benchmarkSharpe: number): number {
  checkFiniteOption('benchmarkSharpe', benchmarkSharpe);
  const n = returns.length;
  const m = mean(returns);
  const { s2, s3, s4 } = centralSums(returns, m);
  const sr = ratioOrInfinity(m, Math.sqrt(s2 / (n - 1)));
  const m2 = s2 / n;
  const skewness = s2 === 0 ? 0 : s3 / n / m2 ** 1.5;
  const kurtosis = s2 === 0 ? 0 : s4 / n / (m2 * m2);
  const variance = 1 - skewness * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!Number.isFinite(sr) || !(variance > 0) || s2 === 0) {
    return sr > benchmarkSharpe ? 1 : sr < benchmarkSharpe ? 0 : 0.5;
  }
  return normalCdf(((sr - benchmarkSharpe) * Math.sqrt(n - 1)) / Math.sqrt(variance));
}

/**
 * Expected maximum Sharpe ratio among `numTrials` independent trials whose Sharpe estimates have
 * variance `sharpeVariance` and true value 0 (Bailey & López de Prado 2014, via the
 * Euler–Mascheroni approximation of the expected maximum of Gaussians):
 * `√V · ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e)))`. A single trial gives 0 (nothing to deflate).
 */
export function expectedMaxSharpe(numTrials: number, sharpeVariance: number): number {
  if (!Number.isInteger(numTrials) || numTrials < 1) {
    throw new InvalidParameterError('numTrials', numTrials, 'must be an integer >= 1');
  }
  if (!Number.isFinite(sharpeVariance) || sharpeVariance < 0) {
    throw new InvalidParameterError('sharpeVariance', sharpeVariance, 'must be a finite number >= 0');
  }
  if (numTrials === 1) return 0;
  return (
    Math.sqrt(sharpeVariance) *
    ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / numTrials) + EULER_GAMMA * normalQuantile(1 - 1 / (numTrials * Math.E)))
  );
}

/** Options of {@link deflatedSharpeRatio}. */
export interface DeflatedSharpeOptions {
  /** Number of independent strategy configurations tried (N >= 1). Required. */
  numTrials: number;
  /** Variance of the per-bar (non-annualized) Sharpe ratios across those trials. Required. */
  sharpeVariance: number;
}

/**
 * Deflated Sharpe ratio (Bailey & López de Prado 2014): the {@link probabilisticSharpeRatio} of
 * `returns` against the Sharpe ratio expected from the best of `numTrials` skill-less trials
 * ({@link expectedMaxSharpe}), correcting for selection bias under multiple testing.
 */
export function deflatedSharpeRatio(returns: ArrayLike<number>, options: DeflatedSharpeOptions): number {
  checkReturns('deflatedSharpeRatio', returns, 2);
  return psr(returns, expectedMaxSharpe(options.numTrials, options.sharpeVariance));
}
