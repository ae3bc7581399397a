import { Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { CartPole } from './CartPole.js';
import { NormalizeObservation } from './NormalizeObservation.js';
import { RecordEpisodeStatistics } from './RecordEpisodeStatistics.js';
import { TimeLimit } from './TimeLimit.js';

describe('TimeLimit', () => {
  it('truncates after maxEpisodeSteps unless terminated first', () => {
    const env = new TimeLimit(new CartPole(), 5);
    env.reset({ options: { state: [0, 0, 0, 0] } });
    const flags = Array.from({ length: 5 }, (_, i) => env.step(i % 2).truncated);
    expect(flags).toEqual([false, false, false, false, true]);
    env.reset({ options: { state: [2.39, 1, 0, 0] } });
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(false);
    expect(() => new TimeLimit(new CartPole(), 0)).toThrow(/maxEpisodeSteps/);
  });
});

describe('RecordEpisodeStatistics', () => {
  it('reports the return and length on the last step only', () => {
    const env = new RecordEpisodeStatistics(new TimeLimit(new CartPole(), 7));
    env.reset({ seed: 1 });
    for (let i = 0; i < 6; i++) expect(env.step(1).info.episode).toBeUndefined();
    const last = env.step(1);
    expect(last.truncated || last.terminated).toBe(true);
    expect(last.info.episode).toMatchObject({ r: 7, l: 7 });
  });
});

describe('NormalizeObservation', () => {
  it('matches the running mean/variance of the raw observations (population variance, as numpy)', () => {
    const raw = new CartPole();
    const env = new NormalizeObservation(new CartPole());
    const rng = new Rng(2);
    const seen: Float64Array[] = [raw.reset({ seed: 4 }).observation];
    env.reset({ seed: 4 });
    let last: Float64Array = new Float64Array(4);
    for (let i = 0; i < 200; i++) {
      const a = rng.int(2);
      const r = raw.step(a);
      last = env.step(a).observation;
      seen.push(r.observation);
      if (r.terminated) {
        seen.push(raw.reset().observation);
        env.reset();
      }
    }
    // Reference: direct two-pass statistics; Gymnasium starts from count 1e-4 (negligible here).
    const n = seen.length;
    for (let j = 0; j < 4; j++) {
      const mean = seen.reduce((s, o) => s + o[j]!, 0) / n;
      const variance = seen.reduce((s, o) => s + (o[j]! - mean) ** 2, 0) / n;
      expect(env.statistics.mean[j]).toBeCloseTo(mean, 4);
      expect(env.statistics.var[j]!).toBeCloseTo(variance, 4);
    }
    env.update = false;
    const frozen = env.statistics;
    env.reset();
    env.step(0);
    expect(env.statistics).toEqual(frozen);
    expect(last.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('clips normalised values and copies statistics between instances', () => {
    const env = new NormalizeObservation(new CartPole(), { clip: 0.5 });
    env.reset({ seed: 0 });
    for (let i = 0; i < 30; i++) {
      const { observation, terminated } = env.step(1);
      for (const v of observation) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
      if (terminated) env.reset();
    }
    const other = new NormalizeObservation(new CartPole());
    other.statistics = env.statistics;
    expect(other.statistics).toEqual(env.statistics);
  });
});
