import { InvalidParameterError, type Rng } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';
import { orthogonalInit } from './orthogonalInit.js';

/** The action distribution: categorical over `Discrete` actions, diagonal Gaussian over `Box` actions. */
export type PolicyKind = 'categorical' | 'gaussian';

/** Hidden-layer activation. */
export type Activation = 'tanh' | 'relu';

export interface ActorCriticSpec {
  observationSize: number;
  /** Number of discrete actions (categorical) or action dimensions (gaussian). */
  actionSize: number;
  kind: PolicyKind;
  /** Hidden layer widths of both the actor and the critic (default [64, 64]). */
  hiddenSizes?: readonly number[];
  /** Hidden activation (default 'tanh'). */
  activation?: Activation;
  /** Initial log standard deviation of the Gaussian policy (default 0). */
  initLogStd?: number;
}

/** Where one parameter tensor lives in the flat parameter vector. */
interface Slot {
  offset: number;
  shape: [number] | [number, number];
  size: number;
}

/** A minibatch on the host, row-major. `actions` holds action indices (categorical) or values (gaussian). */
export interface Minibatch {
  size: number;
  observations: Float32Array;
  actions: Float32Array;
  logProbs: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  values: Float32Array;
}

/** Coefficients of the PPO loss for one gradient step. */
export interface LossCoefficients {
  clipCoef: number;
  clipVloss: boolean;
  entCoef: number;
  vfCoef: number;
}

/** Minibatch means of the loss terms and diagnostics of one gradient step. */
export interface LossStatistics {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Separate actor and critic MLPs (as cleanrl's `Agent` and Stable-Baselines3's default
 * `MlpPolicy`), orthogonally initialised with gains √2 (hidden), 0.01 (policy head) and 1 (value
 * head), zero biases. The parameters live in one flat `Float32Array` (the optimiser works on it
 * directly); TensorFlow.js does the batched forward and backward passes. Gradients of the PPO
 * loss are derived analytically (softmax/Gaussian log-likelihood, clipped surrogate, clipped value
 * loss, entropy) and back-propagated through the MLPs with matrix products — fewer kernel calls
 * than tape-based autodiff, and independent of tfjs's gradient registry.
 */
export class ActorCritic {
  readonly spec: Required<ActorCriticSpec>;
  /** All parameters, flat: actor layers (W, b)…, critic layers (W, b)…, then log-std (gaussian). */
  readonly params: Float32Array;
  private readonly actorSlots: Slot[] = [];
  private readonly criticSlots: Slot[] = [];
  private readonly logStdSlot: Slot | undefined;
  private tensors: tf.Tensor[] = [];
  /** Transposed weight matrices (undefined at bias slots), for the backward pass. */
  private transposed: Array<tf.Tensor2D | undefined> = [];

  constructor(spec: ActorCriticSpec, rng: Rng) {
    this.spec = { hiddenSizes: [64, 64], activation: 'tanh', initLogStd: 0, ...spec };
    const { observationSize, actionSize, hiddenSizes } = this.spec;
    for (const [name, value] of [
      ['observationSize', observationSize],
      ['actionSize', actionSize],
      ...hiddenSizes.map((h, i) => [`hiddenSizes[${i}]`, h] as const),
    ] as const) {
      if (!Number.isInteger(value) || value <= 0)
        throw new InvalidParameterError(name, value, 'expected a positive integer');
    }
    let offset = 0;
    const addNet = (slots: Slot[], outputSize: number) => {
      const sizes = [observationSize, ...hiddenSizes, outputSize];
      for (let l = 0; l + 1 < sizes.length; l++) {
        const rows = sizes[l]!;
        const cols = sizes[l + 1]!;
        slots.push({ offset, shape: [rows, cols], size: rows * cols });
        offset += rows * cols;
        slots.push({ offset, shape: [cols], size: cols });
        offset += cols;
      }
    };
    addNet(this.actorSlots, actionSize);
    addNet(this.criticSlots, 1);
    if (this.spec.kind === 'gaussian') {
      this.logStdSlot = { offset, shape: [actionSize], size: actionSize };
      offset += actionSize;
    }
    this.params = new Float32Array(offset);
    const init = (slots: Slot[], headGain: number, stream: Rng) => {
      for (let i = 0; i < slots.length; i += 2) {
        const w = slots[i]!;
        const [rows, cols] = w.shape as [number, number];
        const gain = i + 2 === slots.length ? headGain : Math.SQRT2;
        this.params.set(orthogonalInit(rows, cols, gain, stream), w.offset);
      }
    };
    init(this.actorSlots, 0.01, rng.child('actor'));
    init(this.criticSlots, 1, rng.child('critic'));
    if (this.logStdSlot)
      this.params.fill(this.spec.initLogStd, this.logStdSlot.offset, this.logStdSlot.offset + this.logStdSlot.size);
    this.upload();
  }

