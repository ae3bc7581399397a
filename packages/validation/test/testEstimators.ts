import {
  type Classifier,
  type Dataset,
  type Estimator,
  type FitOptions,
  type Matrix,
  type ModelJson,
  NotFittedError,
} from '@candlelab/core';
import type { Metric } from '../src/metric.js';

/** Ordinary least squares by gradient-free normal equations (Gauss–Jordan), for tests only. */
export class LeastSquares implements Estimator<{ rows: number }> {
  coef: Float64Array | undefined;

  fit(dataset: Dataset, _options?: FitOptions): { rows: number } {
    const d = dataset.featureNames.length + 1;
    const n = dataset.y.length;
    const a = Array.from({ length: d }, () => new Float64Array(d + 1));
    for (let i = 0; i < n; i++) {
      const row = [1, ...dataset.X.subarray(i * (d - 1), (i + 1) * (d - 1))];
      for (let p = 0; p < d; p++) {
        for (let q = 0; q < d; q++) a[p]![q]! += row[p]! * row[q]!;
        a[p]![d]! += row[p]! * dataset.y[i]!;
      }
    }
    for (let p = 0; p < d; p++) {
      a[p]![p]! += 1e-9;
      for (let r = 0; r < d; r++) {
        if (r === p) continue;
        const f = a[r]![p]! / a[p]![p]!;
        for (let q = p; q <= d; q++) a[r]![q]! -= f * a[p]![q]!;
      }
    }
    this.coef = Float64Array.from(a, (row, p) => row[d]! / row[p]!);
    return { rows: n };
  }

  predict(X: Matrix): Float64Array {
    const coef = this.coef;
    if (!coef) throw new NotFittedError('LeastSquares');
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let s = coef[0]!;
      for (let c = 0; c < X.cols; c++) s += coef[c + 1]! * X.data[i * X.cols + c]!;
      out[i] = s;
    }
    return out;
  }

  toJSON(): ModelJson {
    return { kind: 'test-least-squares', version: 1, coef: [...(this.coef ?? [])] };
  }
}

/** Nearest-centroid classifier with softmax-of-negative-distance probabilities, for tests only. */
export class NearestCentroid implements Classifier<void> {
  readonly numClasses: number;
  centroids: Float64Array | undefined;
  private cols = 0;

  constructor(numClasses: number) {
    this.numClasses = numClasses;
  }

  fit(dataset: Dataset): void {
    const d = dataset.featureNames.length;
    const sums = new Float64Array(this.numClasses * d);
    const counts = new Float64Array(this.numClasses);
    for (let i = 0; i < dataset.y.length; i++) {
      const k = dataset.y[i]!;
      counts[k]!++;
      for (let c = 0; c < d; c++) sums[k * d + c]! += dataset.X[i * d + c]!;
    }
    for (let k = 0; k < this.numClasses; k++) for (let c = 0; c < d; c++) sums[k * d + c]! /= Math.max(1, counts[k]!);
    this.centroids = sums;
    this.cols = d;
  }

  predictProba(X: Matrix): Float64Array {
    const centroids = this.centroids;
    if (!centroids) throw new NotFittedError('NearestCentroid');
    const K = this.numClasses;
    const out = new Float64Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      let total = 0;
      for (let k = 0; k < K; k++) {
        let dist = 0;
        for (let c = 0; c < this.cols; c++) dist += (X.data[i * X.cols + c]! - centroids[k * this.cols + c]!) ** 2;
        out[i * K + k] = Math.exp(-dist);
        total += out[i * K + k]!;
      }
      for (let k = 0; k < K; k++) out[i * K + k] = total > 0 ? out[i * K + k]! / total : 1 / K;
    }
    return out;
  }

  predict(X: Matrix): Float64Array {
    const proba = this.predictProba(X);
    const K = this.numClasses;
    return Float64Array.from({ length: X.rows }, (_, i) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (proba[i * K + k]! > proba[i * K + best]!) best = k;
      return best;
    });
  }

  toJSON(): ModelJson {
    return { kind: 'test-nearest-centroid', version: 1 };
  }
}

export const mseMetric: Metric = {
  fn: (y, p) => y.reduce((s, v, i) => s + (v - p[i]!) ** 2, 0) / y.length,
  greaterIsBetter: false,
};

export const accuracyMetric: Metric = {
  fn: (y, p) => y.reduce((s, v, i) => s + (v === p[i] ? 1 : 0), 0) / y.length,
  greaterIsBetter: true,
};
