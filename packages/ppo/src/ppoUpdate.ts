import type { Rng } from '@candlelab/core';
import { type Adam, clipGradNorm } from '@candlelab/nn';
import type { ActorCritic, LossStatistics, Minibatch } from './ActorCritic.js';
import type { RolloutBuffer } from './collectRollout.js';
import type { PpoConfig } from './PpoConfig.js';

/** Diagnostics of one PPO update, averaged over its minibatches (cleanrl's logged quantities). */
export interface UpdateStatistics extends LossStatistics {
  /** 1 − Var(returns − values) / Var(returns) over the rollout. */
  explainedVariance: number;
  /** Epochs actually run (fewer than `updateEpochs` when `targetKl` stopped early). */
  epochs: number;
  /** Mean global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * The PPO update (Schulman et al. 2017): `updateEpochs` passes over the rollout in shuffled
 * minibatches, each a clipped-surrogate gradient step with Adam after global-norm clipping;
 * stops early when the approximate KL of an epoch's last minibatch exceeds `targetKl`.
 */
export function ppoUpdate(
  model: ActorCritic,
  buffer: RolloutBuffer,
  advantages: Float64Array,
  returns: Float64Array,
  config: Pick<
    PpoConfig,
    'numMinibatches' | 'updateEpochs' | 'normAdv' | 'clipVloss' | 'entCoef' | 'vfCoef' | 'maxGradNorm' | 'targetKl'
  >,
  schedule: { learningRate: number; clipCoef: number },
  optimizer: Adam,
  rng: Rng,
): UpdateStatistics {
  const batchSize = buffer.size;
  const minibatchSize = batchSize / config.numMinibatches;
  const d = buffer.observationSize;
  const k = buffer.actionDim;
  const mb: Minibatch = {
    size: minibatchSize,
    observations: new Float32Array(minibatchSize * d),
    actions: new Float32Array(minibatchSize * k),
    logProbs: new Float32Array(minibatchSize),
    advantages: new Float32Array(minibatchSize),
    returns: new Float32Array(minibatchSize),
    values: new Float32Array(minibatchSize),
  };
  const coefs = {
    clipCoef: schedule.clipCoef,
    clipVloss: config.clipVloss,
    entCoef: config.entCoef,
    vfCoef: config.vfCoef,
  };
  const sums = { policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0, gradNorm: 0 };
  let steps = 0;
  let epochs = 0;
  for (let epoch = 0; epoch < config.updateEpochs; epoch++) {
    epochs++;
    const order = rng.permutation(batchSize);
    let last: LossStatistics | undefined;
    for (let start = 0; start < batchSize; start += minibatchSize) {
      for (let j = 0; j < minibatchSize; j++) {
        const i = order[start + j]!;
        mb.observations.set(buffer.observations.subarray(i * d, i * d + d), j * d);
        mb.actions.set(buffer.actions.subarray(i * k, i * k + k), j * k);
        mb.logProbs[j] = buffer.logProbs[i]!;
        mb.advantages[j] = advantages[i]!;
        mb.returns[j] = returns[i]!;
        mb.values[j] = buffer.values[i]!;
      }
      if (config.normAdv) normalizeInPlace(mb.advantages);
      last = model.gradients(mb, coefs);
      sums.gradNorm += clipGradNorm([model.grads], config.maxGradNorm);
      optimizer.step([model.params], [model.grads], schedule.learningRate);
      sums.policyLoss += last.policyLoss;
      sums.valueLoss += last.valueLoss;
      sums.entropy += last.entropy;
      sums.approxKl += last.approxKl;
      sums.clipFraction += last.clipFraction;
      steps++;
    }
    if (config.targetKl !== null && last !== undefined && last.approxKl > config.targetKl) break;
  }
  return {
    policyLoss: sums.policyLoss / steps,
    valueLoss: sums.valueLoss / steps,
    entropy: sums.entropy / steps,
    approxKl: sums.approxKl / steps,
    clipFraction: sums.clipFraction / steps,
    gradNorm: sums.gradNorm / steps,
    explainedVariance: explainedVariance(buffer.values, returns),
    epochs,
  };
}

/** (x − mean) / (std + 1e-8) with the unbiased std, as cleanrl/PyTorch. */
function normalizeInPlace(x: Float32Array): void {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  for (let i = 0; i < n; i++) x[i] = (x[i]! - mean) / (std + 1e-8);
}

/** 1 − Var(y − ŷ)/Var(y); NaN when Var(y) = 0. */
export function explainedVariance(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = actual.length;
  let meanY = 0;
  let meanR = 0;
  for (let i = 0; i < n; i++) {
    meanY += actual[i]!;
    meanR += actual[i]! - predicted[i]!;
  }
  meanY /= n;
  meanR /= n;
  let varY = 0;
  let varR = 0;
  for (let i = 0; i < n; i++) {
    varY += (actual[i]! - meanY) ** 2;
    varR += (actual[i]! - predicted[i]! - meanR) ** 2;
  }
  return varY === 0 ? Number.NaN : 1 - varR / varY;
}
