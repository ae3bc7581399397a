/**
 * PPO benchmark: raw CartPole steps/s with random actions (one env and an 8-env SyncVectorEnv),
 * then full-training steps/s (rollout + update) of the RL Zoo CartPole run on the wasm and cpu
 * backends, with the share of time spent in updates. References: the issue's target of 3,000
 * training steps/s on a 2-core machine, and Stable-Baselines3's ~1,000 steps/s on a CPU.
 * Run: pnpm --filter @candlelab/ppo bench [--steps 20480]
 */
import { Rng } from '@candlelab/core';
import { CartPole, cartPoleV1, SyncVectorEnv } from '@candlelab/env';
import { type BackendName, initBackend } from '@candlelab/nn';
import { CARTPOLE_ZOO_CONFIG, PPO } from '../src/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const trainSteps = Number(arg('steps', '20480'));
const TARGET = 3000;
const SB3 = 1000;

function rawSingle(steps: number): number {
  const env = new CartPole();
  const rng = new Rng(0);
  env.reset({ seed: 0 });
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const r = env.step(rng.int(2));
    if (r.terminated) env.reset();
  }
  return steps / ((performance.now() - start) / 1000);
}

function rawVector(steps: number): number {
  const env = SyncVectorEnv.fromFactory(() => cartPoleV1(), 8);
  const rng = new Rng(0);
  env.reset({ seed: 0 });
  const actions = new Array<number>(8).fill(0);
  const start = performance.now();
  for (let i = 0; i < steps / 8; i++) {
    for (let e = 0; e < 8; e++) actions[e] = rng.int(2);
    env.step(actions);
  }
  return steps / ((performance.now() - start) / 1000);
}

rawSingle(100_000);
const single = rawSingle(1_000_000);
const vector = rawVector(400_000);
console.log('raw CartPole, random actions | steps/s');
console.log('---|---');
console.log(`CartPole (1 env) | ${single.toFixed(0)}`);
console.log(`SyncVectorEnv(8 × CartPole-v1) | ${vector.toFixed(0)}`);

const rows: string[] = [];
for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  await initBackend({ backend });
  const agent = new PPO({ env: () => cartPoleV1(), config: { ...CARTPOLE_ZOO_CONFIG, seed: 0 } });
  const result = await agent.learn({ totalTimesteps: trainSteps });
  const rollout = result.updates.reduce((s, u) => s + u.rolloutSeconds, 0);
  const update = result.updates.reduce((s, u) => s + u.updateSeconds, 0);
  const sps = result.timesteps / result.seconds;
  rows.push(
    `${backend} | ${result.timesteps} | ${sps.toFixed(0)} | ${((update / result.seconds) * 100).toFixed(0)}% | ${((rollout / result.seconds) * 100).toFixed(0)}% | ${(sps / TARGET).toFixed(2)}× | ${(sps / SB3).toFixed(2)}×`,
  );
  agent.dispose();
}
console.log('\nfull PPO training, CartPole-v1 RL Zoo settings (8×32 rollout, 20 epochs of 1 minibatch of 256)');
console.log('backend | steps | steps/s | time in updates | time in rollouts | vs 3,000 target | vs SB3 ~1,000');
console.log('---|---|---|---|---|---|---');
for (const row of rows) console.log(row);
