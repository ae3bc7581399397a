import type { Box, Discrete, Rng, VectorEnv } from '@candlelab/core';
import type { ActorCritic } from './ActorCritic.js';
import { sampleCategorical, sampleGaussian, softmaxRow } from './distributions.js';

/** Storage for one rollout, step-major (`numSteps × numEnvs` rows). */
export class RolloutBuffer {
  readonly observations: Float32Array;
  /** Action indices (categorical, 1 per row) or unclipped sampled actions (gaussian, actionDim per row). */
  readonly actions: Float32Array;
  readonly logProbs: Float32Array;
  readonly rewards: Float64Array;
  readonly dones: Uint8Array;
  readonly values: Float32Array;
  readonly lastValues: Float32Array;

  constructor(
    readonly numSteps: number,
    readonly numEnvs: number,
    readonly observationSize: number,
    readonly actionDim: number,
  ) {
    const rows = numSteps * numEnvs;
    this.observations = new Float32Array(rows * observationSize);
    this.actions = new Float32Array(rows * actionDim);
    this.logProbs = new Float32Array(rows);
    this.rewards = new Float64Array(rows);
    this.dones = new Uint8Array(rows);
    this.values = new Float32Array(rows);
    this.lastValues = new Float32Array(numEnvs);
  }

  get size(): number {
    return this.numSteps * this.numEnvs;
  }
}

/** Where the vector env stands between rollouts: its current observations and running episode tallies. */
export interface RolloutState {
  observations: Float64Array;
  episodeReturns: Float64Array;
  episodeLengths: Float64Array;
}

/** Episodes that finished during a rollout. */
export interface RolloutEpisodes {
  returns: number[];
  lengths: number[];
}

/**
 * Steps the vector env `numSteps` times with the current policy, filling `buffer` (one batched
 * forward pass over all envs per step). The vector env must auto-reset in the same step and put
 * the last observation of a finished episode in `infos[i].finalObservation` (as `SyncVectorEnv`):
 * for a truncated (not terminated) episode, γ·V(final observation) is added to its last reward so
 * that GAE can treat every episode end alike (the Stable-Baselines3 treatment of time limits).
 */
export function collectRollout(
  model: ActorCritic,
  env: VectorEnv<Box, Box | Discrete>,
  buffer: RolloutBuffer,
  state: RolloutState,
  gamma: number,
  rng: Rng,
): RolloutEpisodes {
  const { numEnvs, numSteps, observationSize: d, actionDim } = buffer;
  const { kind } = model.spec;
  const actionSpace = env.singleActionSpace;
  const probabilities = new Float64Array(actionDim === 1 && kind === 'categorical' ? model.spec.actionSize : 0);
  const episodes: RolloutEpisodes = { returns: [], lengths: [] };
  for (let t = 0; t < numSteps; t++) {
    const row = t * numEnvs;
    const obs = buffer.observations.subarray(row * d, (row + numEnvs) * d);
    obs.set(state.observations);
    const { policy, values } = model.forward(obs, numEnvs);
    buffer.values.set(values, row);
    const envActions: Array<number | Float64Array> = new Array(numEnvs);
    for (let e = 0; e < numEnvs; e++) {
      if (kind === 'categorical') {
        const n = model.spec.actionSize;
        const logNorm = softmaxRow(policy, e * n, n, probabilities);
        const a = sampleCategorical(probabilities, n, rng, false);
        buffer.actions[row + e] = a;
        buffer.logProbs[row + e] = policy[e * n + a]! - logNorm;
        envActions[e] = a + (actionSpace as Discrete).start;
      } else {
        const sampled = new Float64Array(actionDim);
        buffer.logProbs[row + e] = sampleGaussian(policy, e * actionDim, model.logStd!, rng, false, sampled);
        buffer.actions.set(sampled, (row + e) * actionDim);
        envActions[e] = clipToBox(sampled, actionSpace as Box);
      }
    }
    const result = env.step(envActions as never);
    const truncatedRows: number[] = [];
    for (let e = 0; e < numEnvs; e++) {
      const reward = result.rewards[e]!;
      buffer.rewards[row + e] = reward;
      const done = result.terminated[e]! === 1 || result.truncated[e]! === 1;
      buffer.dones[row + e] = done ? 1 : 0;
      state.episodeReturns[e] = state.episodeReturns[e]! + reward;
      state.episodeLengths[e] = state.episodeLengths[e]! + 1;
      if (done) {
        episodes.returns.push(state.episodeReturns[e]!);
        episodes.lengths.push(state.episodeLengths[e]!);
        state.episodeReturns[e] = 0;
        state.episodeLengths[e] = 0;
        if (result.terminated[e]! === 0) truncatedRows.push(e);
      }
    }
    if (truncatedRows.length > 0) {
      const finals = new Float32Array(truncatedRows.length * d);
      truncatedRows.forEach((e, k) => {
        const final = result.infos[e]!.finalObservation;
        if (final === undefined)
          throw new Error(
            'collectRollout: a truncated sub-env gave no infos[i].finalObservation (same-step autoreset required)',
          );
        if (typeof final === 'number') finals[k] = final;
        else finals.set(final, k * d);
      });
      const bootstrap = model.value(finals, truncatedRows.length);
      truncatedRows.forEach((e, k) => {
        buffer.rewards[row + e] = buffer.rewards[row + e]! + gamma * bootstrap[k]!;
      });
    }
    state.observations = result.observations;
  }
  buffer.lastValues.set(model.value(Float32Array.from(state.observations), numEnvs));
  return episodes;
}

/** Clips a sampled action into the action box (the env sees the clipped action; the buffer keeps the sample). */
export function clipToBox(action: Float64Array, space: Box): Float64Array {
  const out = new Float64Array(action.length);
  for (let j = 0; j < action.length; j++) out[j] = Math.min(space.high[j]!, Math.max(space.low[j]!, action[j]!));
  return out;
}
