import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, type Dataset, ModelFormatError, type ProgressEvent, Rng } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './initBackend.js';
import { MlpClassifier } from './MlpClassifier.js';
import { MlpRegressor } from './MlpRegressor.js';
import { loadModel, saveModel } from './saveModel.js';

/** y = 50 + 10·sin(x0) + 5·x1² on a scale far from 0, so target scaling matters. */
function wave(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const X = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    X[2 * i] = rng.uniform(-3, 3);
    X[2 * i + 1] = rng.uniform(-1, 1);
    y[i] = 50 + 10 * Math.sin(X[2 * i]!) + 5 * X[2 * i + 1]! ** 2;
  }
  return { X, y, featureNames: ['x0', 'x1'], time: Float64Array.from({ length: n }, (_, i) => i) };
}

const matrix = (d: Dataset) => ({ data: d.X, rows: d.y.length, cols: 2 });
let dir = '';

describe('MlpRegressor', () => {
  beforeAll(async () => {
    await initBackend();
    dir = await mkdtemp(join(tmpdir(), 'candlelab-nn-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fits a smooth nonlinear function in target units, without leaking tensors', async () => {
    const train = wave(400, 1);
    const test = wave(200, 2);
    const model = new MlpRegressor({
      hiddenLayers: [32, 32],
      epochs: 60,
      batchSize: 32,
      learningRate: 0.01,
      learningRateSchedule: { kind: 'cosine' },
      seed: 1,
    });
    const before = tf.memory().numTensors;
    const history = await model.fit(train, { validation: test });
    const pred = model.predict(matrix(test));
    expect(tf.memory().numTensors).toBe(before);
    let sse = 0;
    let sst = 0;
    const mean = test.y.reduce((s, v) => s + v, 0) / 200;
    for (let i = 0; i < 200; i++) {
      sse += (pred[i]! - test.y[i]!) ** 2;
      sst += (test.y[i]! - mean) ** 2;
    }
    expect(1 - sse / sst).toBeGreaterThan(0.95);
    expect(history.learningRate[0]).toBeCloseTo(0.01, 12);
    expect(history.learningRate[59]!).toBeLessThan(0.0001);
  });

  it('saves to a directory and to JSON, and loads back with identical predictions', async () => {
    const data = wave(80, 3);
    const model = new MlpRegressor({ hiddenLayers: [8], epochs: 3, activation: 'elu' });
    await model.fit(data);
    await saveModel(model, join(dir, 'reg'));
    const files = JSON.parse(await readFile(join(dir, 'reg', 'model.json'), 'utf8')) as {
      kind: string;
      weights: Array<{ byteOffset: number }>;
    };
    expect(files.kind).toBe('candlelab.nn.mlp-regressor');
    expect(files.weights[1]!.byteOffset).toBe(2 * 8 * 4);
    const loaded = await loadModel(join(dir, 'reg'));
    expect(loaded).toBeInstanceOf(MlpRegressor);
    expect(loaded.predict(matrix(data))).toEqual(model.predict(matrix(data)));
    expect(MlpRegressor.fromJSON(JSON.parse(JSON.stringify(model.toJSON()))).predict(matrix(data))).toEqual(
      model.predict(matrix(data)),
    );
    expect(() => MlpRegressor.fromJSON({ ...model.toJSON(), kind: 'candlelab.nn.mlp-classifier' })).toThrow(
      ModelFormatError,
    );

    const classifier = new MlpClassifier({ hiddenLayers: [4], epochs: 2, activation: 'selu' });
    await classifier.fit({ ...data, y: Float64Array.from(data.y, (v) => (v > 55 ? 1 : 0)) });
    await saveModel(classifier, join(dir, 'clf'));
    const loadedClassifier = await loadModel(join(dir, 'clf'));
    expect(loadedClassifier).toBeInstanceOf(MlpClassifier);
    expect((loadedClassifier as MlpClassifier).predictProba(matrix(data))).toEqual(
      classifier.predictProba(matrix(data)),
    );
    await expect(loadModel(join(dir, 'missing'))).rejects.toThrow(ModelFormatError);
  });

  it('reports progress per epoch and stops, leak-free, when aborted', async () => {
    const data = wave(64, 4);
    const events: ProgressEvent[] = [];
    await new MlpRegressor({ hiddenLayers: [4], epochs: 3 }).fit(data, {
      validation: wave(16, 5),
      onProgress: (e) => events.push(e),
    });
    expect(events.map((e) => [e.phase, e.done, e.total])).toEqual([
      ['train', 1, 3],
      ['train', 2, 3],
      ['train', 3, 3],
    ]);
    expect(typeof events[0]!.detail?.valLoss).toBe('number');
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const fit = new MlpRegressor({ hiddenLayers: [4], epochs: 50 }).fit(data, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.done === 2) controller.abort();
      },
    });
    await expect(fit).rejects.toThrow(CancelledError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
