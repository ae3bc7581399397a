import { InvalidParameterError, type Rng } from '@candlelab/core';
import { DenseMlp, type DenseMlpActivation } from '@candlelab/nn';
import { orthogonalInit } from './orthogonalInit.js';

/** The action distribution: categorical over `Discrete` actions, diagonal Gaussian over `Box` actions. */
export type PolicyKind = 'categorical' | 'gaussian';

export interface ActorCriticSpec {
  observationSize: number;
  /** Number of discrete actions (categorical) or action dimensions (gaussian). */
  actionSize: number;
  kind: PolicyKind;
  /** Hidden layer widths of both the actor and the critic (default [64, 64]). */
  hiddenSizes?: readonly number[];
  /** Hidden activation (default 'tanh'). */
  activation?: DenseMlpActivation;
  /** Initial log standard deviation of the Gaussian policy (default 0). */
  initLogStd?: number;
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
 * head), zero biases. Both are `@candlelab/nn` {@link DenseMlp}s whose parameters are slices of one
 * flat `params` vector (actor, critic, then the Gaussian log-stds), so the optimiser, gradient
 * clipping, checkpoints and the model file all work on that one vector. The PPO loss's gradient
 * with respect to the networks' outputs is derived analytically (softmax/Gaussian
 * log-likelihood, clipped surrogate, clipped value loss, entropy) and back-propagated by the
 * networks.
 */
export class ActorCritic {
  readonly spec: Required<ActorCriticSpec>;
  /** All parameters, flat: actor layers (W, b)…, critic layers (W, b)…, then log-std (gaussian). */
  readonly params: Float32Array;
  /** The gradient written by {@link ActorCritic.gradients}, laid out like `params`. */
  readonly grads: Float32Array;
  readonly actor: DenseMlp;
  readonly critic: DenseMlp;
  /** ∂loss/∂(policy head) and ∂loss/∂value of a minibatch, grown as needed. */
  private headGrad = new Float64Array(0);
  private valueGrad = new Float64Array(0);

  constructor(spec: ActorCriticSpec, rng: Rng) {
    this.spec = { hiddenSizes: [64, 64], activation: 'tanh', initLogStd: 0, ...spec };
    const { observationSize, actionSize, hiddenSizes, activation, kind } = this.spec;
    for (const [name, value] of [
      ['observationSize', observationSize],
      ['actionSize', actionSize],
      ...hiddenSizes.map((h, i) => [`hiddenSizes[${i}]`, h] as const),
    ] as const) {
      if (!Number.isInteger(value) || value <= 0)
        throw new InvalidParameterError(name, value, 'expected a positive integer');
    }
    const actorSizes = [observationSize, ...hiddenSizes, actionSize];
    const criticSizes = [observationSize, ...hiddenSizes, 1];
    const count = (sizes: number[]) => sizes.slice(1).reduce((s, units, l) => s + (sizes[l]! + 1) * units, 0);
    const actorSize = count(actorSizes);
    const criticSize = count(criticSizes);
    const total = actorSize + criticSize + (kind === 'gaussian' ? actionSize : 0);
    this.params = new Float32Array(total);
    this.grads = new Float32Array(total);
    const slice = (array: Float32Array, start: number, size: number) => array.subarray(start, start + size);
    this.actor = new DenseMlp({
      sizes: actorSizes,
      activation,
      params: slice(this.params, 0, actorSize),
      grads: slice(this.grads, 0, actorSize),
    });
    this.critic = new DenseMlp({
      sizes: criticSizes,
      activation,
      params: slice(this.params, actorSize, criticSize),
      grads: slice(this.grads, actorSize, criticSize),
    });
    const init = (net: DenseMlp, headGain: number, stream: Rng) => {
      for (let l = 0; l < net.layers; l++) {
        const gain = l + 1 === net.layers ? headGain : Math.SQRT2;
        net.kernel(l).set(orthogonalInit(net.sizes[l]!, net.sizes[l + 1]!, gain, stream));
      }
    };
    init(this.actor, 0.01, rng.child('actor'));
    init(this.critic, 1, rng.child('critic'));
    this.logStd?.fill(this.spec.initLogStd);
  }

  /** Number of parameters. */
  get size(): number {
    return this.params.length;
  }

  /** Log standard deviations of the Gaussian policy (a view of `params`), or undefined for a categorical policy. */
  get logStd(): Float32Array | undefined {
    return this.spec.kind === 'gaussian' ? this.params.subarray(this.actor.size + this.critic.size) : undefined;
  }

  /**
   * Policy head outputs (logits or means, `batch × actionSize`) and values (`batch`) for a batch
   * of observations; views valid until the next call on this model.
   */
  forward(observations: ArrayLike<number>, batch: number): { policy: Float32Array; values: Float32Array } {
    return { policy: this.actor.forward(observations, batch), values: this.critic.forward(observations, batch) };
  }

  /** Values only (`batch`), e.g. to bootstrap truncated episodes; a view valid until the next call. */
  value(observations: ArrayLike<number>, batch: number): Float32Array {
    return this.critic.forward(observations, batch);
  }

