import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeGae } from './computeGae.js';

/**
 * Naive reference: for each env and step, sum (γλ)^k δ_{t+k} forward in time until the episode
 * ends or the rollout does (the GAE definition of Schulman et al. 2016, eq. 16, truncated).
 */
function naiveGae(
  rewards: number[],
  values: number[],
  dones: number[],
  lastValues: number[],
  numEnvs: number,
  gamma: number,
  lambda: number,
): number[] {
  const numSteps = rewards.length / numEnvs;
  const out = new Array<number>(rewards.length).fill(0);
  for (let e = 0; e < numEnvs; e++) {
    for (let t = 0; t < numSteps; t++) {
      let sum = 0;
      let weight = 1;
      for (let k = t; k < numSteps; k++) {
        const i = k * numEnvs + e;
        const next = k === numSteps - 1 ? lastValues[e]! : values[i + numEnvs]!;
        const delta = rewards[i]! + (dones[i] ? 0 : gamma * next) - values[i]!;
        sum += weight * delta;
        if (dones[i]) break;
        weight *= gamma * lambda;
      }
      out[t * numEnvs + e] = sum;
    }
  }
  return out;
}

const rollout = fc
  .record({ numEnvs: fc.integer({ min: 1, max: 4 }), numSteps: fc.integer({ min: 1, max: 12 }) })
  .chain(({ numEnvs, numSteps }) =>
    fc.record({
      numEnvs: fc.constant(numEnvs),
      rewards: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), {
        minLength: numEnvs * numSteps,
        maxLength: numEnvs * numSteps,
      }),
      values: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), {
        minLength: numEnvs * numSteps,
        maxLength: numEnvs * numSteps,
      }),
      dones: fc.array(fc.constantFrom(0, 0, 0, 1), { minLength: numEnvs * numSteps, maxLength: numEnvs * numSteps }),
      lastValues: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: numEnvs, maxLength: numEnvs }),
      gamma: fc.double({ min: 0, max: 1, noNaN: true }),
      gaeLambda: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  );

describe('computeGae', () => {
  it('equals the naive forward sum of discounted TD residuals', () => {
    fc.assert(
      fc.property(rollout, (r) => {
        const { advantages, returns } = computeGae(r);
        const expected = naiveGae(r.rewards, r.values, r.dones, r.lastValues, r.numEnvs, r.gamma, r.gaeLambda);
        advantages.forEach((a, i) => {
          expect(a).toBeCloseTo(expected[i]!, 9);
          expect(returns[i]).toBeCloseTo(a + r.values[i]!, 9);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('λ = 1 gives bootstrapped Monte-Carlo returns; λ = 0 gives one-step TD targets', () => {
    const rewards = [1, 2, 3, 4];
    const values = [0.5, 0.1, -0.2, 0.3];
    const dones = [0, 1, 0, 0];
    const mc = computeGae({ rewards, values, dones, lastValues: [10], numEnvs: 1, gamma: 0.9, gaeLambda: 1 });
    expect(Array.from(mc.returns)).toEqual(
      [1 + 0.9 * 2, 2, 3 + 0.9 * 4 + 0.81 * 10, 4 + 0.9 * 10].map((x) => expect.closeTo(x, 12)),
    );
    const td = computeGae({ rewards, values, dones, lastValues: [10], numEnvs: 1, gamma: 0.9, gaeLambda: 0 });
    expect(Array.from(td.returns)).toEqual(
      [1 + 0.9 * 0.1, 2, 3 + 0.9 * 0.3, 4 + 0.9 * 10].map((x) => expect.closeTo(x, 12)),
    );
  });

  it('rejects inconsistent sizes', () => {
    expect(() =>
      computeGae({
        rewards: [1, 2, 3],
        values: [1, 2, 3],
        dones: [0, 0, 0],
        lastValues: [0, 0],
        numEnvs: 2,
        gamma: 1,
        gaeLambda: 1,
      }),
    ).toThrow(/numEnvs/);
    expect(() =>
      computeGae({ rewards: [1, 2], values: [1], dones: [0, 0], lastValues: [0], numEnvs: 1, gamma: 1, gaeLambda: 1 }),
    ).toThrow(/values/);
  });
});
