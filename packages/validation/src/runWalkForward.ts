import {
  CancelledError,
  type Dataset,
  datasetMatrix,
  type Estimator,
  type FitOptions,
  InvalidParameterError,
  type ProgressCallback,
  takeRows,
  validateDataset,
} from '@candlelab/core';
import { rangesLength, rangesToIndices, type Split } from './indexRange.js';
import { isClassifier, type Metric } from './metric.js';

export interface RunWalkForwardOptions<E extends Estimator> {
  /** Builds a fresh, unfitted model for each fold (required). */
  createEstimator: (fold: number) => E;
  /** Metrics scored on each fold's test rows and on all stitched out-of-sample rows. Default none. */
  metrics?: Readonly<Record<string, Metric>>;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** One fold's out-of-sample result. */
export interface FoldResult<FitResult> {
  fold: number;
  trainRows: number;
  validationRows: number;
  testRows: number;
  /** Time of the first and last test row. */
  testStart: number;
  testEnd: number;
  /** Metrics on this fold's test rows only. */
  metrics: Record<string, number>;
  /** This fold's predictions of its test rows, in row order (kept even where a later fold overrides them in the stitched series). */
  predictions: Float64Array;
  fitMs: number;
  predictMs: number;
  /** Whatever the estimator's `fit` returned (e.g. training history). */
  fitResult: FitResult;
}

export interface WalkForwardResult<FitResult> {
  /**
   * One out-of-sample prediction per dataset row, NaN for rows no fold tested. Where test
   * windows overlap (step < testSize), the latest fold — the most recently retrained model — wins.
   */
  predictions: Float64Array;
  /** Row-major `rows × numClasses` out-of-sample probabilities when the models are classifiers. */
  proba?: Float64Array;
  numClasses: number;
  /** Sorted indices of the rows that have an out-of-sample prediction. */
  testedRows: Uint32Array;
  /** Metrics over all stitched out-of-sample rows. No in-sample number is ever reported. */
  metrics: Record<string, number>;
  folds: FoldResult<FitResult>[];
  totalMs: number;
}

type FitResultOf<E> = E extends Estimator<infer R> ? R : unknown;

/**
 * Walk-forward evaluation: for each split, fits a fresh model on its train rows (passing its
 * validation rows, if any, for early stopping), predicts its test rows, and stitches the
 * out-of-sample predictions into one series. Works with any splitter of this package.
 */
export async function runWalkForward<E extends Estimator>(
  dataset: Dataset,
  splits: readonly Split[],
  options: RunWalkForwardOptions<E>,
): Promise<WalkForwardResult<Awaited<FitResultOf<E>>>> {
  validateDataset(dataset, 'runWalkForward dataset', { allowMissingFeatures: true });
  if (splits.length === 0) throw new InvalidParameterError('splits', splits, 'expected at least one split');
  const n = dataset.y.length;
  const metrics = options.metrics ?? {};
  const started = performance.now();
  const predictions = new Float64Array(n).fill(Number.NaN);
  const tested = new Uint8Array(n);
  let proba: Float64Array | undefined;
  let numClasses = 0;
  const folds: FoldResult<Awaited<FitResultOf<E>>>[] = [];
  for (let f = 0; f < splits.length; f++) {
    if (options.signal?.aborted) throw new CancelledError('runWalkForward');
    const split = splits[f]!;
    const trainRows = rangesLength(split.train);
    const testIdx = rangesToIndices(split.test);
    if (trainRows === 0 || testIdx.length === 0) {
      throw new InvalidParameterError(
        `splits[${f}]`,
        { trainRows, testRows: testIdx.length },
        'every split needs train and test rows',
      );
    }
    options.onProgress?.({ phase: `fold ${f + 1}/${splits.length}`, done: f, total: splits.length });
    const model = options.createEstimator(f);
    const fitOptions: FitOptions = {};
    const validationRows = split.validation ? rangesLength(split.validation) : 0;
    if (split.validation && validationRows > 0)
      fitOptions.validation = takeRows(dataset, rangesToIndices(split.validation));
    if (options.signal) fitOptions.signal = options.signal;
    const fitStart = performance.now();
    const fitResult = (await model.fit(takeRows(dataset, rangesToIndices(split.train)), fitOptions)) as Awaited<
      FitResultOf<E>
    >;
    const predictStart = performance.now();
    const test = takeRows(dataset, testIdx);
    const X = datasetMatrix(test);
    const pred = model.predict(X);
    const foldProba = isClassifier(model) ? model.predictProba(X) : undefined;
    const predictEnd = performance.now();
    if (foldProba && isClassifier(model)) {
      if (proba === undefined) {
        numClasses = model.numClasses;
        proba = new Float64Array(n * numClasses).fill(Number.NaN);
      }
      for (let j = 0; j < testIdx.length; j++)
        proba.set(foldProba.subarray(j * numClasses, (j + 1) * numClasses), testIdx[j]! * numClasses);
    }
    for (let j = 0; j < testIdx.length; j++) {
      predictions[testIdx[j]!] = pred[j]!;
      tested[testIdx[j]!] = 1;
    }
    const foldMetrics: Record<string, number> = {};
    for (const [name, metric] of Object.entries(metrics))
      foldMetrics[name] = scoreOutputs(metric, name, test.y, pred, foldProba, numClasses);
    folds.push({
      fold: f,
      trainRows,
      validationRows,
      testRows: testIdx.length,
      testStart: test.time[0]!,
      testEnd: test.time[test.time.length - 1]!,
      metrics: foldMetrics,
      predictions: pred,
      fitMs: predictStart - fitStart,
      predictMs: predictEnd - predictStart,
      fitResult,
    });
  }
  const testedRows = new Uint32Array(tested.reduce((count, t) => count + t, 0));
  for (let i = 0, k = 0; i < n; i++) if (tested[i] === 1) testedRows[k++] = i;
  const oosY = new Float64Array(testedRows.length);
  const oosPred = new Float64Array(testedRows.length);
  for (let j = 0; j < testedRows.length; j++) {
    oosY[j] = dataset.y[testedRows[j]!]!;
    oosPred[j] = predictions[testedRows[j]!]!;
  }
  let oosProba: Float64Array | undefined;
  if (proba) {
    oosProba = new Float64Array(testedRows.length * numClasses);
    for (let j = 0; j < testedRows.length; j++)
      oosProba.set(proba.subarray(testedRows[j]! * numClasses, (testedRows[j]! + 1) * numClasses), j * numClasses);
  }
  const overall: Record<string, number> = {};
  for (const [name, metric] of Object.entries(metrics))
    overall[name] = scoreOutputs(metric, name, oosY, oosPred, oosProba, numClasses);
  options.onProgress?.({ phase: 'done', done: splits.length, total: splits.length });
  const result: WalkForwardResult<Awaited<FitResultOf<E>>> = {
    predictions,
    numClasses,
    testedRows,
    metrics: overall,
    folds,
    totalMs: performance.now() - started,
  };
  if (proba) result.proba = proba;
  return result;
}

function scoreOutputs(
  metric: Metric,
  name: string,
  y: Float64Array,
  pred: Float64Array,
  proba: Float64Array | undefined,
  numClasses: number,
): number {
  if ((metric.input ?? 'prediction') === 'prediction') return metric.fn(y, pred, numClasses);
  if (!proba) throw new InvalidParameterError(`metrics.${name}.input`, 'proba', 'the model has no predictProba');
  return metric.fn(y, proba, numClasses);
}
