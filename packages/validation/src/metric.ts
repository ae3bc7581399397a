import { type Classifier, type Estimator, InvalidParameterError, type Matrix } from '@candlelab/core';

/**
 * A scoring function with its direction. `fn` receives the true labels and either the model's
 * predictions (`input: 'prediction'`) or its row-major class probabilities (`input: 'proba'`,
 * classifiers only) plus the number of classes.
 */
export interface Metric {
  fn: (yTrue: Float64Array, yPred: Float64Array, numClasses: number) => number;
  /** Whether a larger value is better (accuracy, Sharpe) or worse (MSE, log-loss). */
  greaterIsBetter: boolean;
  /** What the model hands to `fn`. Default `'prediction'`. */
  input?: 'prediction' | 'proba';
}

/** True when the model gives class probabilities (a `predictProba` and at least two classes). */
export function isClassifier(model: Estimator): model is Classifier {
  const candidate = model as Partial<Classifier>;
  return (
    typeof candidate.predictProba === 'function' &&
    typeof candidate.numClasses === 'number' &&
    candidate.numClasses >= 2
  );
}

/** The model's output that `metric` reads, for the rows of `X`. */
export function metricInput(
  model: Estimator,
  X: Matrix,
  metric: Metric,
  name: string,
): { values: Float64Array; numClasses: number } {
  if ((metric.input ?? 'prediction') === 'prediction') return { values: model.predict(X), numClasses: 0 };
  if (!isClassifier(model))
    throw new InvalidParameterError(`metrics.${name}.input`, 'proba', 'the model has no predictProba');
  return { values: model.predictProba(X), numClasses: model.numClasses };
}

/** `metric` of `model` on a dataset's rows. */
export function scoreModel(model: Estimator, X: Matrix, y: Float64Array, metric: Metric, name = 'metric'): number {
  const { values, numClasses } = metricInput(model, X, metric, name);
  return metric.fn(y, values, numClasses);
}
