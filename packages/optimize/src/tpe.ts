import type { Rng } from '@candlelab/core';
import { normalCdf } from '@candlelab/metrics';
import {
  isActive,
  type ParamSpec,
  type Params,
  type ParamValue,
  type SearchSpace,
  sampleParam,
} from './searchSpace.js';

/** A finished observation the sampler learns from; `loss` is lower-is-better (direction applied). */
export interface Observation {
  params: Params;
  loss: number;
  /** Observations that broke a constraint count as bad, whatever their loss. */
  feasible: boolean;
}

export interface TpeOptions {
  /** Random trials before TPE starts modelling. Default 10. */
  nStartupTrials?: number;
  /** Candidates drawn from the good-trial density per parameter; the best l/g ratio wins. Default 24. */
  nEiCandidates?: number;
  /** Size of the good group: `gamma(n)`; default `min(ceil(0.1 n), 25)` as in Optuna. */
  gamma?: (n: number) => number;
  /** Weight of the prior (a wide component over the whole range) in each density. Default 1. */
  priorWeight?: number;
}

const defaultGamma = (n: number) => Math.min(Math.ceil(0.1 * n), 25);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Tree-structured Parzen Estimator (Bergstra et al., 2011), independent per parameter as in
 * hyperopt and Optuna's default: observations are split at the `gamma` quantile of the loss
 * into good and bad; each parameter gets a Parzen density `l(x)` over good values and `g(x)` over
 * bad ones (Gaussian kernels with neighbour-distance bandwidths and a prior, truncated to the
 * range, in log space for `logFloat`; smoothed frequencies for categorical); candidates drawn
 * from `l` are ranked by `l(x)/g(x)`, the expected-improvement criterion of TPE.
 */
export function suggestTpe(
  space: SearchSpace,
  history: readonly Observation[],
  rng: Rng,
  options: TpeOptions = {},
): Params {
  const nStartup = options.nStartupTrials ?? 10;
  const params: Params = {};
  const usable = history.filter((o) => Number.isFinite(o.loss) || !o.feasible);
  if (usable.length < nStartup) {
    for (const [name, spec] of Object.entries(space)) if (isActive(spec, params)) params[name] = sampleParam(spec, rng);
    return params;
  }
  const ranked = [...usable].sort((a, b) => rankKey(a) - rankKey(b));
  const nGood = Math.max(1, (options.gamma ?? defaultGamma)(ranked.length));
  const good = ranked.slice(0, nGood);
  const bad = ranked.slice(nGood);
  const nCandidates = options.nEiCandidates ?? 24;
  const priorWeight = options.priorWeight ?? 1;
  for (const [name, spec] of Object.entries(space)) {
    if (!isActive(spec, params)) continue;
    const goodValues = good.map((o) => o.params[name]).filter((v): v is ParamValue => v !== undefined);
    const badValues = bad.map((o) => o.params[name]).filter((v): v is ParamValue => v !== undefined);
    params[name] =
      spec.type === 'categorical'
        ? suggestCategorical(spec.choices, goodValues, badValues, rng, nCandidates, priorWeight)
        : suggestNumeric(spec, goodValues as number[], badValues as number[], rng, nCandidates, priorWeight);
  }
  return params;
}

/** Infeasible observations rank after every feasible one. */
function rankKey(o: Observation): number {
  return o.feasible ? o.loss : Number.POSITIVE_INFINITY;
}

interface Parzen {
  mus: Float64Array;
  sigmas: Float64Array;
  weights: Float64Array;
  low: number;
  high: number;
  /** log of each component's mass inside [low, high] (truncation). */
  logMass: Float64Array;
}

function toInternal(spec: Exclude<ParamSpec, { type: 'categorical' }>, value: number): number {
  return spec.type === 'logFloat' ? Math.log(value) : value;
}

function bounds(spec: Exclude<ParamSpec, { type: 'categorical' }>): [number, number] {
  if (spec.type === 'logFloat') return [Math.log(spec.low), Math.log(spec.high)];
  // Integers are modelled continuously over the cells that round to them.
  if (spec.type === 'int') return [spec.low - 0.5 * spec.step, spec.high + 0.5 * spec.step];
  return [spec.low, spec.high];
}

