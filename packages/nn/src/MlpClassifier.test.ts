import {
  type Dataset,
  ModelFormatError,
  NotEnoughDataError,
  NotFittedError,
  Rng,
  ValidationError,
} from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './initBackend.js';
import { MlpClassifier } from './MlpClassifier.js';

/** Three Gaussian blobs in 4 dimensions (2 informative), labels 0..2, optionally imbalanced. */
function blobs(n: number, seed: number, noise = 0.6, labelNoise = 0): Dataset {
  const rng = new Rng(seed);
  const X = new Float64Array(n * 4);
  const y = new Float64Array(n);
  const centers = [
    [0, 0],
    [3, 0],
    [0, 3],
  ];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    y[i] = rng.bernoulli(labelNoise) ? rng.int(3) : k;
    X[i * 4] = centers[k]![0]! + rng.normal(0, noise);
    X[i * 4 + 1] = centers[k]![1]! + rng.normal(0, noise);
    X[i * 4 + 2] = 100 + 20 * rng.normal();
    X[i * 4 + 3] = rng.normal();
  }
  return { X, y, featureNames: ['a', 'b', 'scaled', 'noise'], time: Float64Array.from({ length: n }, (_, i) => i) };
}

const matrix = (d: Dataset) => ({ data: d.X, rows: d.y.length, cols: 4 });