  /** Number of parameters. */
  get size(): number {
    return this.params.length;
  }

  /** Copies `params` to the device; call after every change of `params`. */
  upload(): void {
    this.dispose();
    const slots = [...this.actorSlots, ...this.criticSlots];
    this.tensors = slots.map((slot) =>
      tf.tensor(this.params.subarray(slot.offset, slot.offset + slot.size), slot.shape, 'float32'),
    );
    // tfjs-wasm's matMul with transpose flags takes a slow path: keep Wᵀ ready instead.
    this.transposed = slots.map((slot) => {
      if (slot.shape.length === 1) return undefined;
      const [rows, cols] = slot.shape;
      const t = new Float32Array(slot.size);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) t[c * rows + r] = this.params[slot.offset + r * cols + c]!;
      return tf.tensor2d(t, [cols, rows]);
    });
  }

  /** Frees the device copies of the parameters. */
  dispose(): void {
    for (const t of this.tensors) t.dispose();
    for (const t of this.transposed) t?.dispose();
    this.tensors = [];
    this.transposed = [];
  }

  /** Log standard deviations of the Gaussian policy (a view), or undefined for a categorical policy. */
  get logStd(): Float32Array | undefined {
    return this.logStdSlot
      ? this.params.subarray(this.logStdSlot.offset, this.logStdSlot.offset + this.logStdSlot.size)
      : undefined;
  }

  /** Policy head output (logits or means, `batch × actionSize`) and values (`batch`) for a batch of observations. */
  forward(observations: Float32Array, batch: number): { policy: Float32Array; values: Float32Array } {
    return tf.tidy(() => {
      const x = tf.tensor2d(observations, [batch, this.spec.observationSize]);
      const policy = this.mlp(x, 0).at(-1)!.dataSync() as Float32Array;
      const values = this.mlp(x, this.actorSlots.length).at(-1)!.dataSync() as Float32Array;
      return { policy, values };
    });
  }

  /**
   * The same forward pass on the host in float64 from the float32 parameters, without TensorFlow.js:
   * for small batches (acting in one or a few envs) where a kernel launch costs more than the
   * arithmetic. Writes `batch × actionSize` head outputs into `policy` and `batch` values into `values`.
   */
  forwardHost(observations: ArrayLike<number>, batch: number, policy: Float64Array, values: Float64Array): void {
    const { observationSize, hiddenSizes, actionSize } = this.spec;
    const width = Math.max(observationSize, ...hiddenSizes);
    let input = new Float64Array(width);
    let output = new Float64Array(width);
    for (let r = 0; r < batch; r++) {
      for (const [slots, out, outSize] of [
        [this.actorSlots, policy, actionSize],
        [this.criticSlots, values, 1],
      ] as const) {
        for (let j = 0; j < observationSize; j++) input[j] = observations[r * observationSize + j]!;
        let inSize = observationSize;
        for (let l = 0; l < slots.length; l += 2) {
          const w = slots[l]!;
          const b = slots[l + 1]!;
          const cols = b.size;
          const p = this.params;
          for (let c = 0; c < cols; c++) output[c] = p[b.offset + c]!;
          for (let i = 0; i < inSize; i++) {
            const x = input[i]!;
            if (x === 0) continue;
            const rowOffset = w.offset + i * cols;
            for (let c = 0; c < cols; c++) output[c] = output[c]! + x * p[rowOffset + c]!;
          }
          const hidden = l + 2 < slots.length;
          if (hidden)
            for (let c = 0; c < cols; c++)
              output[c] = this.spec.activation === 'tanh' ? Math.tanh(output[c]!) : Math.max(0, output[c]!);
          [input, output] = [output, input];
          inSize = cols;
        }
        for (let c = 0; c < outSize; c++) out[r * outSize + c] = input[c]!;
      }
    }
  }

