import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerBound, ModelFormatError, sliceBars } from '@candlelab/core';
import { MemoryStore } from '@candlelab/data';
import { computeFeatures } from '@candlelab/features';
import { labelClasses } from '@candlelab/labels';
import { loadStrategy, loadStrategyModel, predictHybrid, trainStrategy } from '@candlelab/pipeline';
import { openModelStore } from '@candlelab/registry';
import { fixturePath, loadFixtureBars } from '@candlelab/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { trainTestModel } from '../test/trainedModel.js';
import { SeriesLoop } from './SeriesLoop.js';
import { openDuckDbPredictionLog } from './SqlPredictionLog.js';
import { loadServedModel, servingMismatch } from './servedModel.js';

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

  it('refuses a PPO agent (model.kind: ppo) with a ModelFormatError naming the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'candlelab-served-ppo-'));
    dirs.push(dir);
    const path = join(dir, 'ppo.yaml');
    writeFileSync(
      path,
      `name: served-ppo
seed: 3
data:
  symbols: [BTC/USDT]
  timeframe: 1h
  start: 2022-06-01
  end: 2022-08-20
  source: { kind: file, path: '${fixturePath('ohlcv/binance-1h')}/{base}_{quote}-{timeframe}.json.gz' }
  store: { kind: memory }
features:
  name: served-ppo
  features:
    - { kind: returns, period: 1 }
labels: { kind: forwardReturn, horizon: 4, target: binary }
model:
  kind: ppo
  totalTimesteps: 256
  seeds: 1
  randomRuns: 1
  env: { episodeLength: 128 }
  params: { numEnvs: 2, numSteps: 64, hiddenSizes: [4] }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 4, workers: 1 }
gates: [trades >= 0]
registry: { root: models }
`,
    );
    const result = await trainStrategy(loadStrategy(path));
    const store = await openModelStore(join(dir, 'models'));
    try {
      const id = result.model!.id;
      await expect(loadServedModel(store, id)).rejects.toThrow(ModelFormatError);
      await expect(loadServedModel(store, id)).rejects.toThrow(
        `${id}: a PPO trading agent (model.kind: ppo) cannot be served yet`,
      );
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
data:
  symbols: [BTC/USDT]
  timeframe: 1h
  start: 2022-06-01
  end: 2022-08-20
  source: { kind: file, path: '${fixturePath('ohlcv/binance-1h')}/{base}_{quote}-{timeframe}.json.gz' }
  store: { kind: memory }
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
      const sizing = served.sizing!;
      expect(sizing.spec.sizes).toEqual([0, 0.5, 1]);
      expect(servingMismatch(served, 'BTC/USDT', '1h')).toBeUndefined();
      // Real bars after the training window, replayed hour by hour through the live loop (no exchange:
      // the store holds them); the loop is reopened on the same log halfway (a restart).
      const bars = loadFixtureBars('ohlcv/binance-1h/BTC_USDT-1h.json.gz');
      const candles = new MemoryStore();
      await candles.write(bars, { exchange: 'binance' });
      const log = await openDuckDbPredictionLog({ path: ':memory:' });
      const clock = { now: Date.UTC(2022, 8, 10) + 30 * 60_000 };
      const open = () =>
        SeriesLoop.open({
          exchange: 'binance',
          symbol: 'BTC/USDT',
          timeframe: '1h',
          store: candles,
          log,
          models: [served],
          aggregator: {
            maxAgeMs: 2 * HOUR,
            learningRate: 0.5,
            decay: 0.01,
            horizonBars: 1,
            minConfidence: 0.5,
            minConsensus: 0.5,
            maxPositionSize: 1,
          },
          warmupBars: 50,
          now: () => clock.now,
        });
      let loop = await open();
      for (let h = 0; h < 72; h++) {
        if (h === 36) loop = await open();
        clock.now += HOUR;
        await loop.tick();
      }
      const rows = await log.query({ kind: 'prediction' });
      await log.close();
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
    } finally {
      await store.close();
    }
  }, 120_000);
});
