import { CancelledError, type ProgressCallback, type Rng } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from './Adam.js';
import { type LearningRateSchedule, learningRateAt } from './learningRateAt.js';
import type { ResolvedEarlyStopping } from './MlpOptionsSchema.js';
import {
  type Activation,
  activationDerivative,
  type DenseLayer,
  type DenseTensors,
  denseLayer,
  forward,
} from './network.js';

/** Training loss: softmax cross-entropy over one-hot targets, or mean squared error. */
export type Loss = 'crossEntropy' | 'mse';

/** Network-ready rows: scaled float32 inputs, targets (one-hot or scaled values) and per-row weights. */
export interface TrainingRows {
  X: Float32Array;
  targets: Float32Array;
  weights: Float32Array;
  rows: number;
}

export interface TrainConfig {
  activation: Activation;
  loss: Loss;
  dropout: number;
  l2: number;
  learningRate: number;
  learningRateSchedule: LearningRateSchedule;
  beta1: number;
  beta2: number;
  epsilon: number;
  batchSize: number;
  epochs: number;
  shuffle: boolean;
  earlyStopping: ResolvedEarlyStopping | false;
}

/**
 * Per-epoch record of a fit. `loss` and `valLoss` are plain means of the per-row loss (softmax
 * cross-entropy = log-loss, or squared error of the standardised target) over the rows, so they
 * compare with a test set's log-loss; `weightedLoss` and `weightedValLoss` are the objective that
 * training minimises and early stopping monitors: each row's loss times its weight (dataset
 * `weights` × class weight; validation rows carry their own weights only), plus the L2 penalty.
 * Training losses are averaged over the epoch's mini-batches as they were trained (with dropout),
 * as Keras reports them; validation losses are computed after the epoch, without dropout.
 */
export interface TrainingHistory {
  loss: number[];
  /** Present when a validation set was given. */
  valLoss?: number[];
  weightedLoss: number[];
  /** Present when a validation set was given. */
  weightedValLoss?: number[];
  learningRate: number[];
  /** Epochs actually run. */
  epochs: number;
  /** 0-based epoch whose weights the model holds (the best `weightedValLoss` epoch when restored, else the last). */
  bestEpoch: number;
  stoppedEarly: boolean;
}

/** `l2 · Σ W²` over the kernels. */
function l2Penalty(layers: readonly DenseTensors[], l2: number): tf.Scalar {
  let total = tf.scalar(0);
  for (const layer of layers) total = tf.add(total, tf.sum(tf.square(layer.kernel)));
  return tf.mul(total, l2);
}

/** Per-row loss, `rows` long. */
function rowLoss(output: tf.Tensor2D, targets: tf.Tensor2D, loss: Loss): tf.Tensor1D {
  if (loss === 'crossEntropy') return tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(output)), 1)) as tf.Tensor1D;
  return tf.mean(tf.squaredDifference(output, targets), 1);
}

/**
 * Mean weighted loss of a batch (plus the L2 penalty), the plain mean of its per-row loss, and
 * the weighted loss's gradient for every kernel and bias, by backpropagation written out layer by layer (tfjs-core's Node bundle ships no
 * gradient registry, and the MLP's derivatives are short).
 */
export function lossAndGradients(
  x: tf.Tensor2D,
  targets: tf.Tensor2D,
  weights: tf.Tensor1D,
  masks: readonly tf.Tensor2D[],
  layers: readonly DenseTensors[],
  config: Pick<TrainConfig, 'activation' | 'loss' | 'l2'>,
): { loss: tf.Scalar; unweightedLoss: tf.Scalar; grads: tf.Tensor[] } {
  const m = x.shape[0];
  const inputs: tf.Tensor2D[] = [x];
  const post: tf.Tensor2D[] = [];
  let output = x;
  layers.forEach((layer, l) => {
    if (l === layers.length - 1) {
      output = denseLayer(inputs[l]!, layer, 'linear');
      return;
    }
    const a = denseLayer(inputs[l]!, layer, config.activation);
    post.push(a);
    const mask = masks[l];
    inputs.push(mask ? tf.mul(a, mask) : a);
  });
  const rowWeights = tf.reshape(tf.div(weights, m), [m, 1]);
  let rows: tf.Tensor1D;
  let dz: tf.Tensor2D;
  if (config.loss === 'crossEntropy') {
    const logProba = tf.logSoftmax(output);
    rows = tf.neg(tf.sum(tf.mul(targets, logProba), 1)) as tf.Tensor1D;
    dz = tf.mul(tf.sub(tf.exp(logProba), targets), rowWeights);
  } else {
    const outputs = output.shape[1];
    const diff = tf.sub(output, targets);
    rows = tf.mean(tf.square(diff), 1);
    dz = tf.mul(diff, tf.mul(rowWeights, 2 / outputs));
  }
  let loss: tf.Scalar = tf.sum(tf.mul(rows, tf.div(weights, m)));
  const unweightedLoss: tf.Scalar = tf.mean(rows);
  if (config.l2 > 0) loss = tf.add(loss, l2Penalty(layers, config.l2));
  const grads: tf.Tensor[] = new Array(2 * layers.length);
  for (let l = layers.length - 1; l >= 0; l--) {
    const kernel = layers[l]!.kernel;
    // Explicit transposes: wasm's matMul with transpose flags is several times slower.
    const gKernel = tf.matMul(tf.transpose(inputs[l]!), dz);
    grads[2 * l] = config.l2 > 0 ? tf.add(gKernel, tf.mul(kernel, 2 * config.l2)) : gKernel;
    grads[2 * l + 1] = tf.sum(dz, 0);
    if (l === 0) break;
    let dh = tf.matMul(dz, tf.transpose(kernel));
    const mask = masks[l - 1];
    if (mask) dh = tf.mul(dh, mask);
    dz = tf.mul(dh, activationDerivative(post[l - 1]!, config.activation));
  }
  return { loss, unweightedLoss, grads };
}