  /** Values only (`batch`), e.g. to bootstrap truncated episodes. */
  value(observations: Float32Array, batch: number): Float32Array {
    return tf.tidy(() => {
      const x = tf.tensor2d(observations, [batch, this.spec.observationSize]);
      return this.mlp(x, this.actorSlots.length).at(-1)!.dataSync() as Float32Array;
    });
  }

  /**
   * The PPO loss's gradient with respect to every parameter (written into `grads`, flat like
   * `params`) and the loss statistics, for one minibatch. Advantages are used as given
   * (normalise them before).
   */
  gradients(batch: Minibatch, coefs: LossCoefficients, grads: Float32Array): LossStatistics {
    const { size: n } = batch;
    const { observationSize, actionSize, kind } = this.spec;
    const stats = tf.tidy(() => {
      const x = tf.tensor2d(batch.observations, [n, observationSize]);
      const adv = tf.tensor1d(batch.advantages);
      const oldLogProb = tf.tensor1d(batch.logProbs);
      const actorActs = this.mlp(x, 0);
      const criticActs = this.mlp(x, this.actorSlots.length);
      const head = actorActs.at(-1)!;
      // Log-likelihood of the taken actions, its gradient w.r.t. the head, and the entropy.
      let newLogProb: tf.Tensor1D;
      let entropy: tf.Scalar;
      let headGrad: (gLogProb: tf.Tensor1D) => tf.Tensor2D;
      let logStdGrad: ((gLogProb: tf.Tensor1D) => tf.Tensor1D) | undefined;
      if (kind === 'categorical') {
        const oneHot = tf.cast(tf.oneHot(tf.tensor1d(batch.actions, 'int32'), actionSize), 'float32') as tf.Tensor2D;
        const logP = tf.logSoftmax(head) as tf.Tensor2D;
        const p = tf.exp(logP);
        newLogProb = tf.sum(tf.mul(logP, oneHot), 1) as tf.Tensor1D;
        const rowEntropy = tf.neg(tf.sum(tf.mul(p, logP), 1));
        entropy = tf.mean(rowEntropy) as tf.Scalar;
        // d log π(a)/d z = onehot − p; d(−entCoef·mean H)/d z = entCoef/n · p (log p + H).
        headGrad = (g) =>
          tf.add(
            tf.mul(tf.expandDims(g, 1), tf.sub(oneHot, p)),
            tf.mul(tf.mul(p, tf.add(logP, tf.expandDims(rowEntropy, 1))), coefs.entCoef / n),
          ) as tf.Tensor2D;
      } else {
        const logStd = tf.tensor1d(this.logStd!);
        const std = tf.exp(logStd);
        const z = tf.div(tf.sub(tf.tensor2d(batch.actions, [n, actionSize]), head), std);
        newLogProb = tf.sub(
          tf.mul(tf.sum(tf.square(z), 1), -0.5),
          tf.add(tf.sum(logStd), actionSize * HALF_LOG_2PI),
        ) as tf.Tensor1D;
        entropy = tf.add(tf.sum(logStd), actionSize * (0.5 + HALF_LOG_2PI)) as tf.Scalar;
        // d log π/d μ = z/σ; d log π/d log σ = z² − 1; d(−entCoef·H)/d log σ = −entCoef.
        headGrad = (g) => tf.mul(tf.expandDims(g, 1), tf.div(z, std)) as tf.Tensor2D;
        logStdGrad = (g) =>
          tf.sub(tf.sum(tf.mul(tf.expandDims(g, 1), tf.sub(tf.square(z), 1)), 0), coefs.entCoef) as tf.Tensor1D;
      }
      // Clipped surrogate: L = mean(max(−A·r, −A·clip(r, 1±ε))).
      const logRatio = tf.sub(newLogProb, oldLogProb);
      const ratio = tf.exp(logRatio);
      const pg1 = tf.mul(tf.neg(adv), ratio);
      const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - coefs.clipCoef, 1 + coefs.clipCoef));
      const unclipped = tf.cast(tf.greaterEqual(pg1, pg2), 'float32');
      const policyLoss = tf.mean(tf.maximum(pg1, pg2));
      // dL/d log π = (−A·r)·[unclipped term active] / n.
      const gLogProb = tf.mul(tf.mul(pg1, unclipped), 1 / n) as tf.Tensor1D;
      // Value loss: 0.5·mean((v − R)²), or the clipped variant.
      const v = tf.reshape(criticActs.at(-1)!, [n]);
      const ret = tf.tensor1d(batch.returns);
      const err = tf.sub(v, ret);
      let valueLoss: tf.Tensor;
      let gValue: tf.Tensor;
      if (coefs.clipVloss) {
        const oldV = tf.tensor1d(batch.values);
        const delta = tf.sub(v, oldV);
        const errClipped = tf.sub(tf.add(oldV, tf.clipByValue(delta, -coefs.clipCoef, coefs.clipCoef)), ret);
        const sq = tf.square(err);
        const sqClipped = tf.square(errClipped);
        const useUnclipped = tf.cast(tf.greaterEqual(sq, sqClipped), 'float32');
        const inside = tf.cast(tf.lessEqual(tf.abs(delta), coefs.clipCoef), 'float32');
        valueLoss = tf.mul(tf.mean(tf.maximum(sq, sqClipped)), 0.5);
        gValue = tf.mul(
          tf.add(tf.mul(useUnclipped, err), tf.mul(tf.mul(tf.sub(1, useUnclipped), inside), errClipped)),
          coefs.vfCoef / n,
        );
      } else {
        valueLoss = tf.mul(tf.mean(tf.square(err)), 0.5);
        gValue = tf.mul(err, coefs.vfCoef / n);
      }
      const gradTensors = [
        ...this.backward(actorActs, headGrad(gLogProb), 0),
        ...this.backward(criticActs, tf.reshape(gValue, [n, 1]) as tf.Tensor2D, this.actorSlots.length),
      ];
      if (logStdGrad) gradTensors.push(logStdGrad(gLogProb));
      const slots = [...this.actorSlots, ...this.criticSlots, ...(this.logStdSlot ? [this.logStdSlot] : [])];
      for (const [i, g] of gradTensors.entries()) grads.set(g.dataSync() as Float32Array, slots[i]!.offset);
      const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
      const clipFraction = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), coefs.clipCoef), 'float32'));
      return tf.stack([policyLoss, valueLoss, entropy, approxKl, clipFraction]).dataSync();
    });
    return {
      policyLoss: stats[0]!,
      valueLoss: stats[1]!,
      entropy: stats[2]!,
      approxKl: stats[3]!,
      clipFraction: stats[4]!,
    };
  }

  /** Activations [x, h1, …, out] of the actor (`first` = 0) or the critic (`first` = actor's slot count). */
  private mlp(x: tf.Tensor2D, first: number): tf.Tensor2D[] {
    const layers = (first === 0 ? this.actorSlots.length : this.criticSlots.length) / 2;
    const acts: tf.Tensor2D[] = [x];
    let h = x;
    for (let l = 0; l < layers; l++) {
      const z = tf.add(
        tf.matMul(h, this.tensors[first + 2 * l]! as tf.Tensor2D),
        this.tensors[first + 2 * l + 1]!,
      ) as tf.Tensor2D;
      h = l + 1 < layers ? (this.spec.activation === 'tanh' ? tf.tanh(z) : tf.relu(z)) : z;
      acts.push(h);
    }
    return acts;
  }

  /** Back-propagates `gOut` (dL/d output) through an MLP; returns [dW1, db1, …] in slot order. */
  private backward(acts: tf.Tensor2D[], gOut: tf.Tensor2D, first: number): tf.Tensor[] {
    const layers = acts.length - 1;
    const grads: tf.Tensor[] = new Array(2 * layers);
    let g = gOut;
    for (let l = layers - 1; l >= 0; l--) {
      grads[2 * l] = tf.matMul(tf.transpose(acts[l]!), g);
      grads[2 * l + 1] = tf.sum(g, 0);
      if (l > 0) {
        const gh = tf.matMul(g, this.transposed[first + 2 * l]!);
        const h = acts[l]!;
        g = (
          this.spec.activation === 'tanh' ? tf.mul(gh, tf.sub(1, tf.mul(h, h))) : tf.mul(gh, tf.step(h))
        ) as tf.Tensor2D;
      }
    }
    return grads;
  }
}
