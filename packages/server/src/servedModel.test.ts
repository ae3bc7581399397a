import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerBound, sliceBars } from '@candlelab/core';
import { MemoryStore } from '@candlelab/data';
import { computeFeatures } from '@candlelab/features';
import { labelClasses } from '@candlelab/labels';
import {
  commonTimeBars,
  loadStrategy,
  loadStrategyModel,
  predictHybrid,
  predictPortfolio,
  replayPpo,
  trainStrategy,
} from '@candlelab/pipeline';
import { openModelStore } from '@candlelab/registry';
import { loadFixtureBars, universeDataYaml } from '@candlelab/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_AGGREGATOR, trainTestModel, trainTestPpo } from '../test/trainedModel.js';
import { SeriesLoop } from './SeriesLoop.js';
import { openDuckDbPredictionLog } from './SqlPredictionLog.js';
import { loadServedModel, probabilityNames, type ServedModel, servedKind, servingMismatch } from './servedModel.js';

const HOUR = 3_600_000;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('loadServedModel (through the pipeline loadStrategyModel)', () => {
  it('serves a classifier with its stored strategy, classes and rule; the row probabilities match the pipeline loader', async () => {
    const trained = await trainTestModel({ name: 'served-model-test' });
    dirs.push(trained.dir);
    const store = await openModelStore(trained.registry);
    try {
      const served = await loadServedModel(store, trained.modelId);
      if (served.kind !== 'classifier') throw new Error(`expected a classifier, got ${served.kind}`);
      const loaded = await loadStrategyModel(store, trained.modelId);
      if (loaded.kind !== 'classifier') throw new Error('expected a classifier');
      expect(served.sizing).toBeUndefined();
      expect(servingMismatch(served, 'BTC/USDT', '1h')).toBeUndefined();
      expect(servingMismatch(served, 'BTC/USDT', '4h')).toBe('trained on 1h bars, not 4h');
      expect(served.horizonBars).toBe(4);
      expect((await loadServedModel(store, trained.modelId, 9)).horizonBars).toBe(9);
      expect(served.classes).toEqual(labelClasses(served.strategy.labels));
      expect(served.rule).toEqual(loaded.rule);
      expect(served.featureSet).toEqual(loaded.featureSet);
      // The last 100 feature rows of real bars after the training window.
      const bars = loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz');
      const end = lowerBound(bars.time, Date.UTC(2022, 9, 1));
      const { columns } = computeFeatures(sliceBars(bars, end - 600, end), served.featureSet);
      const cols = columns.length;
      const data = new Float64Array(100 * cols);
      for (let r = 0; r < 100; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = columns[c]![500 + r]!;
      const X = { data, rows: 100, cols };
      const proba = served.classifier.predictProba(X);
      expect(proba).toHaveLength(200);
      expect(Array.from(proba)).toEqual(Array.from(loaded.classifier.predictProba(X)));
    } finally {
      await store.close();
    }
  }, 120_000);

  it('serves a PPO trading agent: bar by bar (across a restart) its position and action probabilities equal replayPpo from the first bar fed', async () => {
    const trained = await trainTestPpo('trading');
    dirs.push(trained.dir);
    const store = await openModelStore(trained.registry);
    try {
      const served = await loadServedModel(store, trained.modelId);
      if (served.kind !== 'ppo') throw new Error(`expected a PPO trader, got ${served.kind}`);
      expect(servedKind(served)).toBe('ppo');
      expect(probabilityNames(served)).toEqual(['short', 'flat', 'long']);
      const { bars, rows } = await replayLive(served, ['BTC/USDT'], 'BTC/USDT');
      expect(rows).toHaveLength(73);
      const feedStart = lowerBound(bars.get('BTC/USDT')!.time, rows[0]!.barTime - 50 * HOUR);
      const positions = new Set<number>();
      for (const row of rows) {
        const all = bars.get('BTC/USDT')!;
        const upTo = sliceBars(all, feedStart, lowerBound(all.time, row.barTime) + 1);
        const batch = replayPpo(
          served.trader.policy,
          served.trader.spec,
          upTo,
          computeFeatures(upTo, served.featureSet),
          Number.POSITIVE_INFINITY,
        );
        expect(row.size, row.key).toBe(batch.position);
        expect(row.probabilities).toEqual(Array.from(batch.probabilities));
        expect(row.action).toBe(batch.position > 0 ? 'buy' : batch.position < 0 ? 'sell' : 'hold');
        expect(row.confidence).toBe(batch.probabilities[batch.action]);
        positions.add(batch.position);
      }
      // The replay exercised more than one position.
      expect(positions.size).toBeGreaterThan(1);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('serves a PPO portfolio allocator on each of its series: bar by bar (across a restart) its weights equal predictPortfolio over the common bars from the first bar fed', async () => {
    const trained = await trainTestPpo('portfolio');
    dirs.push(trained.dir);
    const store = await openModelStore(trained.registry);
    try {
      const served = await loadServedModel(store, trained.modelId);
      if (served.kind !== 'portfolio') throw new Error(`expected an allocator, got ${served.kind}`);
      expect(probabilityNames(served)).toEqual(['w_BTC/USDT', 'w_ETH/USDT', 'w_cash']);
      expect(servingMismatch(served, 'ETH/USDT', '1h')).toBeUndefined();
      const symbols = ['BTC/USDT', 'ETH/USDT'];
      // Each series' loop steps its own allocator; both log the same weights, each its own symbol's as the size.
      for (const [k, symbol] of symbols.entries()) {
        const { bars, rows } = await replayLive(served, symbols, symbol);
        expect(rows).toHaveLength(73);
        const feedStart = rows[0]!.barTime - 50 * HOUR;
        const cash = new Set<number>();
        for (const row of rows) {
          const upTo = commonTimeBars(
            symbols.map((s) => {
              const all = bars.get(s)!;
              return sliceBars(all, lowerBound(all.time, feedStart), lowerBound(all.time, row.barTime) + 1);
            }),
          );
          const batch = predictPortfolio(served.agent, served.envSpec, upTo, { from: served.envSpec.window });
          expect(batch.time).toBe(row.barTime);
          expect(row.probabilities, row.key).toEqual(Array.from(batch.weights));
          expect(row.size).toBe(batch.weights[k]);
          expect(row.action).toBe(batch.weights[k]! > 0 ? 'buy' : 'hold');
          cash.add(batch.weights[2]!);
        }
        expect(cash.size).toBeGreaterThan(1);
      }
    } finally {
      await store.close();
    }
  }, 120_000);

  it('serves a hybrid (sizing:) model: bar by bar (across a restart) its position and size probabilities equal predictHybrid on the bars up to t', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'candlelab-served-hybrid-'));
    dirs.push(dir);
    const path = join(dir, 'hybrid.yaml');
    writeFileSync(
      path,
      `name: served-hybrid
seed: 5
${universeDataYaml(['BTC/USDT'])}
features:
  name: served-hybrid
  features:
    - { kind: returns, period: 1 }
    - { kind: indicator, id: rsi, params: { period: 14 } }
labels: { kind: forwardReturn, horizon: 4, target: binary }
model: { kind: gbdt, params: { nEstimators: 10, numLeaves: 7, minDataInLeaf: 30 } }
sizing: { kind: ppo, sizes: [0, 0.5, 1], window: 3, episodeLength: 128, totalTimesteps: 512, params: { numEnvs: 2, numSteps: 128, hiddenSizes: [8] } }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 4, workers: 1 }
backtest: { entryThreshold: 0.5 }
importance: { enabled: false }
gates: [trades >= 0]
registry: { root: models }
`,
    );
    const result = await trainStrategy(loadStrategy(path));
    const store = await openModelStore(join(dir, 'models'));
    try {
      const served = await loadServedModel(store, result.model!.id);
      if (served.kind !== 'classifier') throw new Error(`expected a classifier, got ${served.kind}`);
      const sizing = served.sizing!;
      expect(sizing.spec.sizes).toEqual([0, 0.5, 1]);
      expect(servingMismatch(served, 'BTC/USDT', '1h')).toBeUndefined();
      const { bars: all, rows } = await replayLive(served, ['BTC/USDT'], 'BTC/USDT');
      const bars = all.get('BTC/USDT')!;
      expect(rows).toHaveLength(73);
      // The loop fed its feature streams from 50 bars before the first bar served.
      const feedStart = lowerBound(bars.time, rows[0]!.barTime - 50 * HOUR);
      const k = served.classes.numClasses;
      const positions = new Set<number>();
      for (const row of rows) {
        const upTo = sliceBars(bars, feedStart, lowerBound(bars.time, row.barTime) + 1);
        const batch = predictHybrid(
          served.classifier,
          sizing,
          upTo,
          computeFeatures(upTo, served.featureSet).columns,
          served.classes,
          served.rule,
        );
        expect(row.size, row.key).toBe(batch.position);
        expect(row.action).toBe(batch.position > 0 ? 'buy' : batch.position < 0 ? 'sell' : 'hold');
        expect(row.probabilities!.slice(k)).toEqual(Array.from(batch.probabilities));
        // The logged size probabilities name the allocator's size (the most probable).
        const sizeProbabilities = row.probabilities!.slice(k) as number[];
        expect(sizing.spec.sizes[sizeProbabilities.indexOf(Math.max(...sizeProbabilities))]).toBe(batch.size);
        positions.add(batch.position);
      }
      // The replay exercised more than one position.
      expect(positions.size).toBeGreaterThan(1);

      // Hot-swapped onto the stream of a classifier with the same features (no hybrid before it),
      // the hybrid observes its window at the first bar after the swap: the stream keeps its rows.
      const { sizing: _, ...entryOnly } = served;
      const classifier = { ...entryOnly, id: `${served.id}-entry-only` };
      const swapped = await replayLive(classifier, ['BTC/USDT'], 'BTC/USDT', served);
      const afterSwap = swapped.rows.filter((r) => r.source === served.id);
      expect(afterSwap).toHaveLength(36);
      expect(afterSwap.map((r) => r.size)).toEqual(rows.slice(-36).map((r) => r.size));
      expect(afterSwap.map((r) => r.probabilities)).toEqual(rows.slice(-36).map((r) => r.probabilities));
    } finally {
      await store.close();
    }
  }, 120_000);
});

/**
 * Real bars after the training window, replayed hour by hour through the live loop of `symbol`
 * (no exchange: the store holds every symbol's bars); halfway the loop is reopened on the same
 * log (a restart), or `swapIn` hot-swaps in for `served`. Returns the bars and the logged predictions.
 */
async function replayLive(served: ServedModel, symbols: readonly string[], symbol: string, swapIn?: ServedModel) {
  const bars = new Map(
    symbols.map((s) => [s, loadFixtureBars(`ohlcv/binance-1h/${s.replace('/', '_')}-1h.json.gz`)] as const),
  );
  const candles = new MemoryStore();
  for (const b of bars.values()) await candles.write(b, { exchange: 'binance' });
  const log = await openDuckDbPredictionLog({ path: ':memory:' });
  const clock = { now: Date.UTC(2022, 8, 10) + 30 * 60_000 };
  const open = () =>
    SeriesLoop.open({
      exchange: 'binance',
      symbol,
      timeframe: '1h',
      store: candles,
      log,
      models: [served],
      aggregator: TEST_AGGREGATOR,
      warmupBars: 50,
      now: () => clock.now,
    });
  let loop = await open();
  for (let h = 0; h < 72; h++) {
    if (h === 36 && swapIn) await loop.swapModel(served.id, swapIn);
    else if (h === 36) loop = await open();
    clock.now += HOUR;
    await loop.tick();
  }
  const rows = await log.query({ kind: 'prediction' });
  await log.close();
  return { bars, rows };
}