describe('MlpClassifier', () => {
  beforeAll(async () => {
    expect(await initBackend()).toBe('wasm');
  });

  it('learns separable classes, with probabilities that sum to 1, and leaks no tensors', async () => {
    const train = blobs(300, 1);
    const test = blobs(150, 2);
    const model = new MlpClassifier({ hiddenLayers: [16], epochs: 40, batchSize: 32, learningRate: 0.01, seed: 3 });
    const before = tf.memory().numTensors;
    const history = await model.fit(train);
    const pred = model.predict(matrix(test));
    const proba = model.predictProba(matrix(test));
    expect(tf.memory().numTensors).toBe(before);
    expect(history.loss).toHaveLength(40);
    expect(history.loss[39]!).toBeLessThan(history.loss[0]!);
    const accuracy = pred.reduce((s, p, i) => s + (p === test.y[i] ? 1 : 0), 0) / 150;
    expect(accuracy).toBeGreaterThan(0.95);
    for (let i = 0; i < 150; i++) expect(proba[i * 3]! + proba[i * 3 + 1]! + proba[i * 3 + 2]!).toBeCloseTo(1, 6);
    expect(model.numClasses).toBe(3);
  });

  it('is bit-identical for the same seed (same backend) and differs for another seed', async () => {
    const data = blobs(90, 4);
    const opts = { hiddenLayers: [8, 8], epochs: 5, batchSize: 16, dropout: 0.2, l2: 1e-3, seed: 'a' };
    const a = new MlpClassifier(opts);
    const b = new MlpClassifier(opts);
    const c = new MlpClassifier({ ...opts, seed: 'b' });
    await a.fit(data);
    await b.fit(data);
    await c.fit(data);
    expect(a.toJSON().weights).toEqual(b.toJSON().weights);
    expect(a.toJSON().weights).not.toEqual(c.toJSON().weights);
  });

  it('stops early on validation loss and restores the best epoch’s weights', async () => {
    const train = blobs(150, 5, 1.2, 0.3);
    const validation = blobs(90, 6, 1.2, 0.3);
    const model = new MlpClassifier({
      hiddenLayers: [64, 64],
      epochs: 200,
      batchSize: 16,
      learningRate: 0.02,
      earlyStopping: { patience: 3 },
      seed: 1,
    });
    const history = await model.fit(train, { validation });
    const valLoss = history.valLoss!;
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs).toBeLessThan(200);
    expect(history.epochs).toBe(history.bestEpoch + 4);
    expect(valLoss[history.bestEpoch]).toBe(Math.min(...valLoss));
    // The restored weights reproduce the best validation loss (cross-entropy of predictProba).
    const proba = model.predictProba(matrix(validation));
    let ce = 0;
    for (let i = 0; i < 90; i++) ce -= Math.log(proba[i * 3 + validation.y[i]!]!);
    expect(ce / 90).toBeCloseTo(valLoss[history.bestEpoch]!, 4);
  });

  it('balanced class weights raise recall of a rare class', async () => {
    const full = blobs(600, 7, 1.4);
    const keep: number[] = [];
    for (let i = 0; i < 600; i++) if (full.y[i] !== 2 || i % 10 === 2) keep.push(i);
    const X = new Float64Array(keep.length * 4);
    keep.forEach((row, j) => {
      X.set(full.X.subarray(row * 4, row * 4 + 4), j * 4);
    });
    const data: Dataset = {
      ...full,
      X,
      y: Float64Array.from(keep, (row) => full.y[row]!),
      time: Float64Array.from(keep),
    };
    const test = blobs(300, 8, 1.4);
    const recall = async (classWeight?: 'balanced') => {
      const model = new MlpClassifier({
        hiddenLayers: [8],
        epochs: 30,
        learningRate: 0.01,
        seed: 2,
        ...(classWeight ? { classWeight } : {}),
      });
      await model.fit(data);
      const pred = model.predict(matrix(test));
      let hit = 0;
      for (let i = 0; i < 300; i++) if (test.y[i] === 2 && pred[i] === 2) hit++;
      return hit / 100;
    };
    expect(await recall('balanced')).toBeGreaterThan((await recall()) + 0.05);
  });

  it('rejects bad input with typed errors that name the row and field', async () => {
    const data = blobs(30, 9);
    data.X[5 * 4 + 1] = Number.NaN;
    try {
      await new MlpClassifier({ epochs: 1 }).fit(data);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({ row: 5, field: 'b' });
    }
    const badLabel = blobs(30, 9);
    badLabel.y[7] = 3;
    try {
      await new MlpClassifier({ epochs: 1, numClasses: 3 }).fit(badLabel);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({ row: 7, field: 'y' });
    }
    badLabel.y[7] = 1.5;
    await expect(new MlpClassifier({ epochs: 1 }).fit(badLabel)).rejects.toThrow(/row 7, y: label 1.5/);
    const empty: Dataset = {
      X: new Float64Array(0),
      y: new Float64Array(0),
      featureNames: data.featureNames,
      time: new Float64Array(0),
    };
    await expect(new MlpClassifier({ epochs: 1 }).fit(blobs(30, 9), { validation: empty })).rejects.toThrow(
      NotEnoughDataError,
    );
    expect(() => new MlpClassifier().predict(matrix(data))).toThrow(NotFittedError);
    expect(() => new MlpClassifier({ dropout: 1 })).toThrow(/dropout/);
    const fitted = new MlpClassifier({ epochs: 1 });
    await fitted.fit(blobs(30, 9));
    expect(() => fitted.predict({ data: new Float64Array(3), rows: 1, cols: 3 })).toThrow(ValidationError);
  });

  it('records plain (unweighted) losses as loss/valLoss and the weighted objective beside them', async () => {
    const train = blobs(240, 21, 1.5, 0.1);
    const validation = blobs(120, 22, 1.5, 0.1);
    // Heavy class-0 rows and light others: the weighted mean differs from the plain one.
    const rowWeights = (d: Dataset) => Float64Array.from(d.y, (y, i) => (y === 0 ? 6 : 0.2) * (1 + (i % 3)));
    train.weights = rowWeights(train);
    validation.weights = rowWeights(validation);
    const l2 = 0.01;
    // One full batch at a negligible learning rate: the epoch's training loss is that of the
    // weights the model ends with, so both can be recomputed from its predictions.
    const model = new MlpClassifier({
      hiddenLayers: [8],
      epochs: 1,
      batchSize: 240,
      learningRate: 1e-12,
      l2,
      earlyStopping: false,
      seed: 2,
    });
    const history = await model.fit(train, { validation });
    let penalty = 0;
    for (const w of model.toJSON().weights.filter((w) => w.name.endsWith('kernel'))) {
      const bytes = Buffer.from(w.data, 'base64');
      for (const v of new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)) penalty += v * v;
    }
    const losses = (d: Dataset) => {
      const proba = model.predictProba(matrix(d));
      let plain = 0;
      let weighted = 0;
      for (let i = 0; i < d.y.length; i++) {
        const rowLoss = -Math.log(proba[i * 3 + d.y[i]!]!);
        plain += rowLoss;
        weighted += d.weights![i]! * rowLoss;
      }
      return { plain: plain / d.y.length, weighted: weighted / d.y.length + l2 * penalty };
    };
    const t = losses(train);
    const v = losses(validation);
    expect(Math.abs(t.plain - t.weighted)).toBeGreaterThan(0.1);
    expect(history.loss[0]).toBeCloseTo(t.plain, 5);
    expect(history.weightedLoss[0]).toBeCloseTo(t.weighted, 5);
    expect(history.valLoss![0]).toBeCloseTo(v.plain, 5);
    expect(history.weightedValLoss![0]).toBeCloseTo(v.weighted, 5);
  });

  it('round-trips through JSON with identical predictions, and checks kind and version', async () => {
    const data = blobs(60, 10);
    const model = new MlpClassifier({ hiddenLayers: [6, 5], activation: 'tanh', epochs: 3, classWeight: 'balanced' });
    await model.fit(data);
    const json = JSON.parse(JSON.stringify(model.toJSON())) as unknown;
    const loaded = MlpClassifier.fromJSON(json);
    expect(loaded.predictProba(matrix(data))).toEqual(model.predictProba(matrix(data)));
    expect(loaded.history).toEqual(model.history);
    expect(loaded.options).toEqual(model.options);
    expect(() => MlpClassifier.fromJSON({ ...(json as object), kind: 'candlelab.gbdt' })).toThrow(ModelFormatError);
    expect(() => MlpClassifier.fromJSON({ ...(json as object), version: 3 })).toThrow(/newer/);
    expect(() => MlpClassifier.fromJSON({ ...(json as object), weights: [] })).toThrow(ModelFormatError);
    // Finite but absurd scaler values (found by the model-file fuzz test) overflow a ReLU net: refused, never NaN.
    const relu = new MlpClassifier({ hiddenLayers: [8], activation: 'relu', epochs: 1, seed: 2 });
    await relu.fit(data);
    const edited = JSON.parse(JSON.stringify(relu.toJSON())) as { scaler: { mean: number[]; scale: number[] } };
    edited.scaler.mean[0] = 1e308;
    edited.scaler.scale[0] = 1e-300;
    expect(() => MlpClassifier.fromJSON(edited).predictProba(matrix(data))).toThrow(/parameters overflow/);
  });
});
