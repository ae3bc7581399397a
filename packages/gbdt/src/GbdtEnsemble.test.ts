import { InvalidParameterError, ModelFormatError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { matrixOf, synthetic } from '../test/syntheticData.js';
import { Gbdt } from './Gbdt.js';
import { GbdtEnsemble } from './GbdtEnsemble.js';

describe('GbdtEnsemble', () => {
  it('averages the probabilities of a depth-wise and a leaf-wise model, and round-trips', () => {
    const train = synthetic(600, 'binary', 21);
    const test = synthetic(200, 'binary', 22);
    const ensemble = GbdtEnsemble.xgboostLightgbmPair({ nEstimators: 20 });
    const results = ensemble.fit(train);
    expect(results).toHaveLength(2);
    const X = matrixOf(test);
    const [a, b] = ensemble.members.map((m) => m.predictProba(X));
    const p = ensemble.predictProba(X);
    p.forEach((v, i) => {
      expect(v).toBeCloseTo((a![i]! + b![i]!) / 2, 14);
    });
    const predicted = ensemble.predict(X);
    predicted.forEach((c, r) => {
      expect(c).toBe(p[2 * r + 1]! > p[2 * r]! ? 1 : 0);
    });
    const copy = GbdtEnsemble.fromJSON(JSON.parse(JSON.stringify(ensemble.toJSON())));
    expect(copy.predictProba(X)).toEqual(p);
  });

  it('weights regression members', () => {
    const data = synthetic(300, 'regression', 23);
    const a = new Gbdt({ objective: 'regression', nEstimators: 5 });
    const b = new Gbdt({ objective: 'regression', nEstimators: 5, numLeaves: 4 });
    const ensemble = new GbdtEnsemble([a, b], [3, 1]);
    ensemble.fit(data);
    const X = matrixOf(data);
    const pa = a.predict(X);
    const pb = b.predict(X);
    ensemble.predict(X).forEach((v, i) => {
      expect(v).toBeCloseTo(0.75 * pa[i]! + 0.25 * pb[i]!, 12);
    });
  });

  it('rejects mixed objectives, bad weights and malformed files', () => {
    expect(() => new GbdtEnsemble([new Gbdt(), new Gbdt({ objective: 'regression' })])).toThrow(InvalidParameterError);
    expect(() => new GbdtEnsemble([new Gbdt()], [-1])).toThrow(InvalidParameterError);
    expect(() => GbdtEnsemble.fromJSON({ kind: 'gbdt-ensemble', version: 1, weights: [1], members: [] })).toThrow(
      ModelFormatError,
    );
    expect(() => GbdtEnsemble.fromJSON({ kind: 'gbdt', version: 1 })).toThrow(ModelFormatError);
  });
});
