import { InvalidParameterError, lowerBound, NotEnoughDataError } from '@candlelab/core';
import { checkInteger, type Split } from './indexRange.js';

/** Fractions of the rows, in time order, for train / validation / test. */
export interface SplitFractions {
  /** Default 0.7. */
  train?: number;
  /** Default 0.15. */
  validation?: number;
  /** Default 0.15. */
  test?: number;
}

export interface ChronologicalSplitOptions {
  /** Fractions of the rows (the KTRDR 70/15/15 split by default). Ignored when `validationStart` and `testStart` are given. */
  fractions?: SplitFractions;
  /** Time (epoch ms) where validation starts: rows with `time >= validationStart` leave train. Needs `time`. */
  validationStart?: number;
  /** Time (epoch ms) where test starts. Needs `time`. */
  testStart?: number;
  /** Rows dropped before validation and before test, so labels that look ahead cannot straddle the cut. Default 0. */
  gap?: number;
}

/**
 * Chronological train / validation / test split: the oldest rows train, the next validate
 * (early stopping), the newest test. Either by fractions of the rows or by two cut dates.
 *
 * @param rowsOrTime the number of rows, or the sorted `time` column (required for date cuts).
 */
export function chronologicalSplit(rowsOrTime: number | Float64Array, options: ChronologicalSplitOptions = {}): Split {
  const n = typeof rowsOrTime === 'number' ? checkInteger('rows', rowsOrTime, 0) : rowsOrTime.length;
  const gap = checkInteger('gap', options.gap ?? 0, 0);
  let validationStart: number;
  let testStart: number;
  if (options.validationStart !== undefined || options.testStart !== undefined) {
    if (typeof rowsOrTime === 'number')
      throw new InvalidParameterError('rowsOrTime', rowsOrTime, 'date cuts need the time column');
    if (options.validationStart === undefined || options.testStart === undefined) {
      throw new InvalidParameterError('testStart', options.testStart, 'give both validationStart and testStart');
    }
    if (!(options.validationStart <= options.testStart)) {
      throw new InvalidParameterError(
        'validationStart',
        options.validationStart,
        `must be <= testStart (${options.testStart})`,
      );
    }
    validationStart = lowerBound(rowsOrTime, options.validationStart);
    testStart = lowerBound(rowsOrTime, options.testStart);
  } else {
    const train = options.fractions?.train ?? 0.7;
    const validation = options.fractions?.validation ?? 0.15;
    const test = options.fractions?.test ?? 0.15;
    for (const [name, value] of [
      ['fractions.train', train],
      ['fractions.validation', validation],
      ['fractions.test', test],
    ] as const) {
      if (!(value >= 0 && value <= 1)) throw new InvalidParameterError(name, value, 'expected a fraction in [0, 1]');
    }
    const sum = train + validation + test;
    if (Math.abs(sum - 1) > 1e-9)
      throw new InvalidParameterError('fractions', options.fractions, `fractions sum to ${sum}, expected 1`);
    validationStart = Math.round(n * train);
    testStart = Math.round(n * (train + validation));
  }
  const hasValidation = testStart > validationStart;
  const trainEnd = Math.max(0, (hasValidation ? validationStart : testStart) - gap);
  const validationEnd = Math.max(validationStart, testStart - gap);
  if (trainEnd === 0) throw new NotEnoughDataError('chronologicalSplit train rows', 1, 0);
  if (testStart >= n) throw new NotEnoughDataError('chronologicalSplit test rows', 1, 0);
  return {
    train: [{ start: 0, end: trainEnd }],
    validation:
      hasValidation && validationEnd > validationStart ? [{ start: validationStart, end: validationEnd }] : [],
    test: [{ start: testStart, end: n }],
  };
}
