import {
  type Dataset,
  InvalidParameterError,
  ModelFormatError,
  NotEnoughDataError,
  NotFittedError,
  Rng,
  ValidationError,
} from '@candlelab/core';
import { rocAuc } from '@candlelab/metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrixOf, synthetic } from '../test/syntheticData.js';
import { Gbdt } from './Gbdt.js';

describe('Gbdt training', () => {
  it.each(['binary', 'multiclass', 'regression'] as const)(
    'decreases the %s training loss every round',
    (objective) => {
      const data = synthetic(600, objective, 2);
      const { history } = new Gbdt({ objective, nEstimators: 30, numLeaves: 15 }).fit(data);
      expect(history.trainLoss).toHaveLength(30);
      for (let i = 1; i < history.trainLoss.length; i++)
        expect(history.trainLoss[i]!).toBeLessThan(history.trainLoss[i - 1]!);
    },
  );

  it('learns a separable problem perfectly', () => {
    const rng = new Rng(3);
    const n = 400;
    const X = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const y = Float64Array.from({ length: n }, (_, r) => (X[r * 3]! > 0.3 ? 1 : 0));
    const data: Dataset = { X, y, featureNames: ['a', 'b', 'c'], time: new Float64Array(n) };
    const model = new Gbdt({ nEstimators: 20, numLeaves: 4, minDataInLeaf: 5 });
    model.fit(data);
    expect(Array.from(model.predict(matrixOf(data)))).toEqual(Array.from(y));
    // Practically all the gain is in feature a (later trees only split rounding noise).
    const gain = model.featureImportance('gain');
    expect(gain[1]! + gain[2]!).toBeLessThan(1e-9 * gain[0]!);
  });

  it('gives multiclass probabilities that sum to 1', () => {
    const data = synthetic(500, 'multiclass', 4);
    const model = new Gbdt({ objective: 'multiclass', nEstimators: 15, numLeaves: 7 });
    model.fit(data);
    expect(model.numClasses).toBe(3);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constant(Number.NaN)), {
          minLength: 6,
          maxLength: 60,
        }),
        (values) => {
          const rows = Math.floor(values.length / 6);
          const proba = model.predictProba({ data: Float64Array.from(values.slice(0, rows * 6)), rows, cols: 6 });
          for (let r = 0; r < rows; r++) {
            const sum = proba[3 * r]! + proba[3 * r + 1]! + proba[3 * r + 2]!;
            expect(sum).toBeCloseTo(1, 12);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('treats integer weights like duplicated rows', () => {
    const base = synthetic(300, 'regression', 5, 4);
    // One decimal keeps every feature under 255 distinct values, so both datasets get the same bins.
    const X = base.X.map((v) => Math.round(v * 10) / 10);
    const rng = new Rng(6);
    const weights = Float64Array.from(base.y, () => 1 + rng.int(2));
    const rows: number[] = [];
    weights.forEach((w, r) => {
      for (let k = 0; k < w; k++) rows.push(r);
    });
    const duplicated: Dataset = {
      X: Float64Array.from(rows.flatMap((r) => Array.from(X.subarray(r * 4, r * 4 + 4)))),
      y: Float64Array.from(rows, (r) => base.y[r]!),
      featureNames: base.featureNames,
      time: new Float64Array(rows.length),
    };
    const params = {
      objective: 'regression',
      nEstimators: 10,
      numLeaves: 8,
      minDataInLeaf: 1,
      minSumHessianInLeaf: 0,
    } as const;
    const weighted = new Gbdt(params);
    weighted.fit({ ...base, X, weights });
    const copies = new Gbdt(params);
    copies.fit(duplicated);
    const a = weighted.toJSON();
    const b = copies.toJSON();
    expect(a.baseScore[0]!).toBeCloseTo(b.baseScore[0]!, 12);
    a.trees.forEach((tree, t) => {
      const other = b.trees[t]!;
      expect(tree.feature).toEqual(other.feature);
      expect(tree.threshold).toEqual(other.threshold);
      expect(tree.defaultLeft).toEqual(other.defaultLeft);
      tree.value.forEach((v, i) => {
        expect(v).toBeCloseTo(other.value[i]!, 10);
      });
    });
  });

  it('stops early at the best validation iteration and predicts with it by default', () => {
    const train = synthetic(400, 'binary', 7, 6, 1.5);
    const validation = synthetic(400, 'binary', 8, 6, 1.5);
    const model = new Gbdt({
      nEstimators: 300,
      learningRate: 0.3,
      numLeaves: 31,
      minDataInLeaf: 3,
      earlyStoppingRounds: 10,
    });
    const result = model.fit(train, { validation });
    const scores = result.history.validation;
    const best = scores.indexOf(Math.min(...scores));
    expect(result.bestIteration).toBe(best);
    expect(result.bestScore).toBe(scores[best]);
    expect(result.rounds).toBe(best + 11);
    expect(result.rounds).toBeLessThan(300);
    expect(model.rounds).toBe(result.rounds);
    const X = matrixOf(validation);
    expect(model.predictProba(X)).toEqual(model.predictProba(X, { iterations: best + 1 }));
    expect(model.predictProba(X)).not.toEqual(model.predictProba(X, { iterations: result.rounds }));
  });

  it('early-stops on AUC, a larger-is-better metric', () => {
    const train = synthetic(400, 'binary', 9, 6, 1.5);
    const validation = synthetic(300, 'binary', 10, 6, 1.5);
    const result = new Gbdt({
      nEstimators: 200,
      learningRate: 0.3,
      minDataInLeaf: 3,
      earlyStoppingRounds: 8,
      metric: 'auc',
    }).fit(train, { validation });
    const scores = result.history.validation;
    expect(result.bestIteration).toBe(scores.indexOf(Math.max(...scores)));
  });

  it('learns the direction of missing values', () => {
    const rng = new Rng(11);
    const n = 600;
    const X = new Float64Array(n * 2);
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const missing = rng.bernoulli(0.3);
      X[2 * r] = missing ? Number.NaN : rng.normal();
      X[2 * r + 1] = rng.normal();
      y[r] = missing || X[2 * r]! > 1 ? 1 : 0;
    }
    const model = new Gbdt({ nEstimators: 20, numLeaves: 4 });
    model.fit({ X, y, featureNames: ['a', 'b'], time: new Float64Array(n) });
    const p = model.predictProba({ data: Float64Array.of(Number.NaN, 0, 0, 0, 2, 0), rows: 3, cols: 2 });
    expect(p[1]!).toBeGreaterThan(0.9);
    expect(p[3]!).toBeLessThan(0.1);
    expect(p[5]!).toBeGreaterThan(0.9);
  });

  it('respects maxDepth (depth-wise) and numLeaves (leaf-wise)', () => {
    const data = synthetic(800, 'regression', 12);
    const depthwise = new Gbdt({
      objective: 'regression',
      growPolicy: 'depthwise',
      maxDepth: 3,
      nEstimators: 5,
      minDataInLeaf: 2,
    });
    depthwise.fit(data);
    const leafwise = new Gbdt({ objective: 'regression', numLeaves: 5, nEstimators: 5, minDataInLeaf: 2 });
    leafwise.fit(data);
    for (const tree of depthwise.toJSON().trees) {
      expect(tree.feature.filter((f) => f < 0)).toHaveLength(8);
      expect(treeDepth(tree, 0)).toBe(3);
    }
    for (const tree of leafwise.toJSON().trees) expect(tree.feature.filter((f) => f < 0)).toHaveLength(5);
  });

  it('is bit-identical for the same seed with bagging and column sampling, and differs for another seed', () => {
    const data = synthetic(500, 'binary', 13);
    const params = { nEstimators: 10, subsample: 0.7, colsampleByTree: 0.7, colsampleByNode: 0.6, binSampleSize: 200 };
    const a = new Gbdt({ ...params, seed: 42 });
    a.fit(data);
    const b = new Gbdt({ ...params, seed: 42 });
    b.fit(data);
    const c = new Gbdt({ ...params, seed: 43 });
    c.fit(data);
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    expect(JSON.stringify(a.toJSON())).not.toBe(JSON.stringify(c.toJSON()));
  });

  it('generalises: test AUC well above chance on held-out data', () => {
    const model = new Gbdt({ nEstimators: 60, numLeaves: 15 });
    model.fit(synthetic(2000, 'binary', 14));
    const test = synthetic(1000, 'binary', 15);
    const p = model.predictProba(matrixOf(test)).filter((_, i) => i % 2 === 1);
    expect(rocAuc(test.y, p)).toBeGreaterThan(0.85);
  });
});

describe('Gbdt model format', () => {
  it('round-trips through JSON with identical predictions (including NaN inputs)', () => {
    for (const objective of ['binary', 'multiclass', 'regression'] as const) {
      const data = synthetic(400, objective, 16);
      data.X[5] = Number.NaN;
      const model = new Gbdt({ objective, nEstimators: 12, subsample: 0.8 });
      model.fit(data);
      const copy = Gbdt.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
      const X = { data: Float64Array.from(data.X, (v, i) => (i % 7 === 0 ? Number.NaN : v)), rows: 400, cols: 6 };
      expect(copy.predictRaw(X)).toEqual(model.predictRaw(X));
      expect(copy.predict(X)).toEqual(model.predict(X));
      expect(copy.featureImportance('split')).toEqual(model.featureImportance('split'));
      expect(copy.bestIteration).toBe(model.bestIteration);
    }
  });

  it('refuses other kinds, newer versions and malformed trees with ModelFormatError', () => {
    const model = new Gbdt({ nEstimators: 3 });
    model.fit(synthetic(200, 'binary', 17));
    const json = model.toJSON();
    expect(() => Gbdt.fromJSON({ ...json, kind: 'mlp' })).toThrow(ModelFormatError);
    expect(() => Gbdt.fromJSON({ ...json, version: 2 })).toThrow(/newer/);
    const tree = json.trees[0]!;
    const looping = { ...tree, left: tree.left.map((l) => Math.min(l, 0)) };
    expect(() => Gbdt.fromJSON({ ...json, trees: [looping, ...json.trees.slice(1)] })).toThrow(ModelFormatError);
    expect(() => Gbdt.fromJSON({ ...json, params: { objective: 'poisson' } })).toThrow(ModelFormatError);
  });

  it('throws NotFittedError before fit', () => {
    const model = new Gbdt();
    expect(() => model.predict({ data: new Float64Array(2), rows: 1, cols: 2 })).toThrow(NotFittedError);
    expect(() => model.toJSON()).toThrow(NotFittedError);
  });
});

describe('Gbdt bad input', () => {
  const good = synthetic(100, 'binary', 18);

  it('rejects NaN and Infinity labels naming the row', () => {
    const y = good.y.slice();
    y[7] = Number.NaN;
    y[9] = Number.POSITIVE_INFINITY;
    const error = catchError(() => new Gbdt().fit({ ...good, y }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).rows).toEqual([7, 9]);
  });

  it('rejects labels that are not class indices', () => {
    const y = good.y.slice();
    y[3] = 2;
    expect(() => new Gbdt().fit({ ...good, y })).toThrow(/row 3, y: label 2/);
  });

  it('rejects mismatched lengths', () => {
    expect(() => new Gbdt().fit({ ...good, X: good.X.subarray(6) })).toThrow(ValidationError);
    expect(() => new Gbdt().fit({ ...good, weights: new Float64Array(3) })).toThrow(/weights/);
    const model = new Gbdt({ nEstimators: 2 });
    model.fit(good);
    expect(() => model.predict({ data: new Float64Array(10), rows: 2, cols: 5 })).toThrow(ValidationError);
  });

  it('rejects fewer rows than minDataInLeaf', () => {
    expect(() => new Gbdt({ minDataInLeaf: 200 }).fit(good)).toThrow(NotEnoughDataError);
  });

  it('rejects unknown objectives and parameters, naming the parameter', () => {
    const error = catchError(() => new Gbdt({ objective: 'poisson' as 'binary' }));
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as InvalidParameterError).parameter).toBe('objective');
    expect((catchError(() => new Gbdt({ numLeafs: 3 } as object)) as InvalidParameterError).parameter).toBe('numLeafs');
    expect((catchError(() => new Gbdt({ subsample: 0 })) as InvalidParameterError).parameter).toBe('subsample');
    expect((catchError(() => new Gbdt({ maxBins: 256 })) as InvalidParameterError).parameter).toBe('maxBins');
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function treeDepth(tree: { feature: number[]; left: number[]; right: number[] }, node: number): number {
  if (tree.feature[node]! < 0) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

describe('Gbdt with worker threads', () => {
  it('trains on two threads to the same quality, the same model twice, and as a one-thread model when no leaf is split', () => {
    const train = synthetic(40_000, 'binary', 41, 8);
    const test = synthetic(4_000, 'binary', 42, 8);
    const fit = (threads: number) => {
      const model = new Gbdt({ nEstimators: 12, numLeaves: 31, threads, seed: 3 });
      model.fit(train);
      return model;
    };
    const one = fit(1);
    const two = fit(2);
    const auc = (model: Gbdt) => rocAuc(test.y, model.predictRaw(matrixOf(test)));
    expect(Math.abs(auc(two) - auc(one))).toBeLessThan(0.005);
    expect(JSON.stringify(fit(2).toJSON())).toBe(JSON.stringify(two.toJSON()));
    // Below the size leaves are shared among threads, the thread count changes nothing.
    const small = synthetic(2_000, 'binary', 43, 8);
    const smallFit = (threads: number) => {
      const model = new Gbdt({ nEstimators: 5, threads });
      model.fit(small);
      return JSON.stringify(model.toJSON().trees);
    };
    expect(smallFit(2)).toBe(smallFit(1));
  });

  it('rejects a thread count outside 1..256 naming the option', () => {
    expect(() => new Gbdt({ threads: 0 })).toThrow(/threads/);
    expect(() => new Gbdt({ threads: 1.5 })).toThrow(/threads/);
  });
});
