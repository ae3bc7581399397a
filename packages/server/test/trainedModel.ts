import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadStrategy, trainStrategy } from '@candlelab/pipeline';
import { openModelStore } from '@candlelab/registry';
import { fixturePath, universeDataYaml } from '@candlelab/test-utils';
import type { AggregatorSettings } from '../src/SeriesLoop.js';

/** Aggregator settings of the loops in tests: 1h bars, signals fresh for two bars, outcomes after one. */
export const TEST_AGGREGATOR: AggregatorSettings = {
  maxAgeMs: 2 * 3_600_000,
  learningRate: 0.5,
  decay: 0.01,
  horizonBars: 1,
  minConfidence: 0.5,
  minConsensus: 0.5,
  maxPositionSize: 1,
};

/** Training window of the test strategy: real BTC/USDT 1h bars; the fixture continues to 2022-10-11. */
export const TRAIN_START = Date.UTC(2022, 5, 1);
export const TRAIN_END = Date.UTC(2022, 8, 1);

/**
 * Trains a tiny real strategy on BTC/USDT (the 5-year fixture) or ETH/USDT (the universe fixture) (standard features without higher timeframes, a 20-tree GBDT,
 * forward-return labels over 4 bars) on the fixture into a temporary registry and promotes it to
 * `mature` (or `stage`) through the registry's gates. Returns the registry folder and the model id.
 */
export async function trainTestModel(
  options: {
    name?: string;
    entryThreshold?: number;
    symbol?: 'BTC/USDT' | 'ETH/USDT';
    /** Folder of the strategy file and its `models` registry. Default a new temporary folder. */
    dir?: string;
    /** Stage the model is promoted to. Default `mature`. */
    stage?: 'validation' | 'paper' | 'mature';
  } = {},
): Promise<{
  dir: string;
  registry: string;
  modelId: string;
}> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'candlelab-serve-'));
  const name = options.name ?? 'serve-test';
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}
seed: 7
data:
  symbols: [${options.symbol ?? 'BTC/USDT'}]
  timeframe: 1h
  start: 2022-06-01
  end: 2022-09-01
  source: { kind: file, path: '${fixturePath('ohlcv')}${options.symbol === 'ETH/USDT' ? '/binance-1h' : ''}/{base}_{quote}-{timeframe}.json.gz' }
  store: { kind: memory }
features: { preset: standard, higherTimeframes: [] }
labels: { kind: forwardReturn, horizon: 4, target: binary, upper: 0.002 }
model:
  kind: gbdt
  params: { nEstimators: 20, numLeaves: 15, minDataInLeaf: 40, learningRate: 0.1 }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 4, workers: 1 }
importance: { enabled: false }
backtest: { entryThreshold: ${options.entryThreshold ?? 0.5} }
registry: { root: models }
`,
  );
  return trainAndPromote(path, options.stage);
}

/** Trains the strategy file at `path` into its `models` registry and promotes the model to `stage` through the registry's gates. */
async function trainAndPromote(
  path: string,
  stage: 'validation' | 'paper' | 'mature' = 'mature',
): Promise<{ dir: string; registry: string; modelId: string }> {
  const result = await trainStrategy(loadStrategy(path));
  const dir = dirname(path);
  const registry = join(dir, 'models');
  const store = await openModelStore(registry);
  const id = result.model!.id;
  const steps = ['validation', 'paper', 'mature'] as const;
  for (const step of steps.slice(0, steps.indexOf(stage) + 1)) {
    const promotion = await store.promote(id, step, { by: 'test' });
    if (!promotion.promoted) throw new Error(`test model not promoted to ${step}: ${promotion.failed.join(', ')}`);
  }
  await store.close();
  return { dir, registry, modelId: id };
}

/**
 * Trains a tiny real PPO strategy on the universe fixture's 1h bars (2022-06-01 … 2022-08-20) and
 * promotes it to `mature`: a trading agent on BTC/USDT (returns and RSI, window 3, shorts
 * allowed) or a portfolio allocator over BTC/USDT, ETH/USDT and cash (window 4).
 */
export async function trainTestPpo(
  env: 'trading' | 'portfolio',
  options: { dir?: string } = {},
): Promise<{ dir: string; registry: string; modelId: string }> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `candlelab-serve-${env}-`));
  const name = env === 'trading' ? 'served-ppo' : 'served-allocator';
  const path = join(dir, `${name}.yaml`);
  const model =
    env === 'trading'
      ? `features:
  name: served-ppo
  features:
    - { kind: returns, period: 1 }
    - { kind: indicator, id: rsi, params: { period: 14 } }
labels: { kind: forwardReturn, horizon: 4, target: binary }
model:
  kind: ppo
  env: { episodeLength: 128, window: 3 }
  randomRuns: 1`
      : `features:
  name: allocator-rows
  features:
    - { kind: returns, period: 1 }
labels: { kind: forwardReturn, horizon: 1, target: binary }
model:
  kind: ppo
  env: { kind: portfolio, window: 4, episodeLength: 128 }`;
  writeFileSync(
    path,
    `name: ${name}
seed: ${env === 'trading' ? 3 : 7}
${universeDataYaml(env === 'trading' ? ['BTC/USDT'] : ['BTC/USDT', 'ETH/USDT'])}
${model}
  totalTimesteps: 512
  seeds: 1
  params: { numEnvs: 2, numSteps: 64, hiddenSizes: [8] }
backtest: { allowShort: ${env === 'trading'} }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 4, workers: 1 }
gates: [trades >= 0]
registry: { root: models }
`,
  );
  return trainAndPromote(path);
}
