import { InvalidParameterError } from '@candlelab/core';

export interface GaeInput {
  /** Rewards, step-major `numSteps × numEnvs`. */
  rewards: ArrayLike<number>;
  /** Value estimates V(s_t) of the observations the actions were taken in, same layout. */
  values: ArrayLike<number>;
  /** 1 where transition t ended its episode (terminated or truncated), same layout. */
  dones: ArrayLike<number>;
  /** V(s_T) of the observation after the last step, one per env. */
  lastValues: ArrayLike<number>;
  numEnvs: number;
  gamma: number;
  gaeLambda: number;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016): δ_t = r_t + γ V(s_{t+1})(1 − d_t) − V(s_t),
 * A_t = δ_t + γλ(1 − d_t) A_{t+1}, returns = A + V. A pure function on typed arrays.
 *
 * A truncated episode's bootstrap value γ V(final observation) must already be folded into its
 * last reward (as Stable-Baselines3 does), so `dones` need not tell truncation from termination.
 */
export function computeGae(input: GaeInput): { advantages: Float64Array; returns: Float64Array } {
  const { rewards, values, dones, lastValues, numEnvs, gamma, gaeLambda } = input;
  const total = rewards.length;
  if (!Number.isInteger(numEnvs) || numEnvs <= 0 || total % numEnvs !== 0) {
    throw new InvalidParameterError('numEnvs', numEnvs, `expected a positive divisor of the ${total} rewards`);
  }
  if (values.length !== total || dones.length !== total) {
    throw new InvalidParameterError(
      'values',
      values.length,
      `values and dones must have ${total} entries like rewards`,
    );
  }
  if (lastValues.length !== numEnvs)
    throw new InvalidParameterError('lastValues', lastValues.length, `expected ${numEnvs} values`);
  const numSteps = total / numEnvs;
  const advantages = new Float64Array(total);
  const returns = new Float64Array(total);
  for (let e = 0; e < numEnvs; e++) {
    let next = 0;
    for (let t = numSteps - 1; t >= 0; t--) {
      const i = t * numEnvs + e;
      const nonTerminal = 1 - dones[i]!;
      const nextValue = t === numSteps - 1 ? lastValues[e]! : values[i + numEnvs]!;
      const delta = rewards[i]! + gamma * nextValue * nonTerminal - values[i]!;
      next = delta + gamma * gaeLambda * nonTerminal * next;
      advantages[i] = next;
      returns[i] = next + values[i]!;
    }
  }
  return { advantages, returns };
}
