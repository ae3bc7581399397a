import { InvalidParameterError, NotEnoughDataError } from '@candlelab/core';
import { checkInteger, type Split } from './indexRange.js';

export interface TimeSeriesSplitOptions {
  /** Number of folds. Default 5. */
  nSplits?: number;
  /** Rows per test fold. Default `floor(n / (nSplits + 1))`. */
  testSize?: number;
  /** Rows left out between the end of train and the start of test. Default 0. */
  gap?: number;
  /** Cap on training rows (a rolling window); default unlimited (expanding window). */
  maxTrainSize?: number;
}

/**
 * Time-series cross-validation with an expanding training window (scikit-learn's
 * `TimeSeriesSplit`, same fold boundaries): fold k tests the k-th of `nSplits` consecutive
 * blocks at the end of the data and trains on everything before it, minus `gap` rows.
 */
export function timeSeriesSplit(rows: number, options: TimeSeriesSplitOptions = {}): Split[] {
  const n = checkInteger('rows', rows, 0);
  const nSplits = checkInteger('nSplits', options.nSplits ?? 5, 2);
  const gap = checkInteger('gap', options.gap ?? 0, 0);
  const nFolds = nSplits + 1;
  if (n < nFolds) throw new NotEnoughDataError(`timeSeriesSplit with nSplits=${nSplits}`, nFolds, n);
  const testSize = checkInteger('testSize', options.testSize ?? Math.floor(n / nFolds), 1);
  if (n - gap - testSize * nSplits <= 0) {
    throw new InvalidParameterError(
      'testSize',
      testSize,
      `too large: ${nSplits} folds × ${testSize} rows + gap ${gap} >= ${n} rows`,
    );
  }
  const maxTrainSize =
    options.maxTrainSize === undefined ? undefined : checkInteger('maxTrainSize', options.maxTrainSize, 1);
  const splits: Split[] = [];
  for (let testStart = n - nSplits * testSize; testStart < n; testStart += testSize) {
    const trainEnd = testStart - gap;
    const trainStart = maxTrainSize === undefined ? 0 : Math.max(0, trainEnd - maxTrainSize);
    splits.push({
      train: [{ start: trainStart, end: trainEnd }],
      test: [{ start: testStart, end: testStart + testSize }],
    });
  }
  return splits;
}
