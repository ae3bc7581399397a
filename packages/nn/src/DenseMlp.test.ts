import { readFileSync } from 'node:fs';
import { InvalidParameterError, Rng } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileKernels } from '../scripts/compileKernels.js';
import { DenseMlp, type DenseMlpActivation } from './DenseMlp.js';
import { DENSE_KERNELS_WASM_BASE64 } from './denseKernelsWasm.js';
import { initBackend } from './initBackend.js';
import { forward } from './network.js';
import { lossAndGradients } from './trainNetwork.js';

function randomNetwork(sizes: number[], activation: DenseMlpActivation, seed: number): DenseMlp {
  const rng = new Rng(seed);
  const net = new DenseMlp({ sizes, activation });
  for (let i = 0; i < net.size; i++) net.params[i] = rng.normal() * 0.5;
  return net;
}

const randomRows = (rows: number, cols: number, rng: Rng) =>
  Float32Array.from({ length: rows * cols }, () => rng.normal());

/** The network's layers as tfjs tensors (call inside tf.tidy). */
const tensorsOf = (net: DenseMlp) =>
  net.sizes.slice(1).map((units, l) => ({
    kernel: tf.tensor2d(net.kernel(l), [net.sizes[l]!, units]),
    bias: tf.tensor1d(net.bias(l)),
  }));

/** Float64 loops: outputs of the network for one row, from float64 parameters in DenseMlp's layout. */
function referenceForward(
  params: Float64Array,
  sizes: number[],
  activation: DenseMlpActivation,
  x: number[],
): number[] {
  let h = x;
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [n, m] = [sizes[l]!, sizes[l + 1]!];
    const out: number[] = [];
    for (let j = 0; j < m; j++) {
      let z = params[offset + n * m + j]!;
      for (let i = 0; i < n; i++) z += h[i]! * params[offset + i * m + j]!;
      out.push(l + 2 < sizes.length ? (activation === 'tanh' ? Math.tanh(z) : Math.max(0, z)) : z);
    }
    offset += n * m + m;
    h = out;
  }
  return h;
}

