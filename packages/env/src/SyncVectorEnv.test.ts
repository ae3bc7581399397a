import { Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { CartPole, cartPoleV1 } from './CartPole.js';
import { SyncVectorEnv } from './SyncVectorEnv.js';

describe('SyncVectorEnv', () => {
  it('seeds sub-env i with seed + i and stacks observations row-major', () => {
    const vec = SyncVectorEnv.fromFactory(() => new CartPole(), 3);
    const { observations } = vec.reset({ seed: 10 });
    for (let i = 0; i < 3; i++) {
      const single = new CartPole().reset({ seed: 10 + i }).observation;
      expect(Array.from(observations.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(single));
    }
  });

  it('autoresets in the same step, returning the final observation in info', () => {
    const vec = SyncVectorEnv.fromFactory(() => cartPoleV1(), 2);
    vec.reset({ seed: 0 });
    const twin = [cartPoleV1(), cartPoleV1()];
    twin[0]!.reset({ seed: 0 });
    twin[1]!.reset({ seed: 1 });
    const rng = new Rng(3);
    let resets = 0;
    for (let step = 0; step < 300; step++) {
      const actions = [rng.int(2), rng.int(2)];
      const result = vec.step(actions);
      for (let i = 0; i < 2; i++) {
        const single = twin[i]!.step(actions[i]!);
        expect(result.rewards[i]).toBe(single.reward);
        expect(result.terminated[i]).toBe(single.terminated ? 1 : 0);
        const row = Array.from(result.observations.subarray(i * 4, i * 4 + 4));
        if (single.terminated || single.truncated) {
          resets++;
          expect(Array.from(result.infos[i]!.finalObservation as Float64Array)).toEqual(Array.from(single.observation));
          expect(row).toEqual(Array.from(twin[i]!.reset().observation));
        } else {
          expect(result.infos[i]!.finalObservation).toBeUndefined();
          expect(row).toEqual(Array.from(single.observation));
        }
      }
    }
    expect(resets).toBeGreaterThan(10);
  });

  it('rejects a wrong number of actions and empty env lists', () => {
    const vec = SyncVectorEnv.fromFactory(() => new CartPole(), 2);
    vec.reset();
    expect(() => vec.step([0])).toThrow(/actions/);
    expect(() => new SyncVectorEnv([])).toThrow(/envs/);
  });
});
