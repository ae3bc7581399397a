import { InvalidParameterError, ValidationError } from '@candlelab/core';
import { checkSameLength, checkSeries } from './checkSeries.js';

/** Throws unless `numClasses` is an integer >= 1. */
export function checkNumClasses(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new InvalidParameterError('numClasses', numClasses, 'must be an integer >= 1');
  }
}

/** Boundary check for class labels: integers in [0, numClasses). */
export function checkLabels(context: string, name: string, labels: ArrayLike<number>, numClasses: number): void {
  checkSeries(context, name, labels);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new ValidationError(context, [
        { row: i, field: name, reason: `must be an integer class label in [0, ${numClasses}) (got ${label})` },
      ]);
    }
  }
}

/** Fraction of positions where `yPred` equals `yTrue` (any finite labels). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSeries('accuracy', 'yTrue', yTrue);
  checkSeries('accuracy', 'yPred', yPred);
  checkSameLength('accuracy', 'yTrue', yTrue, 'yPred', yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

function counts(context: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  checkNumClasses(numClasses);
  checkLabels(context, 'yTrue', yTrue, numClasses);
  checkLabels(context, 'yPred', yPred, numClasses);
  checkSameLength(context, 'yTrue', yTrue, 'yPred', yPred);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]!]![yPred[i]!]!++;
  return matrix;
}

/**
 * Confusion matrix `k × k` of integer labels in [0, numClasses): `matrix[t][p]` counts samples of
 * true class `t` predicted as `p` (rows = true class, as scikit-learn).
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  return counts('confusionMatrix', yTrue, yPred, numClasses);
}

/** Precision, recall and F1 of one class (or an average of them). */
export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** Per-class scores plus the number of true samples of the class. */
export interface ClassScores extends PrecisionRecallF1 {
  support: number;
}

/** Result of {@link classificationReport}. */
export interface ClassificationReport {
  /** Indexed by class label 0 … numClasses - 1. */
  perClass: ClassScores[];
  /** Unweighted mean over all `numClasses` classes (including classes absent from both inputs). */
  macro: PrecisionRecallF1;
  /** Mean weighted by support. */
  weighted: PrecisionRecallF1;
  accuracy: number;
}

/**
 * Per-class precision, recall, F1 and support with macro and support-weighted averages and
 * accuracy, for integer labels in [0, numClasses). Like scikit-learn's
 * `precision_recall_fscore_support(labels=range(k), zero_division=0)`: a score whose denominator
 * is 0 (a class never predicted, or never present) is 0.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses: number,
): ClassificationReport {
  const matrix = counts('classificationReport', yTrue, yPred, numClasses);
  const n = yTrue.length;
  const perClass: ClassScores[] = [];
  const macro: PrecisionRecallF1 = { precision: 0, recall: 0, f1: 0 };
  const weighted: PrecisionRecallF1 = { precision: 0, recall: 0, f1: 0 };
  let correct = 0;
  for (let c = 0; c < numClasses; c++) {
    const row = matrix[c]!;
    const tp = row[c]!;
    correct += tp;
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < numClasses; j++) {
      support += row[j]!;
      predicted += matrix[j]![c]!;
    }
    const scores: ClassScores = {
      precision: predicted === 0 ? 0 : tp / predicted,
      recall: support === 0 ? 0 : tp / support,
      f1: tp === 0 ? 0 : (2 * tp) / (predicted + support),
      support,
    };
    perClass.push(scores);
    for (const key of ['precision', 'recall', 'f1'] as const) {
      macro[key] += scores[key] / numClasses;
      weighted[key] += (scores[key] * support) / n;
    }
  }
  return { perClass, macro, weighted, accuracy: correct / n };
}
