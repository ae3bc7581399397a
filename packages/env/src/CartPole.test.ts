import { readFileSync } from 'node:fs';
import { Rng } from '@candlelab/core';
import { expectArraysClose } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { CartPole, cartPoleV1 } from './CartPole.js';

interface ReferenceCase {
  initial: number[];
  actions: number[];
  states: number[][];
  observations: number[][];
  terminated: boolean[];
}

// Produced by CartPole.reference.py: Gymnasium's published CartPole-v1 equations in numpy float64.
const reference = JSON.parse(readFileSync(new URL('./CartPole.reference.json', import.meta.url), 'utf8')) as {
  cases: ReferenceCase[];
};

describe('CartPole', () => {
  it.each(reference.cases.map((c, i) => [i, c] as const))(
    'reproduces the Gymnasium trajectory of case %i (float64 state to 1e-12, float32 observations)',
    (_, c) => {
      const env = new CartPole();
      env.reset({ options: { state: c.initial } });
      c.actions.forEach((action, t) => {
        const result = env.step(action);
        // V8's and numpy's sin/cos may differ in the last ulp; those differences grow slowly over an episode.
        expectArraysClose(env.physicalState, c.states[t]!, { rel: 1e-10, abs: 1e-12 }, `state at step ${t}`);
        expectArraysClose(result.observation, c.observations[t]!, { rel: 1e-6, abs: 1e-9 }, `observation at step ${t}`);
        expect(result.terminated).toBe(c.terminated[t]);
        expect(result.reward).toBe(1);
      });
      expect(c.terminated.at(-1)).toBe(true);
    },
  );

  it('resets uniformly within ±0.05 and rounds observations to float32', () => {
    const env = new CartPole();
    for (let seed = 0; seed < 50; seed++) {
      const { observation } = env.reset({ seed });
      for (const v of observation) {
        expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
        expect(Math.fround(v)).toBe(v);
      }
    }
  });

  it('gives reward 0 on steps after termination, like Gymnasium', () => {
    const env = new CartPole();
    env.reset({ options: { state: [2.39, 1, 0, 0] } });
    expect(env.step(1).terminated).toBe(true);
    expect(env.step(1).reward).toBe(0);
  });

  it('CartPole-v1 truncates at 500 steps; random play averages about 22 steps', () => {
    const env = cartPoleV1();
    env.reset({ seed: 0 });
    // Balance with a simple angle controller: never terminates, truncated exactly at step 500.
    let observation = env.reset({ seed: 0 }).observation;
    let steps = 0;
    for (;;) {
      const result = env.step(observation[2]! + 0.5 * observation[3]! > 0 ? 1 : 0);
      steps++;
      observation = result.observation;
      if (result.terminated || result.truncated) {
        expect(result.truncated).toBe(true);
        expect(result.terminated).toBe(false);
        break;
      }
    }
    expect(steps).toBe(500);
    const rng = new Rng(1);
    let total = 0;
    const episodes = 300;
    for (let e = 0; e < episodes; e++) {
      env.reset();
      for (;;) {
        total++;
        const r = env.step(rng.int(2));
        if (r.terminated || r.truncated) break;
      }
    }
    // Random-policy CartPole episodes last ~22 steps on average (well-known baseline).
    expect(total / episodes).toBeGreaterThan(17);
    expect(total / episodes).toBeLessThan(28);
  });

  it('rejects actions other than 0 and 1 and bad reset states', () => {
    const env = new CartPole();
    env.reset();
    expect(() => env.step(2)).toThrow(/action/);
    expect(() => env.reset({ options: { state: [0, 0, 0] } })).toThrow(/options.state/);
  });
});
