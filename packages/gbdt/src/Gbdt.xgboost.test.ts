import { readFileSync } from 'node:fs';
import type { Dataset } from '@candlelab/core';
import { rocAuc } from '@candlelab/metrics';
import { describe, expect, it } from 'vitest';
import { evaluateMetric } from './evalMetric.js';
import { Gbdt } from './Gbdt.js';

/**
 * Reference: XGBoost's `hist` method on the same fixed dataset and split, produced by
 * `reference/makeXgboostReference.py` (xgboost 1.7.4, scikit-learn 1.2.1 metrics) into
 * `reference/xgboostReference.json`. Same settings: depth-wise, depth 4, eta 0.1, 100 rounds,
 * lambda 1, min_child_weight 1, 255 bins.
 */
interface Reference {
  nTrain: number;
  X: (number | null)[][];
  yBinary: number[];
  yMulti: number[];
  yRegression: number[];
  binary: { auc: number; accuracy: number; logloss: number };
  multiclass: { accuracy: number; mlogloss: number };
  regression: { rmse: number };
}

const reference = JSON.parse(
  readFileSync(new URL('../reference/xgboostReference.json', import.meta.url), 'utf8'),
) as Reference;
const d = reference.X[0]!.length;
const X = Float64Array.from(reference.X.flat(), (v) => v ?? Number.NaN);
const nTrain = reference.nTrain;
const nTest = reference.X.length - nTrain;
const featureNames = Array.from({ length: d }, (_, f) => `f${f}`);
const testX = { data: X.subarray(nTrain * d), rows: nTest, cols: d };

function trainSet(y: number[]): Dataset {
  return {
    X: X.subarray(0, nTrain * d),
    y: Float64Array.from(y.slice(0, nTrain)),
    featureNames,
    time: new Float64Array(nTrain),
  };
}
const xgboostLike = {
  growPolicy: 'depthwise',
  maxDepth: 4,
  learningRate: 0.1,
  nEstimators: 100,
  lambdaL2: 1,
  minDataInLeaf: 1,
  minSumHessianInLeaf: 1,
} as const;

describe('Gbdt against XGBoost hist on a fixed dataset', () => {
  it('binary: AUC, accuracy and log-loss comparable', () => {
    const model = new Gbdt({ ...xgboostLike, objective: 'binary' });
    model.fit(trainSet(reference.yBinary));
    const yTest = Float64Array.from(reference.yBinary.slice(nTrain));
    const raw = model.predictRaw(testX);
    const auc = rocAuc(yTest, raw);
    expect(auc).toBeGreaterThan(reference.binary.auc - 0.01);
    expect(1 - evaluateMetric('error', raw, yTest, nTest, 1)).toBeGreaterThan(reference.binary.accuracy - 0.02);
    expect(evaluateMetric('logloss', raw, yTest, nTest, 1)).toBeLessThan(reference.binary.logloss + 0.02);
  });

  it('multiclass: accuracy and log-loss comparable', () => {
    const model = new Gbdt({ ...xgboostLike, objective: 'multiclass' });
    model.fit(trainSet(reference.yMulti));
    const yTest = Float64Array.from(reference.yMulti.slice(nTrain));
    const raw = model.predictRaw(testX);
    expect(1 - evaluateMetric('merror', raw, yTest, nTest, 3)).toBeGreaterThan(reference.multiclass.accuracy - 0.02);
    expect(evaluateMetric('mlogloss', raw, yTest, nTest, 3)).toBeLessThan(reference.multiclass.mlogloss + 0.03);
  });

  it('regression: RMSE comparable', () => {
    const model = new Gbdt({ ...xgboostLike, objective: 'regression' });
    model.fit(trainSet(reference.yRegression));
    const yTest = Float64Array.from(reference.yRegression.slice(nTrain));
    expect(evaluateMetric('rmse', model.predictRaw(testX), yTest, nTest, 1)).toBeLessThan(
      reference.regression.rmse * 1.03,
    );
  });
});