  /**
   * The PPO loss's gradient with respect to every parameter (written into `grads`) and the loss
   * statistics, for one minibatch. Advantages are used as given (normalise them before).
   */
  gradients(batch: Minibatch, coefs: LossCoefficients): LossStatistics {
    const { size: n } = batch;
    const { actionSize: k, kind } = this.spec;
    if (this.valueGrad.length < n) {
      this.headGrad = new Float64Array(n * k);
      this.valueGrad = new Float64Array(n);
    }
    const { headGrad, valueGrad } = this;
    const head = this.actor.forward(batch.observations, n);
    const values = this.critic.forward(batch.observations, n);
    const logStd = this.logStd;
    const logStdGrad = new Float64Array(kind === 'gaussian' ? k : 0);
    let logStdSum = 0;
    if (logStd) for (let j = 0; j < k; j++) logStdSum += logStd[j]!;
    const stats = { policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
    const { clipCoef, entCoef, vfCoef } = coefs;
    for (let r = 0; r < n; r++) {
      const o = r * k;
      // Log-likelihood of the taken action, and the row's entropy.
      let logProb: number;
      let entropy: number;
      let logNorm = 0;
      if (kind === 'categorical') {
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < k; j++) max = Math.max(max, head[o + j]!);
        let sum = 0;
        for (let j = 0; j < k; j++) sum += Math.exp(head[o + j]! - max);
        logNorm = max + Math.log(sum);
        logProb = head[o + batch.actions[r]!]! - logNorm;
        entropy = 0;
        for (let j = 0; j < k; j++) {
          const logP = head[o + j]! - logNorm;
          entropy -= Math.exp(logP) * logP;
        }
      } else {
        logProb = -logStdSum - k * HALF_LOG_2PI;
        for (let j = 0; j < k; j++) {
          const z = (batch.actions[o + j]! - head[o + j]!) / Math.exp(logStd![j]!);
          logProb -= 0.5 * z * z;
        }
        entropy = logStdSum + k * (0.5 + HALF_LOG_2PI);
      }
      // Clipped surrogate: L = mean(max(−A·r, −A·clip(r, 1±ε))); dL/d log π = −A·r/n where the first is active.
      const logRatio = logProb - batch.logProbs[r]!;
      const ratio = Math.exp(logRatio);
      const advantage = batch.advantages[r]!;
      const pg1 = -advantage * ratio;
      const pg2 = -advantage * Math.min(Math.max(ratio, 1 - clipCoef), 1 + clipCoef);
      stats.policyLoss += Math.max(pg1, pg2);
      const gLogProb = pg1 >= pg2 ? pg1 / n : 0;
      if (kind === 'categorical') {
        // d log π(a)/dz = onehot − p; d(−entCoef·mean H)/dz = entCoef/n · p (log p + H).
        const action = batch.actions[r]!;
        for (let j = 0; j < k; j++) {
          const logP = head[o + j]! - logNorm;
          const p = Math.exp(logP);
          headGrad[o + j] = gLogProb * ((j === action ? 1 : 0) - p) + (entCoef / n) * p * (logP + entropy);
        }
      } else {
        // d log π/dμ = z/σ; d log π/d log σ = z² − 1.
        for (let j = 0; j < k; j++) {
          const std = Math.exp(logStd![j]!);
          const z = (batch.actions[o + j]! - head[o + j]!) / std;
          headGrad[o + j] = (gLogProb * z) / std;
          logStdGrad[j]! += gLogProb * (z * z - 1);
        }
      }
      stats.entropy += entropy;
      stats.approxKl += ratio - 1 - logRatio;
      if (Math.abs(ratio - 1) > clipCoef) stats.clipFraction++;
      // Value loss: 0.5·mean((v − R)²), or the clipped variant around the old values.
      const v = values[r]!;
      const ret = batch.returns[r]!;
      const err = v - ret;
      if (coefs.clipVloss) {
        const old = batch.values[r]!;
        const delta = v - old;
        const errClipped = old + Math.min(Math.max(delta, -clipCoef), clipCoef) - ret;
        const useUnclipped = err * err >= errClipped * errClipped;
        stats.valueLoss += Math.max(err * err, errClipped * errClipped);
        valueGrad[r] = (vfCoef / n) * (useUnclipped ? err : Math.abs(delta) <= clipCoef ? errClipped : 0);
      } else {
        stats.valueLoss += err * err;
        valueGrad[r] = (vfCoef / n) * err;
      }
    }
    this.actor.backward(headGrad, n);
    this.critic.backward(valueGrad, n);
    if (logStd) {
      // d(−entCoef·H)/d log σ = −entCoef.
      const offset = this.actor.size + this.critic.size;
      for (let j = 0; j < k; j++) this.grads[offset + j] = logStdGrad[j]! - entCoef;
    }
    return {
      policyLoss: stats.policyLoss / n,
      valueLoss: (0.5 * stats.valueLoss) / n,
      entropy: stats.entropy / n,
      approxKl: stats.approxKl / n,
      clipFraction: stats.clipFraction / n,
    };
  }
}
