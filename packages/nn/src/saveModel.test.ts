import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dataset, ModelFormatError, Rng } from '@candlelab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './initBackend.js';
import { MlpClassifier } from './MlpClassifier.js';
import { MlpRegressor } from './MlpRegressor.js';
import { loadModel, MODEL_FILE, saveModel, WEIGHTS_FILE } from './saveModel.js';

function data(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * 3 }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, i) => (X[i * 3]! + X[i * 3 + 1]! > 0 ? 1 : 0));
  return { X, y, featureNames: ['a', 'b', 'c'], time: Float64Array.from({ length: n }, (_, i) => i) };
}

const base64Floats = (values: number[]) => Buffer.from(Float32Array.from(values).buffer).toString('base64');
let dir = '';
let saved = '';
let json: Record<string, unknown> & { weights: Array<{ data: string }> };

/** Writes a copy of the saved model with `edit` applied to model.json's object (or its text). */
async function variant(name: string, edit: (model: Record<string, unknown>) => unknown): Promise<string> {
  const target = join(dir, name);
  await saveModel(await loadModel(saved), target);
  const model = JSON.parse(await readFile(join(target, MODEL_FILE), 'utf8')) as Record<string, unknown>;
  const text = edit(model);
  await writeFile(join(target, MODEL_FILE), typeof text === 'string' ? text : JSON.stringify(model));
  return target;
}

describe('model files that cannot predict are refused with ModelFormatError', () => {
  beforeAll(async () => {
    await initBackend();
    dir = await mkdtemp(join(tmpdir(), 'candlelab-nn-files-'));
    const model = new MlpClassifier({ hiddenLayers: [4], epochs: 2, seed: 1 });
    await model.fit(data(60, 1));
    saved = join(dir, 'good');
    await saveModel(model, saved);
    json = model.toJSON() as unknown as typeof json;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the untouched file and predicts finite probabilities', async () => {
    const proba = (await loadModel(saved)) as MlpClassifier;
    const p = proba.predictProba({ data: data(10, 2).X, rows: 10, cols: 3 });
    expect(p.every(Number.isFinite)).toBe(true);
  });

  it('NaN or infinite weights, naming the file and the weight', async () => {
    const bin = await readFile(join(saved, WEIGHTS_FILE));
    const nanDir = join(dir, 'nan');
    await saveModel(await loadModel(saved), nanDir);
    bin.writeFloatLE(Number.NaN, 4 * 5);
    await writeFile(join(nanDir, WEIGHTS_FILE), bin);
    await expect(loadModel(nanDir)).rejects.toThrow(ModelFormatError);
    await expect(loadModel(nanDir)).rejects.toThrow(/nan[/\\]model\.json: weight dense_0\/kernel\[5\] is NaN/);
    const infinite = {
      ...json,
      weights: json.weights.map((w, k) => (k === 1 ? { ...w, data: base64Floats([0, 0, Infinity, 0]) } : w)),
    };
    expect(() => MlpClassifier.fromJSON(infinite)).toThrow(/dense_0\/bias\[2\] is Infinity/);
  });

  it('a zero, negative or infinite scaler scale, and a non-finite regressor target scale', async () => {
    const zero = await variant('zero-scale', (m) => {
      (m.scaler as { scale: number[] }).scale[1] = 0;
    });
    await expect(loadModel(zero)).rejects.toThrow(/zero-scale[/\\]model\.json: scaler\.scale\[1\] is 0/);
    const scaler = json.scaler as { mean: number[]; scale: number[] };
    expect(() => MlpClassifier.fromJSON({ ...json, scaler: { ...scaler, scale: [1, -2, 1] } })).toThrow(
      /scaler\.scale\[1\] is -2/,
    );
    // 1e999 parses as Infinity.
    const huge = await variant('huge-scale', (m) => JSON.stringify(m).replace('"scale":[', '"scale":[1e999,'));
    await expect(loadModel(huge)).rejects.toThrow(ModelFormatError);
    const regressor = new MlpRegressor({ hiddenLayers: [3], epochs: 1 });
    await regressor.fit(data(30, 3));
    const r = regressor.toJSON();
    expect(() => MlpRegressor.fromJSON({ ...r, target: { mean: 0, scale: 0 } })).toThrow(/target\.scale is 0/);
    expect(() => MlpRegressor.fromJSON({ ...r, target: { mean: Infinity, scale: 1 } })).toThrow(/target\.mean/);
  });

  it('truncated or invalid JSON, a missing weights file and malformed weight entries', async () => {
    const truncated = await variant('truncated', (m) => JSON.stringify(m).slice(0, 200));
    await expect(loadModel(truncated)).rejects.toThrow(ModelFormatError);
    await expect(loadModel(truncated)).rejects.toThrow(/cannot read .*truncated[/\\]model\.json/);
    const invalid = await variant('invalid', () => '{"kind": candlelab}');
    await expect(loadModel(invalid)).rejects.toThrow(ModelFormatError);
    const noBin = await variant('no-bin', () => undefined);
    await rm(join(noBin, WEIGHTS_FILE));
    await expect(loadModel(noBin)).rejects.toThrow(/cannot read .*weights\.bin/);
    const nullEntry = await variant('null-entry', (m) => {
      (m.weights as unknown[])[0] = null;
    });
    await expect(loadModel(nullEntry)).rejects.toThrow(/weights\[0\] .*points outside/);
    const negative = await variant('negative-offset', (m) => {
      (m.weights as Array<{ byteOffset: number }>)[1]!.byteOffset = -4;
    });
    await expect(loadModel(negative)).rejects.toThrow(ModelFormatError);
  });

  it('still reads format version 1 (weighted losses stored as loss/valLoss)', () => {
    const history = (json.metadata as { history: { weightedLoss: number[] } }).history;
    const v1 = {
      ...json,
      version: 1,
      metadata: {
        ...(json.metadata as object),
        history: { ...history, loss: history.weightedLoss, weightedLoss: undefined },
      },
    };
    const loaded = MlpClassifier.fromJSON(JSON.parse(JSON.stringify(v1)));
    expect(loaded.history.weightedLoss).toEqual(history.weightedLoss);
    expect(loaded.history.loss).toEqual([]);
  });
});
