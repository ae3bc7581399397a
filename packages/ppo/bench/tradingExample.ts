/**
 * Trading example: PPO on real Binance BTC/USDT 1h candles (the `btcHourly` fixture). Causal
 * features (returns over 1/4/24 bars, 24-bar volatility, distance from the 48-bar mean, volume
 * z-score) are standardised with statistics of the training period only. The agent (flat/long,
 * fills at the next open, 10 bp fee + 5 bp slippage, log-return reward) trains on random
 * 512-bar episodes of one period and is then evaluated once, deterministically, on the later
 * test period — next to buy-and-hold and a uniformly random policy (mean of 20 seeds).
 * Run: pnpm --filter @candlelab/ppo trading-example [--steps 200000] [--seed 0]
 */
import { barsPerYear, Rng } from '@candlelab/core';
import { TradingEnv } from '@candlelab/env';
import { btcHourly } from '@candlelab/test-utils';
import { type EvaluationResult, evaluate, PPO } from '../src/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const totalTimesteps = Number(arg('steps', '200000'));
const seed = Number(arg('seed', '0'));

const bars = btcHourly();
const n = bars.time.length;
const names = ['ret1', 'ret4', 'ret24', 'vol24', 'dist48', 'volumeZ24'];
const d = names.length;
const raw = new Float64Array(n * d).fill(Number.NaN);
const { close, volume } = bars;
for (let i = 48; i < n; i++) {
  let sq = 0;
  for (let k = i - 23; k <= i; k++) sq += Math.log(close[k]! / close[k - 1]!) ** 2;
  let mean = 0;
  for (let k = i - 47; k <= i; k++) mean += close[k]!;
  mean /= 48;
  let vm = 0;
  let vs = 0;
  for (let k = i - 23; k <= i; k++) vm += volume[k]!;
  vm /= 24;
  for (let k = i - 23; k <= i; k++) vs += (volume[k]! - vm) ** 2;
  const row = [
    Math.log(close[i]! / close[i - 1]!),
    Math.log(close[i]! / close[i - 4]!),
    Math.log(close[i]! / close[i - 24]!),
    Math.sqrt(sq / 24),
    Math.log(close[i]! / mean),
    (volume[i]! - vm) / (Math.sqrt(vs / 24) + 1e-12),
  ];
  raw.set(row, i * d);
}
// Periods: train on ~14 months, test on the following ~5.5 months (the fixture's last 4,000 bars).
const testStart = n - 4000;
const trainStart = testStart - 10_000;
const features = new Float64Array(n * d);
for (let j = 0; j < d; j++) {
  let mean = 0;
  let ss = 0;
  for (let i = trainStart; i < testStart; i++) mean += raw[i * d + j]!;
  mean /= testStart - trainStart;
  for (let i = trainStart; i < testStart; i++) ss += (raw[i * d + j]! - mean) ** 2;
  const std = Math.sqrt(ss / (testStart - trainStart));
  for (let i = 0; i < n; i++)
    features[i * d + j] = Number.isFinite(raw[i * d + j]!)
      ? Math.max(-5, Math.min(5, (raw[i * d + j]! - mean) / std))
      : 0;
}
const common = {
  bars,
  features,
  featureNames: names,
  window: 8,
  allowShort: false,
  fee: 0.001,
  slippage: 0.0005,
} as const;
const trainEnv = (i: number) =>
  new TradingEnv({ ...common, range: { start: trainStart, end: testStart }, episodeLength: 512, seed: seed * 100 + i });
const testEnv = () => new TradingEnv({ ...common, range: { start: testStart - 7, end: n }, randomStart: false });
const inSampleEnv = () =>
  new TradingEnv({ ...common, range: { start: trainStart, end: testStart }, randomStart: false });

const agent = new PPO({
  env: trainEnv,
  config: {
    numEnvs: 8,
    numSteps: 128,
    numMinibatches: 4,
    updateEpochs: 4,
    learningRate: 3e-4,
    entCoef: 0.01,
    gamma: 0.99,
    seed,
  },
});
const started = performance.now();
const result = await agent.learn({
  totalTimesteps,
  callbacks: {
    onUpdate: (m) => {
      if (m.update % 25 === 0)
        console.log(
          `update ${m.update}: ${m.timesteps} steps, mean episode return ${m.meanEpisodeReturn.toFixed(4)}, entropy ${m.entropy.toFixed(3)}, ${m.stepsPerSecond.toFixed(0)} steps/s`,
        );
      return undefined;
    },
  },
});
console.log(`trained ${result.timesteps} steps in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const periodsPerYear = barsPerYear('1h');
const random = (env: () => TradingEnv) => {
  const runs = Array.from({ length: 20 }, (_, k) => {
    const rng = new Rng(k);
    return evaluate(() => rng.int(2), env(), 1, { periodsPerYear });
  });
  const avg = (f: (r: EvaluationResult) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
  return {
    ret: avg((r) => r.trading!.meanReturn),
    sharpe: avg((r) => r.trading!.sharpe),
    dd: avg((r) => r.trading!.maxDrawdown),
    trades: avg((r) => r.trading!.trades),
    win: avg((r) => r.trading!.winRate),
  };
};
const row = (name: string, r: { ret: number; sharpe: number; dd: number; trades: number; win: number }) =>
  `${name} | ${(r.ret * 100).toFixed(1)}% | ${r.sharpe.toFixed(2)} | ${(r.dd * 100).toFixed(1)}% | ${r.trades.toFixed(0)} | ${Number.isNaN(r.win) ? '-' : `${(r.win * 100).toFixed(0)}%`}`;
const summarize = (r: EvaluationResult) => ({
  ret: r.trading!.meanReturn,
  sharpe: r.trading!.sharpe,
  dd: r.trading!.maxDrawdown,
  trades: r.trading!.trades,
  win: r.trading!.winRate,
});
for (const [label, env] of [
  ['test (out of sample)', testEnv],
  ['train (in sample)', inSampleEnv],
] as const) {
  const first = env();
  const { info } = first.reset();
  console.log(
    `\n${label}: ${new Date(bars.time[info.index]!).toISOString().slice(0, 10)} → ${new Date(bars.time[label.startsWith('test') ? n - 1 : testStart - 1]!).toISOString().slice(0, 10)}`,
  );
  console.log('policy | total return | Sharpe (ann.) | max drawdown | trades | win rate');
  console.log('---|---|---|---|---|---');
  console.log(row('PPO (deterministic)', summarize(agent.evaluate(env(), 1, { periodsPerYear }))));
  console.log(row('buy and hold', summarize(evaluate(() => 1, env(), 1, { periodsPerYear }))));
  console.log(row('random (mean of 20)', random(env)));
}
