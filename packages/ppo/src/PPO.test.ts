import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, ConfigError, copyBars, Discrete, type Env, ModelFormatError, Rng } from '@candlelab/core';
import { CartPole, cartPoleV1, SyncVectorEnv, TimeLimit, TradingEnv } from '@candlelab/env';
import { btcHourly } from '@candlelab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRollout, RolloutBuffer } from './collectRollout.js';
import { evaluate } from './evaluate.js';
import { PPO } from './PPO.js';
import { CARTPOLE_ZOO_CONFIG } from './PpoConfig.js';

/** One-step continuous bandit: reward −(a − 0.5)², so the optimal Gaussian mean is 0.5. */
class Bandit implements Env<Box, Box> {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Box(-2, 2, [1]);
  reset() {
    return { observation: Float64Array.of(0), info: {} };
  }
  step(action: Float64Array) {
    if (action.length !== 1) throw new Error('action must have 1 value');
    return {
      observation: Float64Array.of(0),
      reward: -((action[0]! - 0.5) ** 2),
      terminated: true,
      truncated: false,
      info: {},
    };
  }
}

/** Constant observation, reward 1, truncated every 3 steps, never terminated. */
class Truncating implements Env<Box, Discrete> {
  readonly observationSpace = new Box(-5, 5, [2]);
  readonly actionSpace = new Discrete(2);
  private t = 0;
  reset() {
    this.t = 0;
    return { observation: Float64Array.of(1, -2), info: {} };
  }
  step() {
    this.t++;
    return { observation: Float64Array.of(1, -2), reward: 1, terminated: false, truncated: this.t % 3 === 0, info: {} };
  }
}

