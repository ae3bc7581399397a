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
  /** Builds a fresh, unfitted model for each fold (required unless `runFold` is given). */
  createEstimator?: (fold: number) => E;
  /**
   * Runs one fold somewhere else (e.g. on a worker thread) and returns what {@link fitFold}
   * returns there. Folds then run concurrently (all started at once; the runner's own pool
   * bounds the parallelism) and are stitched in fold order, so the result is the same as a
   * sequential run whenever each fold is deterministic. Default: folds run here, one by one.
   */
  runFold?: (fold: number, split: Split) => Promise<FoldOutput<FitResultOf<E>>>;
  /** Metrics scored on each fold's test rows and on all stitched out-of-sample rows. Default none. */
  metrics?: Readonly<Record<string, Metric>>;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** What fitting and scoring one fold produces, before metrics (it crosses threads: plain data only). */
export interface FoldOutput<FitResult> {
  trainRows: number;
  validationRows: number;
  /** Predictions of the fold's test rows, in row order. */
  predictions: Float64Array;
  /** Row-major `testRows × numClasses` probabilities when the model is a classifier. */
  proba?: Float64Array;
  numClasses: number;
  fitMs: number;
  predictMs: number;
  fitResult: Awaited<FitResult>;
}

/** One fold's out-of-sample result. */
/** Where one walk-forward fold sits: its row counts and the times of its first and last test row. */
export interface FoldWindow {
  fold: number;
  trainRows: number;
  validationRows: number;
  testRows: number;
  /** Time of the first and last test row. */
  testStart: number;
  testEnd: number;
}

export interface FoldResult<FitResult> extends FoldWindow {
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
  /** The fold whose model scored each dataset row (−1 for rows no fold tested). */
  rowFold: Int32Array;
  /** Metrics over all stitched out-of-sample rows. No in-sample number is ever reported. */
  metrics: Record<string, number>;
  folds: FoldResult<FitResult>[];
  totalMs: number;
}

type FitResultOf<E> = E extends Estimator<infer R> ? R : unknown;

function checkSplit(split: Split, f: number): void {
  const trainRows = rangesLength(split.train);
  const testRows = rangesLength(split.test);
  if (trainRows === 0 || testRows === 0) {
    throw new InvalidParameterError(`splits[${f}]`, { trainRows, testRows }, 'every split needs train and test rows');
  }
}

/**
 * Fits `model` on a split's train rows (its validation rows, if any, go to `fit` for early
 * stopping) and predicts its test rows. The unit of work of {@link runWalkForward}, exported so
 * a worker thread can run a fold and hand back exactly what a local run computes.
 */
export async function fitFold<E extends Estimator>(
  dataset: Dataset,
  split: Split,
  model: E,
  options: { signal?: AbortSignal } = {},
): Promise<FoldOutput<FitResultOf<E>>> {
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
  const X = datasetMatrix(takeRows(dataset, rangesToIndices(split.test)));
  const predictions = model.predict(X);
  const output: FoldOutput<FitResultOf<E>> = {
    trainRows: rangesLength(split.train),
    validationRows,
    predictions,
    numClasses: 0,
    fitMs: predictStart - fitStart,
    predictMs: 0,
    fitResult,
  };
  if (isClassifier(model)) {
    output.proba = model.predictProba(X);
    output.numClasses = model.numClasses;
  }
  output.predictMs = performance.now() - predictStart;
  return output;
}

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
  splits.forEach(checkSplit);
  const { createEstimator, runFold } = options;
  if (!createEstimator && !runFold)
    throw new InvalidParameterError('createEstimator', undefined, 'give createEstimator or runFold');
  const n = dataset.y.length;
  const metrics = options.metrics ?? {};
  const started = performance.now();
  let outputs: FoldOutput<FitResultOf<E>>[];
  if (runFold) {
    let done = 0;
    options.onProgress?.({ phase: 'folds', done: 0, total: splits.length });
    outputs = await Promise.all(
      splits.map(async (split, f) => {
        if (options.signal?.aborted) throw new CancelledError('runWalkForward');
        const output = await runFold(f, split);
        options.onProgress?.({ phase: 'folds', done: ++done, total: splits.length });
        return output;
      }),
    );
  } else {
    outputs = [];
    for (let f = 0; f < splits.length; f++) {
      if (options.signal?.aborted) throw new CancelledError('runWalkForward');
      options.onProgress?.({ phase: `fold ${f + 1}/${splits.length}`, done: f, total: splits.length });
      const signal = options.signal ? { signal: options.signal } : {};
      outputs.push(await fitFold(dataset, splits[f]!, createEstimator!(f), signal));
    }
  }
  const predictions = new Float64Array(n).fill(Number.NaN);
  const rowFold = new Int32Array(n).fill(-1);
  const numClasses = outputs[0]!.numClasses;
  const proba = outputs[0]!.proba ? new Float64Array(n * numClasses).fill(Number.NaN) : undefined;
  const folds: FoldResult<Awaited<FitResultOf<E>>>[] = outputs.map((output, f) => {
    const testIdx = rangesToIndices(splits[f]!.test);
    for (let j = 0; j < testIdx.length; j++) {
      predictions[testIdx[j]!] = output.predictions[j]!;
      rowFold[testIdx[j]!] = f;
    }
    if (proba && output.proba)
      for (let j = 0; j < testIdx.length; j++)
        proba.set(output.proba.subarray(j * numClasses, (j + 1) * numClasses), testIdx[j]! * numClasses);
    const testY = new Float64Array(testIdx.length);
    for (let j = 0; j < testIdx.length; j++) testY[j] = dataset.y[testIdx[j]!]!;
    const foldMetrics: Record<string, number> = {};
    for (const [name, metric] of Object.entries(metrics))
      foldMetrics[name] = scoreOutputs(metric, name, testY, output.predictions, output.proba, numClasses);
    return {
      fold: f,
      trainRows: output.trainRows,
      validationRows: output.validationRows,
      testRows: testIdx.length,
      testStart: dataset.time[testIdx[0]!]!,
      testEnd: dataset.time[testIdx[testIdx.length - 1]!]!,
      metrics: foldMetrics,
      predictions: output.predictions,
      fitMs: output.fitMs,
      predictMs: output.predictMs,
      fitResult: output.fitResult,
    };
  });
  let testedCount = 0;
  for (let i = 0; i < n; i++) if (rowFold[i]! >= 0) testedCount++;
  const testedRows = new Uint32Array(testedCount);
  for (let i = 0, k = 0; i < n; i++) if (rowFold[i]! >= 0) testedRows[k++] = i;
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
    rowFold,
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
