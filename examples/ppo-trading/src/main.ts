import { fileURLToPath } from 'node:url';
import { barsPerYear, Rng, type Timeframe } from '@candlelab/core';
import { TradingEnv } from '@candlelab/env';
import { BUNDLED_BTC_HOURLY, type DataFile, loadDataFile, runExampleCli } from '@candlelab/example-data';
import { computeFeatures, type FeatureSetInput } from '@candlelab/features';
import { initBackend } from '@candlelab/nn';
import { type EvaluationResult, evaluate, PPO, type UpdateMetrics } from '@candlelab/ppo';

/** Causal, scale-free observation features (computed by `@candlelab/features`). */
const FEATURE_SET: FeatureSetInput = {
  name: 'ppo-observation',
  features: [
    { kind: 'returns', period: 1 },
    { kind: 'returns', period: 4 },
    { kind: 'returns', period: 24 },
    { kind: 'rolling', of: 'ret_1', stat: 'std', window: 24 },
    { kind: 'indicator', id: 'rsi', params: { period: 14 } },
    { kind: 'priceRelative', id: 'sma', params: { period: 48 } },
    { kind: 'volumeRatio', period: 24 },
  ],
};

export interface PpoTradingOptions {
  /** The candle file. Default: the bundled Binance BTC/USDT 1h fixture. */
  data?: DataFile;
  /** Bars of the training period. Default 10,000 (≈ 14 months). */
  trainBars?: number;
  /** Bars of the later test period, ending at the file's last bar. Default 4,000 (≈ 5.5 months of hourly bars). */
  testBars?: number;
  /** Environment steps of training. Default 100,000. */
  totalTimesteps?: number;
  /** Steps per training episode (random start inside the training period). Default 512. */
  episodeLength?: number;
  /** Feature rows per observation. Default 8. */
  window?: number;
  /** Seed of the agent and of the training environments. Default 0. */
  seed?: number;
  /** Random-policy runs averaged for the baseline. Default 20. */
  randomRuns?: number;
  /** Called after each PPO update. Default none. */
  onUpdate?: (metrics: UpdateMetrics) => void;
}

/** One policy's evaluation over one period. */
export interface PolicyResult {
  totalReturn: number;
  /** Annualised with `barsPerYear` of the bars' timeframe. */
  sharpe: number;
  maxDrawdown: number;
  trades: number;
  winRate: number;
}

export interface PeriodResult {
  start: number;
  end: number;
  bars: number;
  ppo: PolicyResult;
  buyAndHold: PolicyResult;
  /** Mean over `randomRuns` uniformly random flat/long policies. */
  random: PolicyResult;
}

export interface PpoTradingResult {
  symbol: string;
  timeframe: Timeframe;
  featureNames: readonly string[];
  timesteps: number;
  trainSeconds: number;
  updates: number;
  lastUpdate: UpdateMetrics;
  /** Mean training-episode return (sum of log-return rewards) of each update; NaN where no episode ended. */
  learningCurve: Float64Array;
  /** In-sample evaluation (the period the agent trained on). */
  train: PeriodResult;
  /** Out-of-sample evaluation (a later period, never seen in training). */
  test: PeriodResult;
}

/**
 * Row-major observation matrix: each feature standardised with the mean and standard deviation
 * of the training rows only (no information from the test period), clipped to ±5, warm-up NaNs as 0.
 */
function standardizedFeatures(columns: readonly Float64Array[], n: number, trainStart: number, trainEnd: number) {
  const d = columns.length;
  const out = new Float64Array(n * d);
  columns.forEach((column, j) => {
    let count = 0;
    let mean = 0;
    let m2 = 0;
    for (let i = trainStart; i < trainEnd; i++) {
      const x = column[i]!;
      if (!Number.isFinite(x)) continue;
      count++;
      const delta = x - mean;
      mean += delta / count;
      m2 += delta * (x - mean);
    }
    const std = Math.sqrt(m2 / Math.max(1, count)) || 1;
    for (let i = 0; i < n; i++) {
      const x = column[i]!;
      out[i * d + j] = Number.isFinite(x) ? Math.max(-5, Math.min(5, (x - mean) / std)) : 0;
    }
  });
  return out;
}

function policyResult(result: EvaluationResult): PolicyResult {
  const t = result.trading!;
  return {
    totalReturn: t.meanReturn,
    sharpe: t.sharpe,
    maxDrawdown: t.maxDrawdown,
    trades: t.trades,
    winRate: t.winRate,
  };
}

