import { ValidationError } from '@candlelab/core';
import { ranksOf } from './averageRanks.js';
import { checkSameLength, checkSeries } from './checkSeries.js';

/**
 * Area under the ROC curve of binary labels (0/1) and real-valued scores, computed as the
 * Mann–Whitney statistic `(Σ rank(positives) - P(P + 1)/2) / (P · N)` with average ranks for tied
 * scores, which equals scikit-learn's `roc_auc_score` (ties count one half). Both classes must be
 * present; reversing the scores gives `1 - AUC`.
 */
export function rocAuc(yTrue01: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSeries('rocAuc', 'yTrue', yTrue01);
  checkSeries('rocAuc', 'scores', scores);
  checkSameLength('rocAuc', 'yTrue', yTrue01, 'scores', scores);
  const n = yTrue01.length;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const label = yTrue01[i]!;
    if (label !== 0 && label !== 1) {
      throw new ValidationError('rocAuc', [{ row: i, field: 'yTrue', reason: `must be 0 or 1 (got ${label})` }]);
    }
    positives += label;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    throw new ValidationError('rocAuc', [{ field: 'yTrue', reason: 'needs both classes (0 and 1) to define ROC-AUC' }]);
  }
  const ranks = ranksOf(scores);
  let rankSum = 0;
  for (let i = 0; i < n; i++) if (yTrue01[i] === 1) rankSum += ranks[i]!;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
