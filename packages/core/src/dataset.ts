import { ValidationError, type ValidationIssue } from './errors.js';
import type { Dataset, Matrix } from './estimator.js';

export interface DatasetCheckOptions {
  /** Allow NaN in `X` (models with missing-value handling accept it). Infinity is never allowed. Default false. */
  allowMissingFeatures?: boolean;
  /** Stop after this many issues (default 50). */
  maxIssues?: number;
}

/** Number of rows in a dataset. */
export function datasetRows(dataset: Dataset): number {
  return dataset.y.length;
}

/**
 * Validates a dataset's shape and values once, at a model's boundary: `X` is `n × d` with
 * `d = featureNames.length`, every per-row column has `n` entries, labels and weights are
 * finite (weights >= 0), features are finite (or NaN when allowed).
 */
export function validateDataset(dataset: Dataset, context: string, options: DatasetCheckOptions = {}): Dataset {
  const maxIssues = options.maxIssues ?? 50;
  const issues: ValidationIssue[] = [];
  const n = dataset.y.length;
  const d = dataset.featureNames.length;
  if (d === 0) issues.push({ field: 'featureNames', reason: 'dataset has no features' });
  if (dataset.X.length !== n * d) {
    issues.push({
      field: 'X',
      reason: `X has ${dataset.X.length} values, expected rows (${n}) × features (${d}) = ${n * d}`,
    });
  }
  const perRow: Array<[string, ArrayLike<number> | undefined]> = [
    ['time', dataset.time],
    ['weights', dataset.weights],
    ['labelEnd', dataset.labelEnd],
    ['symbolIndex', dataset.symbolIndex],
  ];
  for (const [field, column] of perRow) {
    if (column !== undefined && column.length !== n)
      issues.push({ field, reason: `${field} has ${column.length} values, y has ${n}` });
  }
  if (issues.length > 0) throw new ValidationError(context, issues);
  for (let i = 0; i < n && issues.length < maxIssues; i++) {
    const label = dataset.y[i]!;
    if (!Number.isFinite(label)) issues.push({ row: i, field: 'y', reason: `label is ${label}` });
    const weight = dataset.weights?.[i];
    if (weight !== undefined && !(Number.isFinite(weight) && weight >= 0)) {
      issues.push({ row: i, field: 'weights', reason: `weight is ${weight}, expected finite and >= 0` });
    }
  }
  const X = dataset.X;
  for (let k = 0; k < X.length && issues.length < maxIssues; k++) {
    const v = X[k]!;
    if (Number.isFinite(v) || (Number.isNaN(v) && options.allowMissingFeatures)) continue;
    const row = Math.floor(k / d);
    issues.push({ row, field: dataset.featureNames[k - row * d] ?? 'X', reason: `feature value is ${v}` });
  }
  if (issues.length > 0) throw new ValidationError(context, issues, { truncated: issues.length >= maxIssues });
  return dataset;
}

/** Validates a prediction matrix against the number of features a model was trained on. */
export function validateMatrix(X: Matrix, expectedCols: number, context: string, allowMissing = false): Matrix {
  const issues: ValidationIssue[] = [];
  if (X.cols !== expectedCols)
    issues.push({ field: 'cols', reason: `matrix has ${X.cols} columns, model expects ${expectedCols}` });
  if (X.data.length !== X.rows * X.cols)
    issues.push({ field: 'data', reason: `data has ${X.data.length} values, expected ${X.rows} × ${X.cols}` });
  if (issues.length === 0) {
    for (let k = 0; k < X.data.length; k++) {
      const v = X.data[k]!;
      if (Number.isFinite(v) || (allowMissing && Number.isNaN(v))) continue;
      issues.push({ row: Math.floor(k / X.cols), field: `column ${k % X.cols}`, reason: `value is ${v}` });
      if (issues.length >= 20) break;
    }
  }
  if (issues.length > 0) throw new ValidationError(context, issues);
  return X;
}

/** The rows `indices` of a dataset, copied into a new dataset. */
export function takeRows(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const d = dataset.featureNames.length;
  const m = indices.length;
  const X = new Float64Array(m * d);
  const pick = <T extends Float64Array | Uint16Array>(column: T | undefined, make: (n: number) => T): T | undefined => {
    if (!column) return undefined;
    const out = make(m);
    for (let j = 0; j < m; j++) out[j] = column[indices[j]!]!;
    return out;
  };
  for (let j = 0; j < m; j++) {
    const row = indices[j]!;
    X.set(dataset.X.subarray(row * d, row * d + d), j * d);
  }
  const out: Dataset = {
    X,
    y: pick(dataset.y, (n) => new Float64Array(n))!,
    featureNames: dataset.featureNames,
    time: pick(dataset.time, (n) => new Float64Array(n))!,
  };
  const weights = pick(dataset.weights, (n) => new Float64Array(n));
  const labelEnd = pick(dataset.labelEnd, (n) => new Float64Array(n));
  const symbolIndex = pick(dataset.symbolIndex, (n) => new Uint16Array(n));
  if (weights) out.weights = weights;
  if (labelEnd) out.labelEnd = labelEnd;
  if (symbolIndex) out.symbolIndex = symbolIndex;
  if (dataset.symbols) out.symbols = dataset.symbols;
  return out;
}

/** Rows `[start, end)` of a dataset as a copy. */
export function sliceRows(dataset: Dataset, start: number, end: number): Dataset {
  const indices = new Uint32Array(Math.max(0, end - start));
  for (let j = 0; j < indices.length; j++) indices[j] = start + j;
  return takeRows(dataset, indices);
}
