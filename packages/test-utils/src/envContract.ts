import { type Env, Rng, type Space, type ValueOf } from '@candlelab/core';
import { describe, expect, it } from 'vitest';

export interface EnvContractOptions {
  /** Steps to run per check (default 300). */
  steps?: number;
  /** Whether different reset seeds must give different first observations (default true). */
  seedChangesStart?: boolean;
  /**
   * Whether a reused instance reseeded with the same seed must replay the same trajectory (default
   * true). Set false for envs that learn across episodes on purpose, like `NormalizeObservation`.
   */
  reseedReplays?: boolean;
}

/** A uniformly random action of `space`, drawn from `rng`. */
function randomAction<A extends Space>(space: A, rng: Rng): ValueOf<A> {
  return space.sample(rng) as ValueOf<A>;
}

function observationValues(observation: unknown): number[] {
  return typeof observation === 'number' ? [observation] : Array.from(observation as Float64Array);
}

/** Runs `steps` random steps from `reset({ seed })`, resetting (unseeded) after each episode end. */
function rollout(
  env: Env,
  seed: number,
  steps: number,
): { observations: number[][]; rewards: number[]; ends: string[] } {
  const rng = new Rng(seed + 1000);
  const observations: number[][] = [observationValues(env.reset({ seed }).observation)];
  const rewards: number[] = [];
  const ends: string[] = [];
  for (let i = 0; i < steps; i++) {
    const result = env.step(randomAction(env.actionSpace, rng));
    observations.push(observationValues(result.observation));
    rewards.push(result.reward);
    ends.push(`${result.terminated ? 'T' : ''}${result.truncated ? 'U' : ''}`);
    if (result.terminated || result.truncated) observations.push(observationValues(env.reset().observation));
  }
  return { observations, rewards, ends };
}

/**
 * The Gymnasium environment contract (seeding determinism, observations inside their space,
 * finite rewards, boolean terminated/truncated, reset after the end of an episode, actions
 * outside the space rejected). Register an env in one line: `describeEnvContract('CartPole', () => new CartPole())`.
 */
export function describeEnvContract(name: string, make: () => Env, options: EnvContractOptions = {}): void {
  const steps = options.steps ?? 300;
  describe(`${name} satisfies the env contract`, () => {
    it('gives identical trajectories for the same seed', () => {
      const a = rollout(make(), 7, steps);
      const b = rollout(make(), 7, steps);
      expect(b).toEqual(a);
      if (options.reseedReplays ?? true) {
        const reused = make();
        rollout(reused, 99, 10);
        expect(rollout(reused, 7, steps)).toEqual(a);
      }
    });

    if (options.seedChangesStart ?? true) {
      it('starts differently for different seeds', () => {
        const env = make();
        const first = observationValues(env.reset({ seed: 1 }).observation);
        const second = observationValues(env.reset({ seed: 2 }).observation);
        expect(second).not.toEqual(first);
      });
    }

    it('keeps observations inside the observation space and rewards finite', () => {
      const env = make();
      const { observations, rewards } = rollout(env, 3, steps);
      for (const observation of observations) {
        const value = env.observationSpace.kind === 'discrete' ? observation[0] : Float64Array.from(observation);
        expect(env.observationSpace.contains(value), `observation ${observation.join(',')}`).toBe(true);
      }
      for (const reward of rewards) expect(Number.isFinite(reward)).toBe(true);
    });

    it('returns boolean terminated/truncated and a fresh episode after reset', () => {
      const env = make();
      const rng = new Rng(5);
      env.reset({ seed: 5 });
      let ended = false;
      for (let i = 0; i < steps && !ended; i++) {
        const result = env.step(randomAction(env.actionSpace, rng));
        expect(typeof result.terminated).toBe('boolean');
        expect(typeof result.truncated).toBe('boolean');
        expect(typeof result.info).toBe('object');
        ended = result.terminated || result.truncated;
      }
      const { observation } = env.reset();
      expect(env.observationSpace.contains(observation)).toBe(true);
      const result = env.step(randomAction(env.actionSpace, rng));
      expect(Number.isFinite(result.reward)).toBe(true);
    });

    it('rejects an action outside the action space', () => {
      const env = make();
      env.reset({ seed: 0 });
      const bad =
        env.actionSpace.kind === 'discrete'
          ? env.actionSpace.start + env.actionSpace.n
          : new Float64Array(env.actionSpace.size + 1);
      expect(() => env.step(bad as never)).toThrow();
    });
  });
}