/** Flat parameters (kernel, bias per layer) as layers; `copy` when the arrays keep changing. */
function toLayers(params: readonly Float32Array[], template: readonly DenseLayer[], copy: boolean): DenseLayer[] {
  return template.map((layer, l) => ({
    inputSize: layer.inputSize,
    units: layer.units,
    kernel: copy ? params[2 * l]!.slice() : params[2 * l]!,
    bias: copy ? params[2 * l + 1]!.slice() : params[2 * l + 1]!,
  }));
}

/** Tensors of the current parameters (call inside `tf.tidy`). */
function layerTensors(params: readonly Float32Array[], template: readonly DenseLayer[]): DenseTensors[] {
  return template.map((layer, l) => ({
    kernel: tf.tensor2d(params[2 * l]!, [layer.inputSize, layer.units]),
    bias: tf.tensor1d(params[2 * l + 1]!),
  }));
}

/** Plain mean loss of `rows` and their weighted mean plus the L2 penalty (no dropout). */
function evaluateLoss(
  layers: readonly DenseLayer[],
  config: TrainConfig,
  rows: TrainingRows,
): { loss: number; weightedLoss: number } {
  const cols = layers[0]!.inputSize;
  const outputs = layers[layers.length - 1]!.units;
  const chunk = 8192;
  let total = 0;
  let weightedTotal = 0;
  for (let start = 0; start < rows.rows; start += chunk) {
    const m = Math.min(chunk, rows.rows - start);
    const sums = tf.tidy(() => {
      const x = tf.tensor2d(rows.X.subarray(start * cols, (start + m) * cols), [m, cols]);
      const y = tf.tensor2d(rows.targets.subarray(start * outputs, (start + m) * outputs), [m, outputs]);
      const w = tf.tensor1d(rows.weights.subarray(start, start + m));
      const tensors = layers.map((layer) => ({
        kernel: tf.tensor2d(layer.kernel, [layer.inputSize, layer.units]),
        bias: tf.tensor1d(layer.bias),
      }));
      const perRow = rowLoss(forward(x, tensors, config.activation), y, config.loss);
      return tf.stack([tf.sum(perRow), tf.sum(tf.mul(perRow, w))]);
    });
    const [plain, weighted] = sums.dataSync();
    total += plain!;
    weightedTotal += weighted!;
    sums.dispose();
  }
  let penalty = 0;
  if (config.l2 > 0) for (const layer of layers) for (const v of layer.kernel) penalty += v * v;
  return { loss: total / rows.rows, weightedLoss: weightedTotal / rows.rows + config.l2 * penalty };
}

/**
 * Trains the network from `initial` weights with mini-batch Adam, seeded shuffling and seeded
 * dropout masks (both from `rng`, so runs repeat), early stopping on `validation` loss, and
 * returns plain-array weights: no tensor outlives the call, even when it throws.
 */
