import { InvalidParameterError, lowerBound, NotEnoughDataError } from '@candlelab/core';
import { checkInteger, type Split } from './indexRange.js';

/** Window sizes of a walk-forward, in bars ({@link walkForwardSplit}) or milliseconds ({@link walkForwardSplitByTime}). */
export interface WalkForwardOptions {
  /** Training window length (required). With `anchored`, the length of the first window. */
  trainSize: number;
  /** Test window length (required). */
  testSize: number;
  /** Retrain step: how far the windows move between folds. Default `testSize` (each row tested once). */
  step?: number;
  /** Left out between the end of train (and validation) and the start of test. Default 0. */
  gap?: number;
  /** Anchored (expanding) windows that always start at the first row; default false (rolling). */
  anchored?: boolean;
  /** The last part of each training window held out as validation for early stopping. Default 0. */
  validationSize?: number;
}

interface Boundaries {
  trainStart: number;
  trainEnd: number;
  testStart: number;
  testEnd: number;
}

function toSplit(b: Boundaries, validationEnd: number, validationStart: number): Split {
  const split: Split = {
    train: [{ start: b.trainStart, end: Math.min(b.trainEnd, validationStart) }],
    test: [{ start: b.testStart, end: b.testEnd }],
  };
  if (validationEnd > validationStart) split.validation = [{ start: validationStart, end: validationEnd }];
  return split;
}

function checkWindows(options: WalkForwardOptions, integer: boolean): Required<WalkForwardOptions> {
  const check = (name: string, value: number, min: number) => {
    if (integer) return checkInteger(name, value, min);
    if (!(Number.isFinite(value) && value >= min))
      throw new InvalidParameterError(name, value, `expected a number >= ${min}`);
    return value;
  };
  const testSize = check('testSize', options.testSize, 1);
  const resolved = {
    trainSize: check('trainSize', options.trainSize, 1),
    testSize,
    step: check('step', options.step ?? testSize, 1),
    gap: check('gap', options.gap ?? 0, 0),
    anchored: options.anchored ?? false,
    validationSize: check('validationSize', options.validationSize ?? 0, 0),
  };
  if (resolved.validationSize >= resolved.trainSize) {
    throw new InvalidParameterError(
      'validationSize',
      resolved.validationSize,
      `must be smaller than trainSize (${resolved.trainSize})`,
    );
  }
  return resolved;
}

/**
 * Walk-forward splits in bars: train on a window, test on the next `testSize` bars, move both
 * by `step` (the retrain step) and repeat. Rolling windows keep `trainSize` bars; anchored
 * windows grow from the first bar. The last test window may be shorter (it ends at the data).
 */
export function walkForwardSplit(rows: number, options: WalkForwardOptions): Split[] {
  const n = checkInteger('rows', rows, 0);
  const o = checkWindows(options, true);
  const first = o.trainSize + o.gap;
  if (first >= n) throw new NotEnoughDataError('walkForwardSplit: trainSize + gap + 1 test bar', first + 1, n);
  const splits: Split[] = [];
  for (let testStart = first; testStart < n; testStart += o.step) {
    const trainEnd = testStart - o.gap;
    const trainStart = o.anchored ? 0 : trainEnd - o.trainSize;
    const b = { trainStart, trainEnd, testStart, testEnd: Math.min(n, testStart + o.testSize) };
    splits.push(toSplit(b, trainEnd, trainEnd - o.validationSize));
  }
  return splits;
}

/**
 * Walk-forward splits by calendar time: every size is in milliseconds and windows are cut at
 * `time[0] + trainSize + gap + k·step`, so missing bars do not shift the schedule. Folds whose
 * test window, or whose training window (before validation), holds no rows are skipped.
 */
export function walkForwardSplitByTime(time: Float64Array, options: WalkForwardOptions): Split[] {
  const o = checkWindows(options, false);
  const n = time.length;
  if (n === 0) throw new NotEnoughDataError('walkForwardSplitByTime rows', 1, 0);
  const t0 = time[0]!;
  const last = time[n - 1]!;
  const splits: Split[] = [];
  for (let testTime = t0 + o.trainSize + o.gap; testTime <= last; testTime += o.step) {
    const testStart = lowerBound(time, testTime);
    const testEnd = lowerBound(time, testTime + o.testSize);
    if (testEnd === testStart) continue;
    const trainEnd = lowerBound(time, testTime - o.gap);
    const trainStart = o.anchored ? 0 : lowerBound(time, testTime - o.gap - o.trainSize);
    const validationStart = lowerBound(time, testTime - o.gap - o.validationSize);
    if (validationStart <= trainStart) continue;
    splits.push(toSplit({ trainStart, trainEnd, testStart, testEnd }, trainEnd, validationStart));
  }
  if (splits.length === 0) throw new NotEnoughDataError('walkForwardSplitByTime folds', 1, 0);
  return splits;
}
