import { type Dataset, InvalidParameterError } from '@candlelab/core';
import { type RowSelection, selectedRows } from './selectedRows.js';

/** The result of a feature selector: kept column indices (ascending) and names, plus every column's score. */
export interface FeatureSelection {
  indices: number[];
  names: string[];
  /** Score of every input column (variance, max |correlation| with a kept column, or mutual information). */
  scores: Float64Array;
}

function selection(dataset: Dataset, indices: number[], scores: Float64Array): FeatureSelection {
  indices.sort((a, b) => a - b);
  return { indices, names: indices.map((k) => dataset.featureNames[k]!), scores };
}

/** Column `c` of `X` over `rows`, NaN kept. */
function column(dataset: Dataset, c: number, rows: ArrayLike<number>): Float64Array {
  const d = dataset.featureNames.length;
  const out = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = dataset.X[rows[j]! * d + c]!;
  return out;
}

export interface VarianceThresholdOptions {
  /** Keep features whose population variance (NaN ignored) is above this (default 0: drop constants). */
  threshold?: number;
  /** Rows to measure on (default all; pass the training slice). */
  rows?: RowSelection;
}

/** Drops near-constant features (scikit-learn's `VarianceThreshold`). */
export function varianceThreshold(dataset: Dataset, options: VarianceThresholdOptions = {}): FeatureSelection {
  const threshold = options.threshold ?? 0;
  if (!(threshold >= 0)) throw new InvalidParameterError('threshold', threshold, 'must be >= 0');
  const rows = selectedRows(options.rows, dataset.y.length);
  const d = dataset.featureNames.length;
  const scores = new Float64Array(d);
  const kept: number[] = [];
  for (let c = 0; c < d; c++) {
    const values = column(dataset, c, rows);
    let m = 0;
    let mean = 0;
    for (const v of values) {
      if (Number.isNaN(v)) continue;
      m++;
      mean += v;
    }
    mean /= Math.max(1, m);
    let ss = 0;
    for (const v of values) if (!Number.isNaN(v)) ss += (v - mean) ** 2;
    scores[c] = m > 0 ? ss / m : 0;
    if (scores[c]! > threshold) kept.push(c);
  }
  return selection(dataset, kept, scores);
}

/** Pearson correlation of two columns over rows where both are defined (NaN when fewer than 2 or constant). */
function pearson(a: Float64Array, b: Float64Array): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    n++;
    sa += a[i]!;
    sb += b[i]!;
  }
  if (n < 2) return Number.NaN;
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    cov += x * y;
    va += x * x;
    vb += y * y;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : Number.NaN;
}

export interface CorrelationFilterOptions {
  /** Drop a feature whose |Pearson r| with an already kept feature exceeds this (default 0.95). */
  threshold?: number;
  /** Rows to measure on (default all; pass the training slice). */
  rows?: RowSelection;
}

/**
 * Greedy correlation filter: walks the features in order (put preferred features first) and keeps
 * each one unless its absolute Pearson correlation with a feature already kept exceeds the
 * threshold. Scores are each feature's largest |r| with a kept feature before it.
 */
export function correlationFilter(dataset: Dataset, options: CorrelationFilterOptions = {}): FeatureSelection {
  const threshold = options.threshold ?? 0.95;
  if (!(threshold > 0 && threshold <= 1)) throw new InvalidParameterError('threshold', threshold, 'must be in (0, 1]');
  const rows = selectedRows(options.rows, dataset.y.length);
  const d = dataset.featureNames.length;
  const scores = new Float64Array(d);
  const kept: number[] = [];
  const keptColumns: Float64Array[] = [];
  for (let c = 0; c < d; c++) {
    const values = column(dataset, c, rows);
    let worst = 0;
    for (const other of keptColumns) {
      const r = Math.abs(pearson(values, other));
      if (r > worst) worst = r;
      if (worst > threshold) break;
    }
    scores[c] = worst;
    if (worst <= threshold) {
      kept.push(c);
      keptColumns.push(values);
    }
  }
  return selection(dataset, kept, scores);
}

export interface MutualInformationOptions {
  /** Equal-frequency bins for a continuous variable (default 10). */
  bins?: number;
  /** A variable with at most this many distinct values is treated as discrete, one bin per value (default 20). */
  discreteLimit?: number;
}

/**
 * Bin codes of a variable: its distinct values when there are at most `discreteLimit`, else
 * equal-frequency bins `floor(rank · bins / m)`, where tied values share the rank of their first
 * occurrence (so a value never straddles two bins). NaN → −1.
 */