export function trainNetwork(
  initial: readonly DenseLayer[],
  config: TrainConfig,
  train: TrainingRows,
  validation: TrainingRows | undefined,
  rng: Rng,
  hooks: { onProgress?: ProgressCallback; signal?: AbortSignal } = {},
): { layers: DenseLayer[]; history: TrainingHistory } {
  const cols = initial[0]!.inputSize;
  const outputs = initial[initial.length - 1]!.units;
  const params = initial.flatMap((layer) => [layer.kernel.slice(), layer.bias.slice()]);
  const adam = new Adam(
    params.map((p) => p.length),
    { beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon },
  );
  const shuffleRng = rng.child('shuffle');
  const dropoutRng = rng.child('dropout');
  const history: TrainingHistory = {
    loss: [],
    weightedLoss: [],
    learningRate: [],
    epochs: 0,
    bestEpoch: 0,
    stoppedEarly: false,
  };
  if (validation) {
    history.valLoss = [];
    history.weightedValLoss = [];
  }
  const order = new Uint32Array(train.rows);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const batchSize = Math.min(config.batchSize, train.rows);
  const xb = new Float32Array(batchSize * cols);
  const yb = new Float32Array(batchSize * outputs);
  const wb = new Float32Array(batchSize);
  const hidden = initial.slice(0, -1).map((layer) => layer.units);
  const maskBuffers = config.dropout > 0 ? hidden.map((units) => new Float32Array(batchSize * units)) : [];
  const keep = 1 - config.dropout;
  const snapshot = () => toLayers(params, initial, true);
  let best: DenseLayer[] | undefined;
  let bestLoss = Number.POSITIVE_INFINITY;
  let sinceBest = 0;
  let bestEpoch = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    if (hooks.signal?.aborted) throw new CancelledError('MLP fit');
    const learningRate = learningRateAt(config.learningRateSchedule, config.learningRate, epoch, config.epochs);
    if (config.shuffle) shuffleRng.shuffle<number, Uint32Array>(order);
    let lossSum = 0;
    let weightedLossSum = 0;
    for (let start = 0; start < train.rows; start += batchSize) {
      const m = Math.min(batchSize, train.rows - start);
      for (let j = 0; j < m; j++) {
        const row = order[start + j]!;
        xb.set(train.X.subarray(row * cols, (row + 1) * cols), j * cols);
        yb.set(train.targets.subarray(row * outputs, (row + 1) * outputs), j * outputs);
        wb[j] = train.weights[row]!;
      }
      for (let l = 0; l < maskBuffers.length; l++) {
        const mask = maskBuffers[l]!;
        for (let k = 0; k < m * hidden[l]!; k++) mask[k] = dropoutRng.float() < keep ? 1 / keep : 0;
      }
      const { loss, unweightedLoss, grads } = tf.tidy(() => {
        const x = tf.tensor2d(xb.subarray(0, m * cols), [m, cols]);
        const y = tf.tensor2d(yb.subarray(0, m * outputs), [m, outputs]);
        const w = tf.tensor1d(wb.subarray(0, m));
        const masks = maskBuffers.map((mask, l) => tf.tensor2d(mask.subarray(0, m * hidden[l]!), [m, hidden[l]!]));
        return lossAndGradients(x, y, w, masks, layerTensors(params, initial), config);
      });
      weightedLossSum += loss.dataSync()[0]! * m;
      lossSum += unweightedLoss.dataSync()[0]! * m;
      const gradValues = grads.map((g) => g.dataSync());
      tf.dispose([loss, unweightedLoss, ...grads]);
      adam.step(params, gradValues, learningRate);
    }
    const loss = lossSum / train.rows;
    const weightedLoss = weightedLossSum / train.rows;
    history.loss.push(loss);
    history.weightedLoss.push(weightedLoss);
    history.learningRate.push(learningRate);
    history.epochs = epoch + 1;
    const detail: Record<string, number> = { loss, weightedLoss, learningRate };
    if (validation) {
      const val = evaluateLoss(snapshot(), config, validation);
      history.valLoss!.push(val.loss);
      history.weightedValLoss!.push(val.weightedLoss);
      detail.valLoss = val.loss;
      detail.weightedValLoss = val.weightedLoss;
      if (config.earlyStopping) {
        if (val.weightedLoss < bestLoss - config.earlyStopping.minDelta) {
          bestLoss = val.weightedLoss;
          sinceBest = 0;
          bestEpoch = epoch;
          if (config.earlyStopping.restoreBestWeights) best = snapshot();
        } else {
          sinceBest++;
        }
      }
    }
    hooks.onProgress?.({ phase: 'train', done: epoch + 1, total: config.epochs, detail });
    if (config.earlyStopping && validation && sinceBest >= config.earlyStopping.patience && epoch + 1 < config.epochs) {
      history.stoppedEarly = true;
      break;
    }
  }
  if (best) {
    history.bestEpoch = bestEpoch;
    return { layers: best, history };
  }
  history.bestEpoch = history.epochs - 1;
  return { layers: toLayers(params, initial, false), history };
}