function buildParzen(values: readonly number[], low: number, high: number, priorWeight: number): Parzen {
  const range = high - low;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mus = new Float64Array(n + 1);
  const sigmas = new Float64Array(n + 1);
  const weights = new Float64Array(n + 1);
  const minSigma = range / Math.min(100, 1 + n);
  for (let i = 0; i < n; i++) {
    const left = i > 0 ? sorted[i]! - sorted[i - 1]! : sorted[i]! - low;
    const right = i < n - 1 ? sorted[i + 1]! - sorted[i]! : high - sorted[i]!;
    mus[i] = sorted[i]!;
    sigmas[i] = Math.min(Math.max(left, right, minSigma), range);
    weights[i] = 1;
  }
  mus[n] = low + range / 2;
  sigmas[n] = range;
  weights[n] = priorWeight;
  const total = weights.reduce((a, b) => a + b, 0);
  const logMass = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    weights[i]! /= total;
    logMass[i] = Math.log(
      Math.max(normalCdf((high - mus[i]!) / sigmas[i]!) - normalCdf((low - mus[i]!) / sigmas[i]!), 1e-300),
    );
  }
  return { mus, sigmas, weights, low, high, logMass };
}

function sampleParzen(parzen: Parzen, rng: Rng): number {
  let u = rng.float();
  let k = 0;
  while (k < parzen.weights.length - 1 && u >= parzen.weights[k]!) {
    u -= parzen.weights[k]!;
    k++;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const x = rng.normal(parzen.mus[k]!, parzen.sigmas[k]!);
    if (x >= parzen.low && x <= parzen.high) return x;
  }
  return Math.min(parzen.high, Math.max(parzen.low, parzen.mus[k]!));
}

function logPdfParzen(parzen: Parzen, x: number): number {
  let max = Number.NEGATIVE_INFINITY;
  const terms = new Float64Array(parzen.mus.length);
  for (let i = 0; i < terms.length; i++) {
    const z = (x - parzen.mus[i]!) / parzen.sigmas[i]!;
    const t =
      Math.log(parzen.weights[i]!) - 0.5 * z * z - LOG_SQRT_2PI - Math.log(parzen.sigmas[i]!) - parzen.logMass[i]!;
    terms[i] = t;
    if (t > max) max = t;
  }
  let sum = 0;
  for (let i = 0; i < terms.length; i++) sum += Math.exp(terms[i]! - max);
  return max + Math.log(sum);
}

function suggestNumeric(
  spec: Exclude<ParamSpec, { type: 'categorical' }>,
  goodValues: number[],
  badValues: number[],
  rng: Rng,
  nCandidates: number,
  priorWeight: number,
): number {
  const [low, high] = bounds(spec);
  const l = buildParzen(
    goodValues.map((v) => toInternal(spec, v)),
    low,
    high,
    priorWeight,
  );
  const g = buildParzen(
    badValues.map((v) => toInternal(spec, v)),
    low,
    high,
    priorWeight,
  );
  let best = Number.NaN;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < nCandidates; c++) {
    const x = sampleParzen(l, rng);
    const score = logPdfParzen(l, x) - logPdfParzen(g, x);
    if (score > bestScore) {
      bestScore = score;
      best = x;
    }
  }
  if (spec.type === 'logFloat') return Math.min(spec.high, Math.max(spec.low, Math.exp(best)));
  if (spec.type === 'int') {
    const steps = Math.round((best - spec.low) / spec.step);
    return Math.min(spec.high, Math.max(spec.low, spec.low + steps * spec.step));
  }
  return best;
}

function suggestCategorical(
  choices: readonly ParamValue[],
  goodValues: ParamValue[],
  badValues: ParamValue[],
  rng: Rng,
  nCandidates: number,
  priorWeight: number,
): ParamValue {
  const probabilities = (values: ParamValue[]) => {
    const counts = choices.map((choice) => values.filter((v) => v === choice).length + priorWeight / choices.length);
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => c / total);
  };
  const l = probabilities(goodValues);
  const g = probabilities(badValues);
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < nCandidates; c++) {
    let u = rng.float();
    let k = 0;
    while (k < l.length - 1 && u >= l[k]!) {
      u -= l[k]!;
      k++;
    }
    const score = Math.log(l[k]!) - Math.log(g[k]!);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return choices[best]!;
}
