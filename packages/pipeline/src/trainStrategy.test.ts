import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTestStrategy } from '../test/testStrategy.js';
import { loadStrategy } from './strategyConfig.js';
import { type TrainResult, trainStrategy } from './trainStrategy.js';

const { path, dir } = writeTestStrategy();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainStrategy', () => {
  let first: TrainResult;

  it('runs the whole chain on real candles and stores model, metrics, importance, config and report', async () => {
    const phases = new Set<string>();
    first = await trainStrategy(loadStrategy(path), { onProgress: (event) => phases.add(event.phase) });
    expect([...phases]).toEqual(expect.arrayContaining(['load bars', 'features', 'final model']));
    // Every bar is accounted for: kept + dropped (warm-up of the 200-bar features, unlabeled tail).
    const data = first.data[0]!;
    expect(data.bars).toBe(92 * 24);
    expect(data.rows.kept + data.rows.dropped).toBe(data.bars);
    expect(data.rows.droppedBy.unlabeledTail).toBe(4);
    expect(data.rows.droppedBy.warmup).toBeGreaterThan(150);
    expect(first.folds).toBeGreaterThanOrEqual(2);
    for (const value of Object.values(first.oos)) expect(Number.isFinite(value)).toBe(true);
    expect(first.oos.auc).toBeGreaterThan(0.3);
    expect(first.oos.auc).toBeLessThan(0.7);
    expect(first.backtest.trades).toBeGreaterThanOrEqual(0);
    expect(first.importance.length).toBe(first.features);
    const dirOfModel = first.modelDir!;
    for (const file of [
      'model.json',
      'metrics.json',
      'feature_importance.json',
      'config.yaml',
      'manifest.json',
      'report.html',
    ]) {
      expect(existsSync(join(dirOfModel, file))).toBe(true);
    }
    expect(readFileSync(join(dirOfModel, 'config.yaml'), 'utf8')).toBe(readFileSync(path, 'utf8'));
    const metrics = JSON.parse(readFileSync(join(dirOfModel, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ oosAuc: first.oos.auc, sharpe: first.backtest.sharpe, folds: first.folds });
    expect(first.gates.results[0]!.expression).toBe('trades >= 1');
  });

  it('re-running the same config on the same data gives the same fingerprint and model bytes', async () => {
    const second = await trainStrategy(loadStrategy(path));
    expect(second.model!.version).toBe(first.model!.version + 1);
    expect(second.model!.fingerprint).toEqual(first.model!.fingerprint);
    expect(
      readFileSync(join(second.modelDir!, 'model.json')).equals(readFileSync(join(first.modelDir!, 'model.json'))),
    ).toBe(true);
    expect(second.oos).toEqual(first.oos);
  });

  it('scores only out-of-sample rows: nothing before the first test window, which follows 900 training bars', async () => {
    const result = await trainStrategy(loadStrategy(path), { register: false });
    expect(result.model).toBeUndefined();
    const hour = 3_600_000;
    expect(result.oosStart - result.firstRowTime).toBeGreaterThanOrEqual(900 * hour);
    expect(result.oosRows).toBeLessThanOrEqual(result.datasetRows - 900);
    expect(result.oosRows).toBeGreaterThanOrEqual(result.folds * 250);
  });
});