function meanOf(results: readonly PolicyResult[]): PolicyResult {
  const avg = (f: (r: PolicyResult) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;
  return {
    totalReturn: avg((r) => r.totalReturn),
    sharpe: avg((r) => r.sharpe),
    maxDrawdown: avg((r) => r.maxDrawdown),
    trades: avg((r) => r.trades),
    winRate: avg((r) => r.winRate),
  };
}

/**
 * A PPO trading agent (`@candlelab/ppo`) in a flat/long `TradingEnv` (`@candlelab/env`) on real
 * candles (the bundled BTC/USDT hourly fixture, or `data`): fills at the next open, 10 bp fee + 5 bp slippage, log-return reward.
 * It trains on random episodes of one period and is evaluated once, deterministically, on the
 * whole of a later period — next to buy-and-hold and a uniformly random policy — and on its
 * training period for comparison.
 */
export async function run(options: PpoTradingOptions = {}): Promise<PpoTradingResult> {
  const seed = options.seed ?? 0;
  const window = options.window ?? 8;
  const testBars = options.testBars ?? 4000;
  const trainBars = options.trainBars ?? 10_000;
  const bars = await loadDataFile(options.data ?? BUNDLED_BTC_HOURLY, { minBars: trainBars + testBars });
  const n = bars.time.length;
  const testStart = n - testBars;
  const trainStart = testStart - trainBars;
  const { names, columns } = computeFeatures(bars, FEATURE_SET);
  const common = {
    bars,
    features: standardizedFeatures(columns, n, trainStart, testStart),
    featureNames: names,
    window,
    allowShort: false,
    fee: 0.001,
    slippage: 0.0005,
  } as const;
  // Periods: episodes may start anywhere in [start, end) once `window` rows are available.
  const trainRange = { start: trainStart, end: testStart };
  const testRange = { start: testStart - window + 1, end: n };

  await initBackend({ backend: 'wasm' }); // TensorFlow.js's one global backend, shared by nn and ppo
  const agent = new PPO({
    env: (i) =>
      new TradingEnv({
        ...common,
        range: trainRange,
        episodeLength: options.episodeLength ?? 512,
        seed: seed * 100 + i,
      }),
    config: { numEnvs: 4, numSteps: 256, numMinibatches: 4, updateEpochs: 4, learningRate: 3e-4, entCoef: 0.01, seed },
  });
  try {
    const learned = await agent.learn({
      totalTimesteps: options.totalTimesteps ?? 100_000,
      callbacks: options.onUpdate ? { onUpdate: (m) => void options.onUpdate!(m) } : {},
    });
    const periodsPerYear = barsPerYear(bars.timeframe);
    const period = (range: { start: number; end: number }): PeriodResult => {
      const env = () => new TradingEnv({ ...common, range, randomStart: false });
      const randomRuns = Array.from({ length: options.randomRuns ?? 20 }, (_, k) => {
        const rng = new Rng(1000 + k);
        return policyResult(evaluate(() => rng.int(2), env(), 1, { periodsPerYear }));
      });
      return {
        start: bars.time[range.start + window - 1]!,
        end: bars.time[range.end - 1]!,
        bars: range.end - (range.start + window - 1),
        ppo: policyResult(agent.evaluate(env(), 1, { periodsPerYear })),
        buyAndHold: policyResult(evaluate(() => 1, env(), 1, { periodsPerYear })),
        random: meanOf(randomRuns),
      };
    };
    return {
      symbol: bars.symbol,
      timeframe: bars.timeframe,
      featureNames: names,
      timesteps: learned.timesteps,
      trainSeconds: learned.seconds,
      updates: learned.updates.length,
      lastUpdate: learned.updates[learned.updates.length - 1]!,
      learningCurve: Float64Array.from(learned.updates, (u) => u.meanEpisodeReturn),
      train: period({ start: trainStart, end: testStart }),
      test: period(testRange),
    };
  } finally {
    agent.dispose();
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function periodTable(label: string, p: PeriodResult): string[] {
  const row = (name: string, r: PolicyResult) =>
    `  ${name.padEnd(20)} ${pct(r.totalReturn).padStart(8)} ${r.sharpe.toFixed(2).padStart(8)} ${pct(r.maxDrawdown).padStart(8)} ${r.trades.toFixed(0).padStart(7)} ${Number.isNaN(r.winRate) ? '      -' : pct(r.winRate).padStart(7)}`;
  return [
    `${label}: ${day(p.start)} → ${day(p.end)} (${p.bars} bars)`,
    `  ${'policy'.padEnd(20)} ${'return'.padStart(8)} ${'sharpe'.padStart(8)} ${'maxDD'.padStart(8)} ${'trades'.padStart(7)} ${'win'.padStart(7)}`,
    row('PPO (deterministic)', p.ppo),
    row('buy and hold', p.buyAndHold),
    row('random (mean)', p.random),
  ];
}

/** Mean of the first or last `count` finite values of a curve (NaN when there are none). */
function edgeMean(curve: Float64Array, count: number, from: 'first' | 'last'): number {
  const finite = Array.from(curve).filter(Number.isFinite);
  const part = from === 'first' ? finite.slice(0, count) : finite.slice(-count);
  return part.length === 0 ? Number.NaN : part.reduce((a, b) => a + b, 0) / part.length;
}

/** A readable summary: training, then both periods side by side with the baselines. */
export function formatResult(r: PpoTradingResult): string {
  const curve = `${edgeMean(r.learningCurve, 5, 'first').toFixed(4)} → ${edgeMean(r.learningCurve, 5, 'last').toFixed(4)}`;
  return [
    `${r.symbol} ${r.timeframe}; features: ${r.featureNames.join(', ')}`,
    `trained ${r.timesteps} steps (${r.updates} updates) in ${r.trainSeconds.toFixed(1)} s; mean training-episode log return (first 5 → last 5 updates with episodes) ${curve}; final policy entropy ${r.lastUpdate.entropy.toFixed(3)}`,
    ...periodTable('test (out of sample)', r.test),
    ...periodTable('train (in sample)', r.train),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runExampleCli(async (data) =>
    formatResult(
      await run({
        data,
        onUpdate: (m) => {
          if (m.update % 20 === 0)
            process.stderr.write(`update ${m.update}: ${m.timesteps} steps, ${m.stepsPerSecond.toFixed(0)} steps/s\n`);
        },
      }),
    ),
  );
}
