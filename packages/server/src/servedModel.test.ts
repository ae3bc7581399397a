import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerBound, sliceBars } from '@candlelab/core';
import { computeFeatures } from '@candlelab/features';
import { labelClasses } from '@candlelab/labels';
import { loadStrategy, loadStrategyModel, trainStrategy } from '@candlelab/pipeline';
import { openModelStore } from '@candlelab/registry';
import { fixturePath, loadFixtureBars } from '@candlelab/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { trainTestModel } from '../test/trainedModel.js';
import { loadServedModel, servingMismatch } from './servedModel.js';

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

  it('loads a hybrid (sizing:) model with its allocator and skips it: the live loop would drop its sizes', async () => {
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
sizing: { kind: ppo, sizes: [0, 1], window: 2, episodeLength: 128, totalTimesteps: 512, params: { numEnvs: 2, numSteps: 128, hiddenSizes: [8] } }
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
      expect(served.sizing?.spec.sizes).toEqual([0, 1]);
      expect(servingMismatch(served, 'BTC/USDT', '1h')).toBe(
        'sizes its positions with a hybrid allocator (not served yet)',
      );
    } finally {
      await store.close();
    }
  }, 120_000);
});
