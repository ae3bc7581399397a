import {
  type Dataset,
  datasetMatrix,
  type Estimator,
  InvalidParameterError,
  type Matrix,
  type Rng,
  type Seed,
  takeRows,
  toRng,
  validateDataset,
} from '@candlelab/core';
import { rangesToIndices, type Split } from './indexRange.js';
import { type Metric, scoreModel } from './metric.js';

export interface PermutationImportanceOptions {
  /** The score whose drop measures importance (required). */
  metric: Metric;
  /** Shuffles per feature. Default 5. */
  nRepeats?: number;
  /** Seed or generator for the shuffles. Default seed 0. */
  seed?: Seed | Rng;
}

export interface PermutationImportance {
  featureNames: readonly string[];
  /** Score on the unshuffled rows (mean over folds under CV). */
  baseline: number;
  /** Mean drop in score per feature when it is shuffled (positive = the model relies on it). */
  mean: Float64Array;
  /** Standard deviation (population) of the drop over repeats (and folds). */
  std: Float64Array;
  /** Every drop, row-major `samples × features` (samples = repeats, or folds × repeats). */
  drops: Float64Array;
}

/** Drops of one fitted model on one dataset, written into `drops` from row `offset`; returns the baseline. */
function fillDrops(
  model: Estimator,
  dataset: Dataset,
  metric: Metric,
  nRepeats: number,
  rng: Rng,
  drops: Float64Array,
  offset: number,
): number {
  const X = datasetMatrix(dataset);
  const { rows, cols } = X;
  const data = dataset.X.slice();
  const shuffled: Matrix = { data, rows, cols };
  const baseline = scoreModel(model, X, dataset.y, metric);
  const sign = metric.greaterIsBetter ? 1 : -1;
  const column = new Float64Array(rows);
  for (let r = 0; r < nRepeats; r++) {
    for (let c = 0; c < cols; c++) {
      const order = rng.permutation(rows);
      for (let i = 0; i < rows; i++) column[i] = data[i * cols + c]!;
      for (let i = 0; i < rows; i++) data[i * cols + c] = column[order[i]!]!;
      drops[(offset + r) * cols + c] = sign * (baseline - scoreModel(model, shuffled, dataset.y, metric));
      for (let i = 0; i < rows; i++) data[i * cols + c] = column[i]!;
    }
  }
  return baseline;
}

function summarize(featureNames: readonly string[], baseline: number, drops: Float64Array): PermutationImportance {
  const cols = featureNames.length;
  const samples = drops.length / cols;
  const mean = new Float64Array(cols);
  const std = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    for (let s = 0; s < samples; s++) sum += drops[s * cols + c]!;
    const m = sum / samples;
    let ss = 0;
    for (let s = 0; s < samples; s++) ss += (drops[s * cols + c]! - m) ** 2;
    mean[c] = m;
    std[c] = Math.sqrt(ss / samples);
  }
  return { featureNames, baseline, mean, std, drops };
}

function repeats(options: PermutationImportanceOptions): number {
  const nRepeats = options.nRepeats ?? 5;
  if (!Number.isInteger(nRepeats) || nRepeats < 1)
    throw new InvalidParameterError('nRepeats', nRepeats, 'expected an integer >= 1');
  return nRepeats;
}

/**
 * Permutation feature importance (Breiman 2001; scikit-learn's `permutation_importance`): the
 * drop in `metric` when one feature's column is shuffled, breaking its link to the label, with
 * `nRepeats` seeded shuffles per feature. Score it on held-out rows, never on training rows.
 */
export function permutationImportance(
  model: Estimator,
  dataset: Dataset,
  options: PermutationImportanceOptions,
): PermutationImportance {
  validateDataset(dataset, 'permutationImportance dataset', { allowMissingFeatures: true });
  const nRepeats = repeats(options);
  const drops = new Float64Array(nRepeats * dataset.featureNames.length);
  const baseline = fillDrops(model, dataset, options.metric, nRepeats, toRng(options.seed), drops, 0);
  return summarize(dataset.featureNames, baseline, drops);
}

export interface PermutationImportanceCVOptions<E extends Estimator> extends PermutationImportanceOptions {
  /** Builds a fresh, unfitted model per split (required). */
  createEstimator: (fold: number) => E;
}

/**
 * Permutation importance under cross-validation (use {@link purgedKFold} splits to keep it
 * honest, AFML §8.3.2): fits a model per split on its train rows, measures the drops on its test
 * rows, and pools every fold × repeat drop into the mean and standard deviation.
 */
export async function permutationImportanceCV<E extends Estimator>(
  dataset: Dataset,
  splits: readonly Split[],
  options: PermutationImportanceCVOptions<E>,
): Promise<PermutationImportance> {
  validateDataset(dataset, 'permutationImportanceCV dataset', { allowMissingFeatures: true });
  if (splits.length === 0) throw new InvalidParameterError('splits', splits, 'expected at least one split');
  const nRepeats = repeats(options);
  const rng = toRng(options.seed);
  const drops = new Float64Array(splits.length * nRepeats * dataset.featureNames.length);
  let baselineSum = 0;
  for (let f = 0; f < splits.length; f++) {
    const split = splits[f]!;
    const model = options.createEstimator(f);
    await model.fit(takeRows(dataset, rangesToIndices(split.train)));
    baselineSum += fillDrops(
      model,
      takeRows(dataset, rangesToIndices(split.test)),
      options.metric,
      nRepeats,
      rng.child(`fold ${f}`),
      drops,
      f * nRepeats,
    );
  }
  return summarize(dataset.featureNames, baselineSum / splits.length, drops);
}
