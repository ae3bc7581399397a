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
 * row-major), written class-major into `grad`/`hess` (`grad[c * n + r]`) and multiplied by the
 * sample weights. Multiclass uses LightGBM's hessian `k/(k-1) · p(1-p)`.
 */
export function computeGradients(
  objective: Objective,
  raw: Float64Array,
  y: Float64Array,
  weights: Float64Array | undefined,
  n: number,
  k: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  if (objective === 'regression') {
    for (let r = 0; r < n; r++) {
      const w = weights ? weights[r]! : 1;
      grad[r] = (raw[r]! - y[r]!) * w;
      hess[r] = w;
    }
  } else if (objective === 'binary') {
    for (let r = 0; r < n; r++) {
      const w = weights ? weights[r]! : 1;
      const p = sigmoid(raw[r]!);
      grad[r] = (p - y[r]!) * w;
      hess[r] = Math.max(p * (1 - p), MIN_HESSIAN) * w;
    }
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
        grad[c * n + r] = (pc - (c === label ? 1 : 0)) * w;
        hess[c * n + r] = Math.max(factor * pc * (1 - pc), MIN_HESSIAN) * w;
      }
    }
  }
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

/** Weighted mean training loss: squared error, binary log-loss or multiclass log-loss. */
export function trainingLoss(
  objective: Objective,
  raw: Float64Array,
  y: Float64Array,
  weights: Float64Array | undefined,
  n: number,
  k: number,
): number {
  let sum = 0;
  let total = 0;
  const p = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const w = weights ? weights[r]! : 1;
    total += w;
    let loss: number;
    if (objective === 'regression') {
      const e = raw[r]! - y[r]!;
      loss = e * e;
    } else if (objective === 'binary') {
      const prob = clip(sigmoid(raw[r]!));
      loss = y[r] === 1 ? -Math.log(prob) : -Math.log(1 - prob);
    } else {
      p.set(raw.subarray(r * k, r * k + k));
      softmaxInPlace(p, 0, k);
      loss = -Math.log(clip(p[y[r]!]!));
    }
    sum += w * loss;
  }
  return total > 0 ? sum / total : 0;
}

export function clip(p: number): number {
  return Math.min(Math.max(p, PROBABILITY_CLIP), 1 - PROBABILITY_CLIP);
}