describe('DenseMlp', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('embeds exactly the module that denseKernels.wat assembles to (run build:kernels after editing it)', async () => {
    const bytes = await compileKernels(readFileSync(new URL('./denseKernels.wat', import.meta.url), 'utf8'));
    expect(Buffer.from(bytes).toString('base64')).toBe(DENSE_KERNELS_WASM_BASE64);
  });

  for (const activation of ['tanh', 'relu'] as const) {
    for (const sizes of [
      [4, 64, 64, 2],
      [5, 19, 7, 3],
      [3, 1],
    ]) {
      it(`forward and backward equal the TensorFlow.js path (${activation}, ${sizes.join('→')})`, () => {
        const rng = new Rng(11);
        const net = randomNetwork(sizes, activation, 5);
        const rows = 37;
        const outputs = sizes.at(-1)!;
        const x = randomRows(rows, sizes[0]!, rng);
        const y = randomRows(rows, outputs, rng);
        const w = Float32Array.from({ length: rows }, () => rng.uniform(0.2, 2));
        const out = net.forward(x, rows).slice();
        const { expectedOut, expectedGrads } = tf.tidy(() => {
          const layers = tensorsOf(net);
          const input = tf.tensor2d(x, [rows, sizes[0]!]);
          const o = forward(input, layers, activation).dataSync().slice();
          const { grads } = lossAndGradients(input, tf.tensor2d(y, [rows, outputs]), tf.tensor1d(w), [], layers, {
            activation,
            loss: 'mse',
            l2: 0,
          });
          return { expectedOut: o, expectedGrads: grads.map((g) => g.dataSync().slice()) };
        });
        for (let k = 0; k < out.length; k++) expect(out[k]).toBeCloseTo(expectedOut[k]!, 4);
        // The weighted-MSE gradient that lossAndGradients back-propagates: 2·w·(out − y)/(rows·outputs).
        const outputGrad = Float32Array.from(
          out,
          (o, k) => (2 * w[Math.floor(k / outputs)]! * (o - y[k]!)) / (rows * outputs),
        );
        net.backward(outputGrad, rows);
        const flat = Float32Array.from(expectedGrads.flatMap((g) => Array.from(g)));
        expect(flat.length).toBe(net.size);
        const scale = Math.max(...flat.map(Math.abs));
        for (let k = 0; k < net.size; k++)
          expect(Math.abs(net.grads[k]! - flat[k]!) / scale, `grad ${k}`).toBeLessThan(2e-5);
      });
    }
  }

  it('back-propagates the gradient of finite differences of a float64 reference', () => {
    const sizes = [3, 5, 4, 2];
    for (const activation of ['tanh', 'relu'] as const) {
      const rng = new Rng(7);
      const net = randomNetwork(sizes, activation, 9);
      const rows = 6;
      const x = randomRows(rows, 3, rng);
      const c = Float64Array.from({ length: rows * 2 }, () => rng.normal());
      net.forward(x, rows);
      net.backward(c, rows);
      const loss = (params: Float64Array) => {
        let total = 0;
        for (let r = 0; r < rows; r++) {
          const out = referenceForward(params, sizes, activation, Array.from(x.subarray(r * 3, r * 3 + 3)));
          total += out[0]! * c[r * 2]! + out[1]! * c[r * 2 + 1]!;
        }
        return total;
      };
      const base = Float64Array.from(net.params);
      const eps = 1e-6;
      for (let k = 0; k < net.size; k++) {
        const plus = base.slice();
        const minus = base.slice();
        plus[k]! += eps;
        minus[k]! -= eps;
        expect(net.grads[k], `${activation} parameter ${k}`).toBeCloseTo((loss(plus) - loss(minus)) / (2 * eps), 4);
      }
    }
  });

  it('computes tanh within float32 precision', () => {
    const net = new DenseMlp({ sizes: [1, 1, 1], activation: 'tanh' });
    net.params.set([1, 0, 1, 0]); // identity kernels and zero biases: output = tanh(input)
    const inputs = Float32Array.from({ length: 4001 }, (_, i) => -10 + i / 200);
    const out = net.forward(inputs, inputs.length);
    let worst = 0;
    inputs.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(out[i]! - Math.tanh(v)));
    });
    expect(worst).toBeLessThan(3e-7);
  });

  it('grows for larger batches, trains parameters held in a larger vector, and repeats bit for bit', () => {
    const flat = new Float32Array(100);
    const sizes = [2, 3, 1];
    const net = new DenseMlp({ sizes, params: flat.subarray(10, 23), grads: new Float32Array(13) });
    expect(net.size).toBe(13);
    const rng = new Rng(3);
    for (let i = 10; i < 23; i++) flat[i] = rng.normal();
    const x = randomRows(1000, 2, rng);
    const small = net.forward(x, 5).slice();
    const large = net.forward(x, 1000).slice();
    expect(Array.from(large.subarray(0, 5))).toEqual(Array.from(small));
    for (let r = 0; r < 1000; r += 97)
      expect(large[r]).toBeCloseTo(
        referenceForward(Float64Array.from(flat.subarray(10, 23)), sizes, 'tanh', [x[2 * r]!, x[2 * r + 1]!])[0]!,
        5,
      );
    net.backward(new Float32Array(1000).fill(1), 1000);
    const grads = net.grads.slice();
    const again = new DenseMlp({ sizes, params: flat.subarray(10, 23).slice() });
    again.forward(x, 1000);
    again.backward(new Float32Array(1000).fill(1), 1000);
    expect(again.grads).toEqual(grads);
  });

  it('refuses bad shapes, naming them', () => {
    expect(() => new DenseMlp({ sizes: [3] })).toThrow(InvalidParameterError);
    expect(() => new DenseMlp({ sizes: [3, 0, 1] })).toThrow(/sizes\[1\]/);
    expect(() => new DenseMlp({ sizes: [3, 1], activation: 'elu' as never })).toThrow(/activation/);
    expect(() => new DenseMlp({ sizes: [3, 1], params: new Float32Array(3) })).toThrow(/params/);
    const net = new DenseMlp({ sizes: [3, 1] });
    expect(() => net.forward(new Float32Array(5), 2)).toThrow(/input/);
    net.forward(new Float32Array(6), 2);
    expect(() => net.backward(new Float32Array(3), 3)).toThrow(/rows/);
  });
});
