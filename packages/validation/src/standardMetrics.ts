import { InvalidParameterError } from '@candlelab/core';
import { accuracy, logLoss, mae, mse, pearson, r2, rmse, rocAuc, spearman } from '@candlelab/metrics';
import type { Metric } from './metric.js';

/** Binary ROC-AUC from the probability of class 1 (column 1 of `rows × 2` probabilities). */
function binaryRocAuc(yTrue: Float64Array, proba: Float64Array, numClasses: number): number {
  if (numClasses !== 2)
    throw new InvalidParameterError('numClasses', numClasses, 'rocAuc needs a binary classifier (2 classes)');
  const scores = new Float64Array(yTrue.length);
  for (let i = 0; i < scores.length; i++) scores[i] = proba[i * 2 + 1]!;
  return rocAuc(yTrue, scores);
}

/** Names of {@link standardMetrics}. */
export type StandardMetricName = 'accuracy' | 'logLoss' | 'rocAuc' | 'mse' | 'rmse' | 'mae' | 'r2' | 'ic' | 'rankIc';

/**
 * Ready-made {@link Metric}s over `@candlelab/metrics`, for {@link runWalkForward} and
 * {@link permutationImportance}: classification (`accuracy`; `logLoss` and binary `rocAuc` on
 * probabilities) and regression (`mse`, `rmse`, `mae`, `r2`, `ic` = Pearson and `rankIc` =
 * Spearman correlation of predictions with targets).
 */
export const standardMetrics: Readonly<Record<StandardMetricName, Metric>> = {
  accuracy: { fn: (y, p) => accuracy(y, p), greaterIsBetter: true },
  logLoss: { fn: (y, p, k) => logLoss(y, p, k), greaterIsBetter: false, input: 'proba' },
  rocAuc: { fn: binaryRocAuc, greaterIsBetter: true, input: 'proba' },
  mse: { fn: (y, p) => mse(y, p), greaterIsBetter: false },
  rmse: { fn: (y, p) => rmse(y, p), greaterIsBetter: false },
  mae: { fn: (y, p) => mae(y, p), greaterIsBetter: false },
  r2: { fn: (y, p) => r2(y, p), greaterIsBetter: true },
  ic: { fn: (y, p) => pearson(p, y), greaterIsBetter: true },
  rankIc: { fn: (y, p) => spearman(p, y), greaterIsBetter: true },
};
