import { InvalidParameterError, ValidationError } from '@candlelab/core';
import { checkSeries } from './checkSeries.js';
import { checkLabels, checkNumClasses } from './classificationReport.js';

/** Largest allowed |row sum - 1| of a probability row. */
const ROW_SUM_TOLERANCE = 1e-6;

/**
 * Multiclass logarithmic loss (cross-entropy) `-mean(log p[i, yTrue[i]])` of class probabilities
 * `proba` (row-major `n × numClasses`, each row in [0, 1] summing to 1 within 1e-6), with the
 * true-class probability clipped to `[eps, 1 - eps]` (default `eps = 1e-15`, as scikit-learn's
 * former default) so that a confident miss costs `-log(eps) ≈ 34.5` instead of Infinity.
 */
export function logLoss(yTrue: ArrayLike<number>, proba: ArrayLike<number>, numClasses: number, eps = 1e-15): number {
  checkNumClasses(numClasses);
  if (!(eps > 0 && eps < 0.5)) throw new InvalidParameterError('eps', eps, 'must be in (0, 0.5)');
  checkLabels('logLoss', 'yTrue', yTrue, numClasses);
  checkSeries('logLoss', 'proba', proba);
  const n = yTrue.length;
  if (proba.length !== n * numClasses) {
    throw new ValidationError('logLoss', [
      { field: 'proba', reason: `has ${proba.length} values, expected yTrue.length × numClasses = ${n * numClasses}` },
    ]);
  }
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let c = 0; c < numClasses; c++) {
      const p = proba[i * numClasses + c]!;
      if (p < 0 || p > 1)
        throw new ValidationError('logLoss', [
          { row: i, field: 'proba', reason: `class ${c} probability ${p} is outside [0, 1]` },
        ]);
      rowSum += p;
    }
    if (Math.abs(rowSum - 1) > ROW_SUM_TOLERANCE) {
      throw new ValidationError('logLoss', [{ row: i, field: 'proba', reason: `row sums to ${rowSum}, expected 1` }]);
    }
    const p = Math.min(Math.max(proba[i * numClasses + yTrue[i]!]!, eps), 1 - eps);
    loss -= Math.log(p);
  }
  return loss / n;
}
