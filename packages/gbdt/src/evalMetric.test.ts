import { Rng, ValidationError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { evaluateMetric } from './evalMetric.js';
import { Gbdt } from './Gbdt.js';

describe('evaluation metrics', () => {
  it('computes ROC-AUC of binary margins with ties as average ranks (sklearn roc_auc_score values)', () => {
    // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
    expect(evaluateMetric('auc', Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1), 4, 1)).toBeCloseTo(
      0.75,
      12,
    );
    // roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) = 0.875
    expect(evaluateMetric('auc', Float64Array.of(0.5, 0.5, 0.2, 0.9), Float64Array.of(0, 1, 0, 1), 4, 1)).toBeCloseTo(
      0.875,
      12,
    );
  });

  it('computes log-loss, error, rmse, mae, mlogloss and merror from raw scores', () => {
    const y = Float64Array.of(1, 0);
    const raw = Float64Array.of(0, Math.log(3)); // p = 0.5, 0.75
    expect(evaluateMetric('logloss', raw, y, 2, 1)).toBeCloseTo((-Math.log(0.5) - Math.log(0.25)) / 2, 12);
    expect(evaluateMetric('error', raw, y, 2, 1)).toBe(1);
    expect(evaluateMetric('rmse', Float64Array.of(1, 3), Float64Array.of(0, 0), 2, 1)).toBeCloseTo(Math.sqrt(5), 12);
    expect(evaluateMetric('mae', Float64Array.of(1, -3), Float64Array.of(0, 0), 2, 1)).toBe(2);
    const multi = Float64Array.of(0, 0, Math.log(2), 5, 0, 0); // row 0: p = [.25, .25, .5]
    expect(evaluateMetric('mlogloss', multi, Float64Array.of(2, 0), 2, 3)).toBeCloseTo(
      (-Math.log(0.5) - Math.log(Math.exp(5) / (Math.exp(5) + 2))) / 2,
      12,
    );
    expect(evaluateMetric('merror', multi, Float64Array.of(2, 1), 2, 3)).toBe(0.5);
  });

  it('evaluates only the first n rows of larger buffers', () => {
    const raw = Float64Array.of(2, -2, 99);
    const y = Float64Array.of(1, 0, 0);
    expect(evaluateMetric('rmse', raw, y, 2, 1)).toBeCloseTo(Math.sqrt((1 + 4) / 2), 12);
    expect(evaluateMetric('auc', raw, y, 2, 1)).toBe(1);
  });

  it("refuses, before training, an 'auc' validation set without both classes", () => {
    const rng = new Rng(1);
    const n = 60;
    const X = Float64Array.from({ length: n }, () => rng.float());
    const y = Float64Array.from({ length: n }, (_, i) => i % 2);
    const dataset = { X, y, featureNames: ['x'], time: Float64Array.from({ length: n }, (_, i) => i) };
    const validation = { ...dataset, y: new Float64Array(n) };
    const model = new Gbdt({ nEstimators: 3, metric: 'auc' });
    expect(() => model.fit(dataset, { validation })).toThrow(ValidationError);
    expect(() => model.fit(dataset, { validation })).toThrow(/both classes/);
  });
});
