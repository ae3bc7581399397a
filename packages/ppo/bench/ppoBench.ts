/**
 * PPO training throughput against PyTorch, side by side in one run: the RL Zoo CartPole-v1 PPO
 * (8 envs × 32 steps, 20 epochs of one 256-row minibatch, 64-64 tanh actor and critic) in
 * candlelab and in bench/ppo_torch.py (the same algorithm in PyTorch, one thread, cleanrl/SB3
 * style), alternating so that both see the same machine load. Prints steps/s of each run and the
 * ratio candlelab / PyTorch (target ≥ 1). The PyTorch side is skipped, with a message, where
 * `/usr/bin/python3` has no torch (set PYTHON to use another interpreter).
 * Run: pnpm --filter @candlelab/ppo bench [--steps 20480] [--rounds 3]
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cartPoleV1 } from '@candlelab/env';
import { CARTPOLE_ZOO_CONFIG, PPO } from '../src/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const steps = Number(arg('steps', '20480'));
const rounds = Number(arg('rounds', '3'));
const python = process.env.PYTHON ?? '/usr/bin/python3';
const script = fileURLToPath(new URL('./ppo_torch.py', import.meta.url));

interface Run {
  stepsPerSecond: number;
  updateShare: number;
}

async function candlelab(seed: number): Promise<Run> {
  const agent = new PPO({ env: () => cartPoleV1(), config: { ...CARTPOLE_ZOO_CONFIG, seed } });
  const result = await agent.learn({ totalTimesteps: steps });
  const update = result.updates.reduce((s, u) => s + u.updateSeconds, 0);
  return { stepsPerSecond: result.timesteps / result.seconds, updateShare: update / result.seconds };
}

function torch(seed: number): Run | string {
  const run = spawnSync(python, [script, '--steps', String(steps), '--seed', String(seed)], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return (run.error?.message ?? run.stderr).trim().split('\n').at(-1) ?? 'failed';
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    steps_per_second: number;
    seconds: number;
    update_seconds: number;
  };
  return { stepsPerSecond: out.steps_per_second, updateShare: out.update_seconds / out.seconds };
}

const torchVersion = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
const hasTorch = torchVersion.status === 0;
console.log(
  `PPO, CartPole-v1, RL Zoo settings, ${steps} steps per run; ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.version}` +
    (hasTorch ? `, PyTorch ${torchVersion.stdout.trim()} (1 thread)` : ''),
);
if (!hasTorch)
  console.log(`PyTorch reference skipped: ${python} cannot import torch (install torch there, or set PYTHON).`);
await candlelab(100); // warm-up: JIT and WebAssembly compilation
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
console.log('\nround | candlelab steps/s | time in updates | PyTorch steps/s | time in updates | ratio');
console.log('---|---|---|---|---|---');
const ratios: number[] = [];
for (let round = 0; round < rounds; round++) {
  const ours = await candlelab(round);
  const theirs = hasTorch ? torch(round) : 'skipped';
  if (typeof theirs === 'string') {
    console.log(`${round + 1} | ${ours.stepsPerSecond.toFixed(0)} | ${pct(ours.updateShare)} | ${theirs} | – | –`);
    continue;
  }
  const ratio = ours.stepsPerSecond / theirs.stepsPerSecond;
  ratios.push(ratio);
  console.log(
    `${round + 1} | ${ours.stepsPerSecond.toFixed(0)} | ${pct(ours.updateShare)} | ${theirs.stepsPerSecond.toFixed(0)} | ${pct(theirs.updateShare)} | ${ratio.toFixed(2)}×`,
  );
}
if (ratios.length > 0)
  console.log(
    `\ncandlelab / PyTorch: ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× over ${ratios.length} rounds (target ≥ 1.0×)`,
  );
