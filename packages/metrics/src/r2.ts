import { checkSameLength, checkSeries } from './checkSeries.js';
import { mean } from './moments.js';

function checkPair(context: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>, minLength = 1): void {
  checkSeries(context, 'yTrue', yTrue, minLength);
  checkSeries(context, 'yPred', yPred, minLength);
  checkSameLength(context, 'yTrue', yTrue, 'yPred', yPred);
}

/** Sum of squared errors of trusted inputs. */
function squaredErrorSum(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const e = yTrue[i]! - yPred[i]!;
    s += e * e;
  }
  return s;
}

/** Mean squared error. */
export function mse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair('mse', yTrue, yPred);
  return squaredErrorSum(yTrue, yPred) / yTrue.length;
}

/** Root mean squared error. */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair('rmse', yTrue, yPred);
  return Math.sqrt(squaredErrorSum(yTrue, yPred) / yTrue.length);
}

/** Mean absolute error. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair('mae', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return s / yTrue.length;
}

/**
 * Coefficient of determination `1 - SS_res / SS_tot` (may be negative). When `yTrue` is constant
 * (SS_tot = 0) it is 1 for a perfect prediction and 0 otherwise, as scikit-learn's
 * `r2_score(force_finite=True)`.
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair('r2', yTrue, yPred);
  const m = mean(yTrue);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yTrue[i]! - m;
    total += d * d;
  }
  const residual = squaredErrorSum(yTrue, yPred);
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
