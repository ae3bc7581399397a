import { Rng } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import ref from './__fixtures__/reference.json' with { type: 'json' };
import { initBackend } from './initBackend.js';
import type { DenseLayer } from './network.js';
import { ACTIVATIONS, type Activation } from './network.js';
import { lossAndGradients, type TrainConfig, trainNetwork } from './trainNetwork.js';

// Reference: numpy full-batch Adam with hand-derived gradients (__fixtures__/make_reference.py).
const f32 = (values: number[]) => Float32Array.from(values);

function config(loss: TrainConfig['loss']): TrainConfig {
  return {
    activation: 'tanh',
    loss,
    dropout: 0,
    l2: ref.config.l2,
    learningRate: ref.config.learningRate,
    learningRateSchedule: { kind: 'constant' },
    beta1: ref.config.beta1,
    beta2: ref.config.beta2,
    epsilon: ref.config.epsilon,
    batchSize: 8,
    epochs: ref.config.epochs,
    shuffle: false,
    earlyStopping: false,
  };
}

function initial(outputs: number): DenseLayer[] {
  const [W2, b2] = outputs === 3 ? [ref.init.W2c, ref.init.b2c] : [ref.init.W2r, ref.init.b2r];
  return [
    { inputSize: 3, units: 4, kernel: f32(ref.init.W1), bias: f32(ref.init.b1) },
    { inputSize: 4, units: outputs, kernel: f32(W2), bias: f32(b2) },
  ];
}

function expectClose(actual: ArrayLike<number>, expected: number[], tol: number) {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) expect(Math.abs(actual[k]! - expected[k]!), `index ${k}`).toBeLessThan(tol);
}

describe.each(['wasm', 'cpu'] as const)('trainNetwork on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it.each([
    ['crossEntropy', 3],
    ['mse', 1],
  ] as const)('matches numpy Adam steps (%s)', (loss, outputs) => {
    const expected = loss === 'crossEntropy' ? ref.crossEntropy : ref.mse;
    const targets =
      loss === 'crossEntropy'
        ? Float32Array.from({ length: 24 }, (_, k) => (ref.labels[Math.floor(k / 3)] === k % 3 ? 1 : 0))
        : f32(ref.values);
    const before = tf.memory().numTensors;
    const { layers, history } = trainNetwork(
      initial(outputs),
      config(loss),
      { X: f32(ref.X), targets, weights: f32(ref.weights), rows: 8 },
      undefined,
      new Rng(1),
    );
    expect(tf.memory().numTensors).toBe(before);
    expectClose(history.weightedLoss, expected.losses, 1e-5);
    expectClose(layers[0]!.kernel, expected.W1, 2e-5);
    expectClose(layers[0]!.bias, expected.b1, 2e-5);
    expectClose(layers[1]!.kernel, expected.W2, 2e-5);
    expectClose(layers[1]!.bias, expected.b2, 2e-5);
  });
});

/** Plain float64 loss of a 3 → 4 → 2 network (independent of tfjs), for finite differences. */
function referenceLoss(
  params: Float64Array[],
  X: number[],
  Y: number[],
  w: number[],
  mask: number[],
  activation: Activation,
  loss: 'crossEntropy' | 'mse',
  l2: number,
): number {
  const [W1, b1, W2, b2] = params as [Float64Array, Float64Array, Float64Array, Float64Array];
  const act = (z: number) =>
    ({
      relu: Math.max(0, z),
      tanh: Math.tanh(z),
      sigmoid: 1 / (1 + Math.exp(-z)),
      elu: z > 0 ? z : Math.exp(z) - 1,
      selu: 1.0507009873554805 * (z > 0 ? z : 1.6732632423543772 * (Math.exp(z) - 1)),
    })[activation];
  let total = 0;
  const m = w.length;
  for (let i = 0; i < m; i++) {
    const h = [0, 1, 2, 3].map(
      (u) => act(b1[u]! + [0, 1, 2].reduce((s, c) => s + X[i * 3 + c]! * W1[c * 4 + u]!, 0)) * mask[i * 4 + u]!,
    );
    const out = [0, 1].map((o) => b2[o]! + [0, 1, 2, 3].reduce((s, u) => s + h[u]! * W2[u * 2 + o]!, 0));
    let row: number;
    if (loss === 'crossEntropy') {
      const max = Math.max(...out);
      const lse = max + Math.log(out.reduce((s, v) => s + Math.exp(v - max), 0));
      row = -out.reduce((s, v, o) => s + Y[i * 2 + o]! * (v - lse), 0);
    } else {
      row = out.reduce((s, v, o) => s + (v - Y[i * 2 + o]!) ** 2, 0) / 2;
    }
    total += (w[i]! * row) / m;
  }
  return total + l2 * ([...W1].reduce((s, v) => s + v * v, 0) + [...W2].reduce((s, v) => s + v * v, 0));
}

describe('lossAndGradients', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  // Reference: central finite differences of a float64 loss written with plain loops.
  it.each(ACTIVATIONS.flatMap((a) => [[a, 'crossEntropy'] as const, [a, 'mse'] as const]))(
    'matches finite differences (%s, %s, dropout mask, L2)',
    (activation, loss) => {
      const rng = new Rng(42);
      const m = 5;
      const X = Array.from({ length: m * 3 }, () => rng.normal());
      const Y =
        loss === 'crossEntropy'
          ? Array.from({ length: m * 2 }, (_, k) => (k % 2 === Math.floor(k / 2) % 2 ? 1 : 0))
          : Array.from({ length: m * 2 }, () => rng.normal());
      const w = Array.from({ length: m }, () => rng.uniform(0.5, 1.5));
      const mask = Array.from({ length: m * 4 }, () => (rng.bernoulli(0.75) ? 1 / 0.75 : 0));
      const params = [12, 4, 8, 2].map((size) => Float64Array.from({ length: size }, () => rng.uniform(-0.8, 0.8)));
      const l2 = 0.01;
      const before = tf.memory().numTensors;
      const grads = tf.tidy(() => {
        const layers = [
          {
            kernel: tf.tensor2d(Float32Array.from(params[0]!), [3, 4]),
            bias: tf.tensor1d(Float32Array.from(params[1]!)),
          },
          {
            kernel: tf.tensor2d(Float32Array.from(params[2]!), [4, 2]),
            bias: tf.tensor1d(Float32Array.from(params[3]!)),
          },
        ];
        const result = lossAndGradients(
          tf.tensor2d(X, [m, 3]),
          tf.tensor2d(Y, [m, 2]),
          tf.tensor1d(w),
          [tf.tensor2d(mask, [m, 4])],
          layers,
          { activation, loss, l2 },
        );
        expect(result.loss.dataSync()[0]!).toBeCloseTo(referenceLoss(params, X, Y, w, mask, activation, loss, l2), 5);
        return result.grads.map((g) => Array.from(g.dataSync()));
      });
      expect(tf.memory().numTensors).toBe(before);
      const h = 1e-6;
      params.forEach((p, k) => {
        for (let j = 0; j < p.length; j++) {
          const original = p[j]!;
          p[j] = original + h;
          const up = referenceLoss(params, X, Y, w, mask, activation, loss, l2);
          p[j] = original - h;
          const down = referenceLoss(params, X, Y, w, mask, activation, loss, l2);
          p[j] = original;
          expect(Math.abs(grads[k]![j]! - (up - down) / (2 * h)), `param ${k}[${j}]`).toBeLessThan(2e-4);
        }
      });
    },
  );
});
