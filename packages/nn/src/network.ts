import type { Rng } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';

/** Hidden-layer activation functions. */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** One dense layer's parameters, held as plain arrays between calls (no live tensors). */
export interface DenseLayer {
  inputSize: number;
  units: number;
  /** Row-major `inputSize × units`. */
  kernel: Float32Array;
  bias: Float32Array;
}

/** Glorot/Xavier-uniform kernels (Glorot & Bengio 2010) and zero biases, drawn from `rng`. */
export function glorotLayers(sizes: readonly number[], rng: Rng): DenseLayer[] {
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputSize = sizes[l]!;
    const units = sizes[l + 1]!;
    const limit = Math.sqrt(6 / (inputSize + units));
    const kernel = new Float32Array(inputSize * units);
    for (let k = 0; k < kernel.length; k++) kernel[k] = rng.uniform(-limit, limit);
    layers.push({ inputSize, units, kernel, bias: new Float32Array(units) });
  }
  return layers;
}

/** Tensors of one dense layer during a fit or a prediction. */
export interface DenseTensors {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/** The activation applied to pre-activations `x`. */
function activate(x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
  }
}

/**
 * Derivative of the activation, from its output `a` alone (each of these activations is
 * monotone with `a > 0` exactly when the pre-activation is positive).
 */
export function activationDerivative(a: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.step(a);
    case 'tanh':
      return tf.sub(1, tf.square(a)) as tf.Tensor2D;
    case 'sigmoid':
      return tf.mul(a, tf.sub(1, a)) as tf.Tensor2D;
    case 'elu':
      return tf.where(tf.greater(a, 0), tf.onesLike(a), tf.add(a, 1)) as tf.Tensor2D;
    case 'selu':
      return tf.where(
        tf.greater(a, 0),
        tf.fill(a.shape, SELU_SCALE),
        tf.add(a, SELU_SCALE * SELU_ALPHA),
      ) as tf.Tensor2D;
  }
}

/** Activations that tfjs fuses into its matMul kernel. */
const FUSED = new Set<Activation | 'linear'>(['linear', 'relu', 'elu', 'sigmoid']);

/** `activation(x · kernel + bias)`, as one fused kernel where tfjs has one. */
export function denseLayer(x: tf.Tensor2D, layer: DenseTensors, activation: Activation | 'linear'): tf.Tensor2D {
  if (FUSED.has(activation)) {
    return tf.fused.matMul({
      a: x,
      b: layer.kernel,
      bias: layer.bias,
      activation: activation as 'linear' | 'relu' | 'elu' | 'sigmoid',
    }) as tf.Tensor2D;
  }
  return activate(tf.add(tf.matMul(x, layer.kernel), layer.bias) as tf.Tensor2D, activation as Activation);
}

/**
 * The MLP's forward pass: dense → activation (→ dropout mask) per hidden layer, then a linear
 * output layer (logits or values). `masks[l]`, when given, multiplies hidden layer `l`'s output.
 */
export function forward(
  x: tf.Tensor2D,
  layers: readonly DenseTensors[],
  activation: Activation,
  masks?: readonly (tf.Tensor2D | undefined)[],
): tf.Tensor2D {
  let h = x;
  layers.forEach((layer, l) => {
    const last = l === layers.length - 1;
    h = denseLayer(h, layer, last ? 'linear' : activation);
    const mask = last ? undefined : masks?.[l];
    if (mask) h = tf.mul(h, mask);
  });
  return h;
}

/** Network outputs for `rows × cols` inputs, computed in chunks; leaves no tensors behind. */
export function predictRaw(
  layers: readonly DenseLayer[],
  activation: Activation,
  X: Float32Array,
  rows: number,
  cols: number,
  chunk = 8192,
): Float32Array {
  const outputs = layers[layers.length - 1]!.units;
  const out = new Float32Array(rows * outputs);
  tf.tidy(() => {
    const tensors = layers.map((layer) => ({
      kernel: tf.tensor2d(layer.kernel, [layer.inputSize, layer.units]),
      bias: tf.tensor1d(layer.bias),
    }));
    for (let start = 0; start < rows; start += chunk) {
      const m = Math.min(chunk, rows - start);
      const y = tf.tidy(() =>
        forward(tf.tensor2d(X.subarray(start * cols, (start + m) * cols), [m, cols]), tensors, activation),
      );
      out.set(y.dataSync(), start * outputs);
      y.dispose();
    }
  });
  return out;
}
