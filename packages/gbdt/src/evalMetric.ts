import { accuracy, logLoss, mae, rmse, rocAuc } from '@candlelab/metrics';
import { sigmoid, softmaxInPlace } from './objective.js';
import type { EvalMetric } from './params.js';

/** Whether larger values of the metric are better (only `auc`). */
export function higherIsBetter(metric: EvalMetric): boolean {
  return metric === 'auc';
}

/**
 * An evaluation metric of raw scores (`n × k` row-major) against labels, unweighted, computed by
 * `@candlelab/metrics` (one definition of each metric in candlelab): `rmse`/`mae` on the raw
 * values; `logloss`/`error`/`auc` on the binary margin (probability = sigmoid, class = margin > 0);
 * `mlogloss`/`merror` on the softmax of `k` classes. `error`/`merror` are `1 − accuracy`. `auc`
 * needs both classes in `y` (checked when fitting starts).
 */
export function evaluateMetric(metric: EvalMetric, raw: Float64Array, y: Float64Array, n: number, k: number): number {
  if (n === 0) return Number.NaN;
  const labels = y.subarray(0, n);
  switch (metric) {
    case 'rmse':
      return rmse(labels, raw.subarray(0, n));
    case 'mae':
      return mae(labels, raw.subarray(0, n));
    case 'auc':
      return rocAuc(labels, raw.subarray(0, n));
    case 'logloss':
      return logLoss(labels, binaryProbabilities(raw, n), 2);
    case 'error':
      return 1 - accuracy(labels, predictedClasses(raw, n, 1));
    case 'mlogloss': {
      const proba = raw.slice(0, n * k);
      for (let r = 0; r < n; r++) softmaxInPlace(proba, r * k, k);
      return logLoss(labels, proba, k);
    }
    case 'merror':
      return 1 - accuracy(labels, predictedClasses(raw, n, k));
  }
}

/** `[1 − p, p]` rows of the sigmoid of each binary margin. */
function binaryProbabilities(raw: Float64Array, n: number): Float64Array {
  const proba = new Float64Array(2 * n);
  for (let r = 0; r < n; r++) {
    const p = sigmoid(raw[r]!);
    proba[2 * r] = 1 - p;
    proba[2 * r + 1] = p;
  }
  return proba;
}

/** Predicted class per row: margin > 0 for one output, else the arg-max of the `k` raw scores. */
function predictedClasses(raw: Float64Array, n: number, k: number): Float64Array {
  const predicted = new Float64Array(n);
  for (let r = 0; r < n; r++) predicted[r] = k === 1 ? (raw[r]! > 0 ? 1 : 0) : argmax(raw, r * k, k);
  return predicted;
}

/** Index (0-based, relative to `offset`) of the largest of `values[offset .. offset + k)`. */
export function argmax(values: Float64Array, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}
