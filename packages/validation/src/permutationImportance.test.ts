import { type Dataset, Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { LeastSquares, mseMetric } from '../test/testEstimators.js';
import { permutationImportance, permutationImportanceCV } from './permutationImportance.js';
import { purgedKFold } from './purgedKFold.js';

function dataset(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const X = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) X[i * 3 + c] = rng.normal();
    y[i] = 3 * X[i * 3]! + 1 * X[i * 3 + 1]! + 0.05 * rng.normal();
  }
  return { X, y, featureNames: ['strong', 'weak', 'noise'], time: Float64Array.from({ length: n }, (_, i) => i) };
}

describe('permutationImportance', () => {
  it('ranks features by the drop in the metric, ~0 for noise, and matches the theory for OLS', () => {
    const train = dataset(400, 1);
    const test = dataset(400, 2);
    const model = new LeastSquares();
    model.fit(train);
    const imp = permutationImportance(model, test, { metric: mseMetric, nRepeats: 10, seed: 5 });
    // For a linear model with independent unit-variance features, shuffling feature j raises the
    // MSE by about 2·β_j² (the column and its shuffle are independent): 18 and 2.
    expect(imp.mean[0]).toBeGreaterThan(14);
    expect(imp.mean[0]).toBeLessThan(22);
    expect(imp.mean[1]).toBeGreaterThan(1.5);
    expect(imp.mean[1]).toBeLessThan(2.5);
    expect(Math.abs(imp.mean[2]!)).toBeLessThan(0.01);
    expect(imp.std[0]).toBeGreaterThan(0);
    expect(imp.drops).toHaveLength(30);
    // The dataset's X is left untouched.
    expect(test.X).toEqual(dataset(400, 2).X);
  });

  it('is bit-identical for the same seed and differs for another', () => {
    const data = dataset(100, 3);
    const model = new LeastSquares();
    model.fit(data);
    const a = permutationImportance(model, data, { metric: mseMetric, seed: 9 });
    const b = permutationImportance(model, data, { metric: mseMetric, seed: 9 });
    const c = permutationImportance(model, data, { metric: mseMetric, seed: 10 });
    expect(a.drops).toEqual(b.drops);
    expect(a.drops).not.toEqual(c.drops);
  });

  it('runs under purged CV, pooling fold × repeat drops', async () => {
    const data = dataset(300, 4);
    data.labelEnd = Float64Array.from(data.time, (t) => t + 3);
    const imp = await permutationImportanceCV(data, purgedKFold(data, { nSplits: 3, embargo: 2 }), {
      createEstimator: () => new LeastSquares(),
      metric: mseMetric,
      nRepeats: 4,
      seed: 1,
    });
    expect(imp.drops).toHaveLength(3 * 4 * 3);
    expect(imp.mean[0]).toBeGreaterThan(imp.mean[1]!);
    expect(imp.mean[1]).toBeGreaterThan(imp.mean[2]!);
    expect(imp.baseline).toBeLessThan(0.01);
  });
});
