/**
 * Acceptance run: PPO on CartPole-v1 with the RL Baselines3 Zoo's settings (8 envs × 32 steps,
 * batch 256, 20 epochs, LR 1e-3 and clip 0.2 annealed linearly, λ 0.8, γ 0.98, 64-64 tanh) for
 * 100,000 steps per seed, evaluating every 10,000 steps (10 episodes) and keeping the best
 * checkpoint; then 100 deterministic evaluation episodes. Pass: mean ≥ 475 for ≥ 4 of 5 seeds.
 * Run: pnpm --filter @candlelab/ppo cartpole [--seeds 0,1,2,3,4] [--steps 100000]
 */
import { cartPoleV1 } from '@candlelab/env';
import { CARTPOLE_ZOO_CONFIG, PPO } from '../src/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const seeds = arg('seeds', '0,1,2,3,4').split(',').map(Number);
const totalTimesteps = Number(arg('steps', '100000'));

const rows: string[] = [];
let passed = 0;
for (const seed of seeds) {
  const agent = new PPO({ env: () => cartPoleV1(), config: { ...CARTPOLE_ZOO_CONFIG, seed } });
  // The last periodic evaluation runs after the last update: the final (not best) policy.
  let finalPolicy = Number.NaN;
  const result = await agent.learn({
    totalTimesteps,
    evaluation: { env: cartPoleV1(), everyTimesteps: 10_000, episodes: 10, options: { seed: 1000 + seed } },
    callbacks: {
      onEvaluation: (e) => {
        finalPolicy = e.meanReturn;
      },
    },
  });
  const final = agent.evaluate(cartPoleV1(), 100, { seed: 10_000 + seed });
  const ok = final.meanReturn >= 475;
  if (ok) passed++;
  const updateShare = result.updates.reduce((s, u) => s + u.updateSeconds, 0) / result.seconds;
  rows.push(
    [
      seed,
      result.timesteps,
      result.best ? `${result.best.meanReturn.toFixed(1)} @ ${result.best.timesteps}` : '-',
      finalPolicy.toFixed(1),
      final.meanReturn.toFixed(1),
      final.stdReturn.toFixed(1),
      result.seconds.toFixed(1),
      (result.timesteps / result.seconds).toFixed(0),
      `${(updateShare * 100).toFixed(0)}%`,
      ok ? 'yes' : 'no',
    ].join(' | '),
  );
  console.log(`seed ${seed} done: ${final.meanReturn.toFixed(1)} ± ${final.stdReturn.toFixed(1)}`);
}
console.log(`\nCartPole-v1, RL Zoo PPO settings, ${totalTimesteps} steps per seed`);
console.log(
  'seed | steps | best periodic eval (10 ep) | final policy (10 ep) | best checkpoint: mean return (100 ep) | std | seconds | steps/s | time in updates | ≥ 475',
);
console.log('---|---|---|---|---|---|---|---|---|---');
for (const row of rows) console.log(row);
console.log(`\n${passed} of ${seeds.length} seeds reach a mean return ≥ 475 (acceptance: ≥ 4 of 5)`);
