import type { Rng } from '@candlelab/core';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Softmax of `logits[offset … offset+n)` into `out`; returns log Σ exp (the log-normaliser). */
export function softmaxRow(logits: ArrayLike<number>, offset: number, n: number, out: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < n; j++) max = Math.max(max, logits[offset + j]!);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    out[j] = Math.exp(logits[offset + j]! - max);
    sum += out[j]!;
  }
  for (let j = 0; j < n; j++) out[j] = out[j]! / sum;
  return max + Math.log(sum);
}

/** Draws from the categorical distribution of `probabilities` (inverse CDF); `deterministic` takes the mode. */
export function sampleCategorical(probabilities: Float64Array, n: number, rng: Rng, deterministic: boolean): number {
  if (deterministic) {
    let best = 0;
    for (let j = 1; j < n; j++) if (probabilities[j]! > probabilities[best]!) best = j;
    return best;
  }
  const u = rng.float();
  let cumulative = 0;
  for (let j = 0; j < n - 1; j++) {
    cumulative += probabilities[j]!;
    if (u < cumulative) return j;
  }
  return n - 1;
}

/**
 * Draws `a = μ + σ·ε` from a diagonal Gaussian (means at `means[offset…]`, log-stds `logStd`) into
 * `out`, returning log π(a). `deterministic` returns the mean (and its log-density).
 */
export function sampleGaussian(
  means: ArrayLike<number>,
  offset: number,
  logStd: ArrayLike<number>,
  rng: Rng,
  deterministic: boolean,
  out: Float64Array,
): number {
  let logProb = 0;
  for (let j = 0; j < logStd.length; j++) {
    const eps = deterministic ? 0 : rng.normal();
    out[j] = means[offset + j]! + Math.exp(logStd[j]!) * eps;
    logProb += -0.5 * eps * eps - logStd[j]! - HALF_LOG_2PI;
  }
  return logProb;
}
