import { CancelledError, type Dataset, type FitOptions, InvalidParameterError, Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { accuracyMetric, LeastSquares, mseMetric, NearestCentroid } from '../test/testEstimators.js';
import { purgedKFold } from './purgedKFold.js';
import { fitFold, runWalkForward } from './runWalkForward.js';
import { walkForwardSplit } from './walkForwardSplit.js';

function linearDataset(n: number, seed: number, drift = 0): Dataset {
  const rng = new Rng(seed);
  const X = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    X[2 * i] = rng.normal();
    X[2 * i + 1] = rng.normal();
    // The slope drifts over time so that in-sample and out-of-sample errors differ.
    y[i] = (2 + drift * i) * X[2 * i]! - X[2 * i + 1]! + 0.1 * rng.normal();
  }
  return { X, y, featureNames: ['a', 'b'], time: Float64Array.from({ length: n }, (_, i) => i * 60_000) };
}

describe('runWalkForward', () => {
  it('stitches out-of-sample predictions that equal a model fitted on each fold’s train rows', async () => {
    const data = linearDataset(200, 1, 0.02);
    const splits = walkForwardSplit(200, { trainSize: 50, testSize: 30 });
    const result = await runWalkForward(data, splits, {
      createEstimator: () => new LeastSquares(),
      metrics: { mse: mseMetric },
    });
    expect(result.folds).toHaveLength(splits.length);
    expect(result.testedRows[0]).toBe(50);
    expect(result.testedRows).toHaveLength(150);
    expect(Number.isNaN(result.predictions[49]!)).toBe(true);
    // Independent check of fold 2: fit by hand on rows [60, 110), predict row 110.
    const manual = new LeastSquares();
    manual.fit({ ...data, X: data.X.slice(120, 220), y: data.y.slice(60, 110) });
    const row = { data: data.X.slice(220, 222), rows: 1, cols: 2 };
    expect(result.predictions[110]).toBeCloseTo(manual.predict(row)[0]!, 12);
    // Overall OOS MSE equals the MSE over the stitched rows; it is worse than an in-sample fit (drift).
    let sse = 0;
    for (const i of result.testedRows) sse += (data.y[i]! - result.predictions[i]!) ** 2;
    expect(result.metrics.mse).toBeCloseTo(sse / 150, 12);
    expect(result.folds[0]!.metrics.mse).toBeGreaterThan(0);
    expect(result.folds[0]!.fitResult).toEqual({ rows: 50 });
    expect(result.folds.every((f) => f.fitMs >= 0 && f.predictMs >= 0)).toBe(true);
  });

  it('stitches classifier probabilities and scores proba metrics', async () => {
    const rng = new Rng(3);
    const n = 120;
    const X = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 3;
      X[i] = y[i]! * 3 + rng.normal(0, 0.3);
    }
    const data: Dataset = {
      X,
      y,
      featureNames: ['x'],
      time: Float64Array.from({ length: n }, (_, i) => i),
      labelEnd: Float64Array.from({ length: n }, (_, i) => i + 2),
    };
    const meanTrueProba = {
      fn: (yy: Float64Array, p: Float64Array, k: number) => yy.reduce((s, v, i) => s + p[i * k + v]!, 0) / yy.length,
      greaterIsBetter: true,
      input: 'proba' as const,
    };
    const result = await runWalkForward(data, purgedKFold(data, { nSplits: 4, embargo: 2 }), {
      createEstimator: () => new NearestCentroid(3),
      metrics: { accuracy: accuracyMetric, meanTrueProba },
    });
    expect(result.numClasses).toBe(3);
    expect(result.proba).toHaveLength(n * 3);
    expect(result.metrics.accuracy).toBe(1);
    expect(result.metrics.meanTrueProba).toBeGreaterThan(0.9);
  });

  it('a fold runner (e.g. worker threads) finishing out of order gives the same result as the local run', async () => {
    const data = linearDataset(200, 2, 0.01);
    const splits = walkForwardSplit(200, { trainSize: 50, testSize: 30 });
    const local = await runWalkForward(data, splits, {
      createEstimator: () => new LeastSquares(),
      metrics: { mse: mseMetric },
    });
    const remote = await runWalkForward(data, splits, {
      // Later folds finish first, as they may on a pool.
      runFold: async (fold, split) => {
        await new Promise((resolve) => setTimeout(resolve, (splits.length - fold) * 3));
        return fitFold(data, split, new LeastSquares());
      },
      metrics: { mse: mseMetric },
    });
    expect(remote.predictions).toEqual(local.predictions);
    expect(remote.metrics).toEqual(local.metrics);
    expect(Array.from(remote.rowFold.subarray(50, 53))).toEqual([0, 0, 0]);
    expect(remote.rowFold[199]).toBe(splits.length - 1);
    expect(remote.folds.map((f) => f.metrics)).toEqual(local.folds.map((f) => f.metrics));
  });

  it('passes validation rows to fit, reports progress and honours abort', async () => {
    const data = linearDataset(100, 2);
    const seen: number[] = [];
    const events: string[] = [];
    const splits = walkForwardSplit(100, { trainSize: 40, testSize: 20, validationSize: 10 });
    await runWalkForward(data, splits, {
      createEstimator: () => {
        const model = new LeastSquares();
        const fit = model.fit.bind(model);
        model.fit = (d: Dataset, o?: FitOptions) => {
          seen.push(o?.validation?.y.length ?? 0, d.y.length);
          return fit(d);
        };
        return model;
      },
      onProgress: (e) => events.push(e.phase),
    });
    expect(seen).toEqual([10, 30, 10, 30, 10, 30]);
    expect(events).toEqual(['fold 1/3', 'fold 2/3', 'fold 3/3', 'done']);
    const controller = new AbortController();
    controller.abort();
    await expect(
      runWalkForward(data, splits, { createEstimator: () => new LeastSquares(), signal: controller.signal }),
    ).rejects.toThrow(CancelledError);
    await expect(runWalkForward(data, [], { createEstimator: () => new LeastSquares() })).rejects.toThrow(
      InvalidParameterError,
    );
  });
});
