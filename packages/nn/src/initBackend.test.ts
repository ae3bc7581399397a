import { InvalidParameterError } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { activeBackend, initBackend } from './initBackend.js';
import { MlpClassifier } from './MlpClassifier.js';

describe('initBackend', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('defaults to wasm in Node (tfjs-node absent), loading its binary from disk, never the network', async () => {
    const fetchSpy = vi.fn(() => Promise.reject(new Error('network access attempted')));
    vi.stubGlobal('fetch', fetchSpy);
    expect(await initBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(activeBackend()).toBe('wasm');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('switches to cpu on request, and a model trained on cpu predicts like on wasm (float32 tolerance)', async () => {
    const n = 60;
    const X = Float64Array.from({ length: n * 2 }, (_, k) => Math.sin(k));
    const data = {
      X,
      y: Float64Array.from({ length: n }, (_, i) => (X[2 * i]! > 0 ? 1 : 0)),
      featureNames: ['a', 'b'],
      time: new Float64Array(n),
    };
    expect(await initBackend({ backend: 'cpu' })).toBe('cpu');
    const model = new MlpClassifier({ hiddenLayers: [8], epochs: 3 });
    await model.fit(data);
    const onCpu = model.predictProba({ data: X, rows: n, cols: 2 });
    expect(model.toJSON().metadata.backend).toBe('cpu');
    await initBackend({ backend: 'wasm' });
    const onWasm = model.predictProba({ data: X, rows: n, cols: 2 });
    for (let k = 0; k < onCpu.length; k++) expect(Math.abs(onCpu[k]! - onWasm[k]!)).toBeLessThan(1e-5);
  });

  it('rejects unknown backends, and reports tfjs-node as unavailable when not installed', async () => {
    await expect(initBackend({ backend: 'webgl' as 'cpu' })).rejects.toThrow(InvalidParameterError);
    await expect(initBackend({ backend: 'tensorflow' })).rejects.toThrow(/tensorflow: /);
  });
});
