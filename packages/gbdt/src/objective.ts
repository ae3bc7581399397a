import type { Objective } from './params.js';

/** Smallest hessian used, so that leaves of confident rows keep a finite output. */
const MIN_HESSIAN = 1e-16;
const PROBABILITY_CLIP = 1e-15;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** In-place softmax of `values[offset .. offset + k)`. */
export function softmaxInPlace(values: Float64Array, offset: number, k: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) max = Math.max(max, values[offset + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const e = Math.exp(values[offset + c]! - max);
    values[offset + c] = e;
    sum += e;
  }
  for (let c = 0; c < k; c++) values[offset + c]! /= sum;
}

/**
 * First and second derivatives of the loss at the current raw scores (`raw` is `n × k`
 * row-major), multiplied by the sample weights and written as interleaved float32 pairs (as
 * XGBoost stores gradients; histograms sum them in float64), class-major: gradient at
 * `gh[c · 2n + 2r]`, hessian right after it. Compact pairs keep the tree grower's gather by
 * row cheap (one cache line and few pages). Multiclass uses LightGBM's hessian
 * `k/(k-1) · p(1-p)`. Returns the weighted mean training loss at these scores (squared error,
 * binary or multiclass log-loss), computed in the same pass from the same probabilities.
 */
export function computeGradients(
  objective: Objective,
  raw: Float64Array,
  y: Float64Array,
  weights: Float64Array | undefined,
  n: number,
  k: number,
  gh: Float32Array,
): number {
  let lossSum = 0;
  let weightSum = 0;
  if (objective === 'regression') {
    for (let r = 0; r < n; r++) {
      const w = weights ? weights[r]! : 1;
      const e = raw[r]! - y[r]!;
      gh[2 * r] = e * w;
      gh[2 * r + 1] = w;
      lossSum += w * e * e;
      weightSum += w;
    }
  } else if (objective === 'binary') {
    // Unweighted, Σ -log(q) = -log(Π q): a product of 16 clipped probabilities (each >= 1e-15, so
    // the product stays above 1e-240) costs one logarithm per 16 rows instead of one per row.
    let product = 1;
    for (let r = 0; r < n; r++) {
      const w = weights ? weights[r]! : 1;
      const p = sigmoid(raw[r]!);
      const label = y[r]!;
      gh[2 * r] = (p - label) * w;
      gh[2 * r + 1] = Math.max(p * (1 - p), MIN_HESSIAN) * w;
      const q = clip(label === 1 ? p : 1 - p);
      if (weights) lossSum -= w * Math.log(q);
      else {
        product *= q;
        if ((r & 15) === 15) {
          lossSum -= Math.log(product);
          product = 1;
        }
      }
      weightSum += w;
    }
    lossSum -= Math.log(product);
  } else {
    const factor = k / (k - 1);
    const p = new Float64Array(k);
    for (let r = 0; r < n; r++) {
      const w = weights ? weights[r]! : 1;
      p.set(raw.subarray(r * k, r * k + k));
      softmaxInPlace(p, 0, k);
      const label = y[r]!;
      for (let c = 0; c < k; c++) {
        const pc = p[c]!;
        const at = 2 * (c * n + r);
        gh[at] = (pc - (c === label ? 1 : 0)) * w;
        gh[at + 1] = Math.max(factor * pc * (1 - pc), MIN_HESSIAN) * w;
      }
      lossSum -= w * Math.log(clip(p[label]!));
      weightSum += w;
    }
  }
  return weightSum > 0 ? lossSum / weightSum : 0;
}

/**
 * The initial raw score per output from the (weighted) labels: the mean (regression), the
 * log-odds of the positive rate (binary) or the log class priors (multiclass).
 */
export function baseScores(
  objective: Objective,
  y: Float64Array,
  weights: Float64Array | undefined,
  k: number,
): Float64Array {
  const n = y.length;
  const sums = new Float64Array(objective === 'multiclass' ? k : 1);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const w = weights ? weights[r]! : 1;
    total += w;
    if (objective === 'multiclass') sums[y[r]!]! += w;
    else sums[0]! += w * y[r]!;
  }
  const out = new Float64Array(k);
  if (total <= 0) return out;
  if (objective === 'regression') out[0] = sums[0]! / total;
  else if (objective === 'binary') {
    const p = clip(sums[0]! / total);
    out[0] = Math.log(p / (1 - p));
  } else for (let c = 0; c < k; c++) out[c] = Math.log(clip(sums[c]! / total));
  return out;
}

export function clip(p: number): number {
  return Math.min(Math.max(p, PROBABILITY_CLIP), 1 - PROBABILITY_CLIP);
}