describe('PPO', () => {
  it('learns CartPole-v1 with the RL Zoo settings (short run)', async () => {
    const agent = new PPO({ env: () => cartPoleV1(), config: { ...CARTPOLE_ZOO_CONFIG, seed: 0 } });
    const random = evaluate(() => new Rng(1).int(2), cartPoleV1(), 20);
    const result = await agent.learn({ totalTimesteps: 16_384 });
    expect(result.updates).toHaveLength(64);
    const last = result.updates.at(-1)!;
    for (const key of [
      'policyLoss',
      'valueLoss',
      'entropy',
      'approxKl',
      'clipFraction',
      'explainedVariance',
      'stepsPerSecond',
    ] as const) {
      expect(Number.isFinite(last[key]), key).toBe(true);
    }
    expect(last.learningRate).toBeCloseTo(1e-3 / 64, 12);
    const trained = agent.evaluate(cartPoleV1(), 20);
    // Random play lasts ~22 steps; the trained agent must do far better.
    expect(trained.meanReturn).toBeGreaterThan(150);
    expect(trained.meanReturn).toBeGreaterThan(5 * random.meanReturn);
  });

  it('is bit-identical for the same seed and differs for another', async () => {
    const run = async (seed: number) => {
      const agent = new PPO({
        env: () => cartPoleV1(),
        config: { numEnvs: 2, numSteps: 16, numMinibatches: 2, updateEpochs: 2, seed },
      });
      await agent.learn({ totalTimesteps: 96 });
      const params = agent.model.params.slice();
      return params;
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(await run(4)).not.toEqual(a);
  });

  it('moves a Gaussian policy toward the optimum of a continuous bandit', async () => {
    const agent = new PPO({
      env: () => new Bandit(),
      config: { numEnvs: 4, numSteps: 32, numMinibatches: 2, updateEpochs: 4, learningRate: 3e-3, entCoef: 0, seed: 1 },
    });
    expect(agent.predict([0]).mean![0]).toBeCloseTo(0, 1);
    await agent.learn({ totalTimesteps: 4096 });
    const prediction = agent.predict([0]);
    expect(prediction.mean![0]).toBeGreaterThan(0.35);
    expect(prediction.mean![0]).toBeLessThan(0.65);
    expect(prediction.std![0]).toBeLessThan(1);
    const sampled = agent.predict([0], { deterministic: false }).action as Float64Array;
    expect(sampled[0]).toBeGreaterThanOrEqual(-2);
    expect(sampled[0]).toBeLessThanOrEqual(2);
  });

  it('bootstraps truncated episodes with γ·V(final observation) and marks them done', () => {
    const agent = new PPO({
      env: () => new Truncating(),
      config: { numEnvs: 1, numSteps: 7, numMinibatches: 1, gamma: 0.9 },
    });
    const env = SyncVectorEnv.fromFactory(() => new Truncating(), 1);
    const buffer = new RolloutBuffer(7, 1, 2, 1);
    const { observations } = env.reset();
    const state = { observations, episodeReturns: new Float64Array(1), episodeLengths: new Float64Array(1) };
    const episodes = collectRollout(agent.model, env, buffer, state, 0.9, new Rng(0));
    const value = agent.model.value([1, -2], 1).slice();
    expect(Array.from(buffer.dones)).toEqual([0, 0, 1, 0, 0, 1, 0]);
    for (const [t, r] of buffer.rewards.entries()) expect(r).toBeCloseTo(buffer.dones[t] ? 1 + 0.9 * value[0]! : 1, 5);
    expect(episodes.lengths).toEqual([3, 3]);
    expect(episodes.returns).toEqual([3, 3]);
  });

  it('predicts actions with probabilities, and saves/loads to identical predictions', async () => {
    const agent = new PPO({ env: () => new CartPole(), config: { numEnvs: 2, numSteps: 32, seed: 5 } });
    await agent.learn({ totalTimesteps: 64 });
    const observation = [0.01, 0.2, -0.03, -0.1];
    const p = agent.predict(observation);
    expect(p.probabilities!.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(p.action).toBe(p.probabilities![1]! > p.probabilities![0]! ? 1 : 0);
    const restored = PPO.fromJSON(JSON.parse(JSON.stringify(agent.toJSON())));
    expect(restored.predict(observation)).toEqual(p);
    expect(restored.timesteps).toBe(64);
    expect(() => PPO.fromJSON({ ...agent.toJSON(), kind: 'gbdt' })).toThrow(ModelFormatError);
    expect(() => PPO.fromJSON({ ...agent.toJSON(), params: [1, 2] })).toThrow(/params/);
    await expect(restored.learn({ totalTimesteps: 10 })).rejects.toThrow(/training env/);
  });

  it('evaluates periodically, keeps the best checkpoint and stops when onUpdate returns false', async () => {
    const agent = new PPO({ env: () => cartPoleV1(), config: { ...CARTPOLE_ZOO_CONFIG, seed: 2 } });
    const evaluations: Array<{ meanReturn: number; best: boolean }> = [];
    const result = await agent.learn({
      totalTimesteps: 50_000,
      evaluation: { env: new TimeLimit(new CartPole(), 200), everyTimesteps: 1024, episodes: 3 },
      callbacks: { onUpdate: (m) => m.update < 12, onEvaluation: (e) => evaluations.push(e) },
    });
    expect(result.updates).toHaveLength(12);
    expect(evaluations).toHaveLength(3);
    const best = Math.max(...evaluations.map((e) => e.meanReturn));
    expect(result.best?.meanReturn).toBe(best);
    expect(agent.evaluate(new TimeLimit(new CartPole(), 200), 3).meanReturn).toBe(best);
  });

  it('reports trading metrics for trading envs', () => {
    const bars = copyBars(btcHourly({ last: 300 }));
    const features = new Float64Array(300);
    for (let i = 1; i < 300; i++) features[i] = Math.log(bars.close[i]! / bars.close[i - 1]!);
    const env = new TradingEnv({
      bars,
      features,
      featureNames: ['ret'],
      window: 4,
      fee: 0,
      slippage: 0,
      randomStart: false,
      range: { start: 1 },
    });
    const hold = evaluate(() => 2, env, 1);
    expect(hold.trading!.meanReturn).toBeCloseTo(bars.close[299]! / bars.open[5]! - 1, 10);
    expect(hold.trading!.trades).toBe(0);
    let peak = 0;
    let maxDrawdown = 0;
    for (let i = 5; i < 300; i++) {
      peak = Math.max(peak, bars.close[i]!);
      maxDrawdown = Math.max(maxDrawdown, 1 - bars.close[i]! / peak);
    }
    expect(hold.trading!.maxDrawdown).toBeCloseTo(maxDrawdown, 10);
    const flip = evaluate((o) => (o[3]! > 0 ? 2 : 0), env, 1);
    expect(flip.trading!.trades).toBeGreaterThan(10);
    expect(flip.trading!.winRate).toBeGreaterThanOrEqual(0);
    expect(flip.trading!.winRate).toBeLessThanOrEqual(1);
    const agent = new PPO({ spaces: { observation: env.observationSpace, action: env.actionSpace } });
    expect(Number.isFinite(agent.evaluate(env, 1).trading!.sharpe)).toBe(true);
  });

  it('rejects bad configs naming the field', () => {
    expect(
      () => new PPO({ env: () => new CartPole(), config: { numMinibatches: 3, numEnvs: 2, numSteps: 8 } }),
    ).toThrow(ConfigError);
    expect(() => new PPO({ env: () => new CartPole(), config: { gamma: 2 } })).toThrow(/gamma/);
  });
});

describe('PPO model files that cannot act are refused with ModelFormatError', () => {
  let dir = '';
  let text = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'candlelab-ppo-'));
    const agent = new PPO({
      env: () => new CartPole(),
      config: { numEnvs: 2, numSteps: 8, hiddenSizes: [8], seed: 1 },
    });
    await agent.learn({ totalTimesteps: 16 });
    await agent.save(join(dir, 'good.json'));
    text = await readFile(join(dir, 'good.json'), 'utf8');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, content: string) => {
    await writeFile(join(dir, name), content);
    return join(dir, name);
  };

  it('loads the untouched file and predicts finite probabilities', async () => {
    const agent = await PPO.load(join(dir, 'good.json'));
    expect(agent.predict([0.01, 0, -0.02, 0.01]).probabilities!.every(Number.isFinite)).toBe(true);
  });

  it('infinite (1e999) or non-numeric parameters, naming the file and the parameter', async () => {
    const infinite = await file(
      'infinite.json',
      text.replace('"params":[', '"params":[1e999,').replace(/,[^,\]]+\]\}$/, ']}'),
    );
    await expect(PPO.load(infinite)).rejects.toThrow(ModelFormatError);
    await expect(PPO.load(infinite)).rejects.toThrow(/infinite\.json: ppo model: params\.0/);
    const json = JSON.parse(text) as { params: unknown[] };
    expect(() => PPO.fromJSON({ ...json, params: ['x', ...json.params.slice(1)] })).toThrow(/params\.0/);
  });

  it('bad hiddenSizes and other invalid configs, naming the field', async () => {
    const json = JSON.parse(text) as { config: Record<string, unknown> };
    for (const hiddenSizes of ['64', [8, -1], [], [1e9], null]) {
      expect(() => PPO.fromJSON({ ...json, config: { ...json.config, hiddenSizes } })).toThrow(ModelFormatError);
      expect(() => PPO.fromJSON({ ...json, config: { ...json.config, hiddenSizes } })).toThrow(/hiddenSizes/);
    }
    expect(() => PPO.fromJSON({ ...json, config: { ...json.config, hiddenSizes: [9] } })).toThrow(
      /params, the architecture/,
    );
    expect(() => PPO.fromJSON({ ...json, config: { ...json.config, annealLr: 'yes' } })).toThrow(/annealLr/);
    expect(() => PPO.fromJSON({ ...json, observationSpace: { kind: 'box', low: [1], high: [0], shape: [1] } })).toThrow(
      ModelFormatError,
    );
  });

  it('truncated, invalid or missing files', async () => {
    const truncated = await file('truncated.json', text.slice(0, Math.floor(text.length / 2)));
    await expect(PPO.load(truncated)).rejects.toThrow(ModelFormatError);
    await expect(PPO.load(truncated)).rejects.toThrow(/cannot read .*truncated\.json/);
    await expect(PPO.load(await file('invalid.json', '{"kind": "ppo", version: 1}'))).rejects.toThrow(ModelFormatError);
    await expect(PPO.load(await file('array.json', '[]'))).rejects.toThrow(ModelFormatError);
    await expect(PPO.load(join(dir, 'missing.json'))).rejects.toThrow(ModelFormatError);
  });
});
