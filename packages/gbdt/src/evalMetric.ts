import { argsort } from '@candlelab/core';
import { clip, sigmoid, softmaxInPlace } from './objective.js';
import type { EvalMetric } from './params.js';

/** Whether larger values of the metric are better (only `auc`). */
export function higherIsBetter(metric: EvalMetric): boolean {
  return metric === 'auc';
}

/**
 * Area under the ROC curve of `scores` for binary `labels` (1 = positive), by the
 * Mann–Whitney rank statistic with average ranks for ties. 0.5 when a class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = argsort(scores);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const v = scores[order[i]!]!;
    while (j + 1 < n && scores[order[j + 1]!] === v) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (labels[order[t]!] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * An evaluation metric of raw scores (`n × k` row-major) against labels, unweighted:
 * `rmse`/`mae` on the raw values, `logloss`/`error`/`auc` on the binary margin, `mlogloss`/`merror`
 * on the softmax of `k` classes.
 */
export function evaluateMetric(metric: EvalMetric, raw: Float64Array, y: Float64Array, n: number, k: number): number {
  if (n === 0) return Number.NaN;
  switch (metric) {
    case 'rmse': {
      let s = 0;
      for (let r = 0; r < n; r++) s += (raw[r]! - y[r]!) ** 2;
      return Math.sqrt(s / n);
    }
    case 'mae': {
      let s = 0;
      for (let r = 0; r < n; r++) s += Math.abs(raw[r]! - y[r]!);
      return s / n;
    }
    case 'logloss': {
      let s = 0;
      for (let r = 0; r < n; r++) {
        const p = clip(sigmoid(raw[r]!));
        s -= y[r] === 1 ? Math.log(p) : Math.log(1 - p);
      }
      return s / n;
    }
    case 'error': {
      let wrong = 0;
      for (let r = 0; r < n; r++) if (raw[r]! > 0 !== (y[r] === 1)) wrong++;
      return wrong / n;
    }
    case 'auc':
      return rocAuc(raw.subarray(0, n), y);
    case 'mlogloss': {
      let s = 0;
      const p = new Float64Array(k);
      for (let r = 0; r < n; r++) {
        p.set(raw.subarray(r * k, r * k + k));
        softmaxInPlace(p, 0, k);
        s -= Math.log(clip(p[y[r]!] ?? 0));
      }
      return s / n;
    }
    case 'merror': {
      let wrong = 0;
      for (let r = 0; r < n; r++) if (argmax(raw, r * k, k) !== y[r]) wrong++;
      return wrong / n;
    }
  }
}

/** Index (0-based, relative to `offset`) of the largest of `values[offset .. offset + k)`. */
export function argmax(values: Float64Array, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}