function binCodes(values: Float64Array, bins: number, discreteLimit: number): { codes: Int32Array; count: number } {
  const m = values.length;
  const order = Array.from({ length: m }, (_, i) => i).filter((i) => !Number.isNaN(values[i]!));
  order.sort((a, b) => values[a]! - values[b]!);
  const codes = new Int32Array(m).fill(-1);
  let distinct = 0;
  for (let r = 0; r < order.length; r++) if (r === 0 || values[order[r]!]! !== values[order[r - 1]!]!) distinct++;
  const discrete = distinct <= discreteLimit;
  let code = -1;
  let firstRank = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    const isNew = r === 0 || values[i]! !== values[order[r - 1]!]!;
    if (isNew) {
      firstRank = r;
      code = discrete ? code + 1 : Math.floor((firstRank * bins) / order.length);
    }
    codes[i] = code;
  }
  return { codes, count: discrete ? distinct : bins };
}

/**
 * Mutual information I(X; Y) in nats by the plug-in (maximum-likelihood) estimator on a
 * contingency table of binned values (see `binCodes`: discrete variables keep their values,
 * continuous ones get `bins` equal-frequency bins). Pairs with a NaN are skipped. The estimate
 * is biased upwards by about `(Bx − 1)(By − 1) / (2N)` (Miller–Madow), equally for every feature,
 * so it ranks features fairly when they share bin counts.
 */
export function mutualInformation(x: Float64Array, y: Float64Array, options: MutualInformationOptions = {}): number {
  const bins = options.bins ?? 10;
  const discreteLimit = options.discreteLimit ?? 20;
  if (!Number.isInteger(bins) || bins < 2) throw new InvalidParameterError('bins', bins, 'must be an integer >= 2');
  if (!Number.isInteger(discreteLimit) || discreteLimit < 1)
    throw new InvalidParameterError('discreteLimit', discreteLimit, 'must be an integer >= 1');
  if (x.length !== y.length) throw new InvalidParameterError('y', y.length, `must have the length of x (${x.length})`);
  const bx = binCodes(x, bins, discreteLimit);
  const by = binCodes(y, bins, discreteLimit);
  const joint = new Float64Array(bx.count * by.count);
  const px = new Float64Array(bx.count);
  const py = new Float64Array(by.count);
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const a = bx.codes[i]!;
    const b = by.codes[i]!;
    if (a < 0 || b < 0) continue;
    joint[a * by.count + b]!++;
    px[a]!++;
    py[b]!++;
    n++;
  }
  if (n === 0) return 0;
  let mi = 0;
  for (let a = 0; a < bx.count; a++) {
    for (let b = 0; b < by.count; b++) {
      const nab = joint[a * by.count + b]!;
      if (nab > 0) mi += (nab / n) * Math.log((nab * n) / (px[a]! * py[b]!));
    }
  }
  return Math.max(0, mi);
}

export interface MutualInfoKBestOptions extends MutualInformationOptions {
  /** Number of features to keep (required, >= 1; capped at the feature count). */
  k: number;
  /** Rows to measure on (default all; pass the training slice). */
  rows?: RowSelection;
}

/** Keeps the `k` features with the highest {@link mutualInformation} with the label `y` (ties: earlier feature first). */
export function mutualInfoKBest(dataset: Dataset, options: MutualInfoKBestOptions): FeatureSelection {
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new InvalidParameterError('k', k, 'must be an integer >= 1');
  const rows = selectedRows(options.rows, dataset.y.length);
  const d = dataset.featureNames.length;
  const y = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) y[j] = dataset.y[rows[j]!]!;
  const scores = new Float64Array(d);
  for (let c = 0; c < d; c++) scores[c] = mutualInformation(column(dataset, c, rows), y, options);
  const order = Array.from({ length: d }, (_, c) => c).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return selection(dataset, order.slice(0, Math.min(k, d)), scores);
}

/** A copy of `dataset` with only the columns `indices` (in that order). */
export function selectFeatures(dataset: Dataset, indices: readonly number[]): Dataset {
  const d = dataset.featureNames.length;
  for (const c of indices) {
    if (!(Number.isInteger(c) && c >= 0 && c < d))
      throw new InvalidParameterError('indices', c, `expected a column index in [0, ${d})`);
  }
  const n = dataset.y.length;
  const m = indices.length;
  const X = new Float64Array(n * m);
  for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) X[r * m + j] = dataset.X[r * d + indices[j]!]!;
  return { ...dataset, X, featureNames: indices.map((c) => dataset.featureNames[c]!) };
}
