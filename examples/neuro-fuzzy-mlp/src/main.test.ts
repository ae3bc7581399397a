import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDataArgs } from '@candlelab/example-data';
import { afterAll, describe, expect, it } from 'vitest';
import { formatResult, run } from './main.js';

const ETH_HOURLY = fileURLToPath(new URL('../../../fixtures/ohlcv/binance-1h/ETH_USDT-1h.json.gz', import.meta.url));

const registryRoot = mkdtempSync(join(tmpdir(), 'candlelab-neuro-fuzzy-'));
afterAll(() => rmSync(registryRoot, { recursive: true, force: true }));

describe('neuro-fuzzy MLP example', () => {
  it('trains the fuzzy-membership MLP walk-forward on ZigZag labels and stores a versioned model', async () => {
    const r = await run({
      registryRoot,
      overrides: {
        start: '2022-04-01',
        epochs: 4,
        hiddenLayers: [8],
        trainSize: 1200,
        validationSize: 200,
        testSize: 500,
        importanceRepeats: 1,
      },
    });
    const t = r.train;
    expect(t.strategy).toBe('neuro-fuzzy-mlp');
    expect(t.data[0]!.fetched).toBe(t.data[0]!.bars); // memory store: everything read from the file source
    // 5 indicator columns, 3 fuzzy sets over each.
    expect(t.features).toBe(20);
    expect(r.fuzzyFeatures).toHaveLength(15);
    expect(r.fuzzyFeatures).toContain('rsi_14.low');
    expect(t.folds.length).toBeGreaterThanOrEqual(2);
    expect(t.oosRows).toBeLessThanOrEqual(t.folds.length * 500);
    expect(t.oosRows).toBeGreaterThan(500);
    // The first test window starts only after the first training window (1,200 rows).
    expect(t.oosStart).toBeGreaterThan(t.firstRowTime + 1200 * 3_600_000);
    for (const key of ['accuracy', 'logLoss', 'auc']) expect(Number.isFinite(t.oos[key])).toBe(true);
    expect(t.oos.auc).toBeGreaterThan(0.3);
    expect(t.oos.auc).toBeLessThan(0.8);
    // Early stopping held out the newest validation rows and kept the best epoch's weights.
    expect(r.history.epochs).toBeLessThanOrEqual(4);
    expect(r.history.valLoss).toHaveLength(r.history.epochs);
    expect(r.history.bestEpoch).toBe(r.history.valLoss!.indexOf(Math.min(...r.history.valLoss!)));
    // Permutation importance for every feature, sorted by mean increase of the log-loss.
    expect(t.importance).toHaveLength(20);
    for (let i = 1; i < t.importance.length; i++)
      expect(t.importance[i]!.mean).toBeLessThanOrEqual(t.importance[i - 1]!.mean);
    expect(t.gates.results.map((g) => g.expression)).toEqual(['oosAuc > 0.55', 'trades >= 10']);
    // Versioned storage: model, metrics, importance, the exact config (with the overrides) and the manifest.
    expect(t.model?.id).toBe('neuro-fuzzy-mlp/BTC-USDT_1h_v1');
    expect(t.model?.modelKind).toBe('candlelab.nn.mlp-classifier');
    expect(r.storedFiles).toEqual(
      expect.arrayContaining(['config.yaml', 'feature_importance.json', 'manifest.json', 'metrics.json', 'model.json']),
    );
    expect(r.configText).toContain('start: 2022-04-01');
    expect(r.configText).toContain('kind: zigzag');
    expect(formatResult(r)).toContain('stored neuro-fuzzy-mlp/BTC-USDT_1h_v1');
  });

  it('trains on the file given by --data instead of the strategy data', async () => {
    const data = parseDataArgs(['--data', ETH_HOURLY, '--symbol', 'ETH/USDT', '--timeframe', '1h']);
    const r = await run({
      data,
      registryRoot,
      overrides: {
        start: '2022-06-01',
        epochs: 2,
        hiddenLayers: [4],
        trainSize: 1000,
        validationSize: 200,
        testSize: 600,
        importanceRepeats: 1,
      },
    });
    expect(r.train.symbols).toEqual(['ETH/USDT']);
    // Read from the given file up to its last bar (2022-10-11 10:00), from the overridden start.
    expect(r.train.data[0]!.bars).toBe((Date.UTC(2022, 9, 11, 11) - Date.UTC(2022, 5, 1)) / 3_600_000);
    expect(r.train.model?.id).toBe('neuro-fuzzy-mlp/ETH-USDT_1h_v1');
    expect(r.configText).toContain('ETH_USDT-1h.json.gz');
  });
});
