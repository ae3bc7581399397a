import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sliceBars } from '@candlelab/core';
import { DuckDbStore } from '@candlelab/data';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTestStrategy } from '../test/testStrategy.js';
import { loadStrategyBars } from './loadStrategyBars.js';
import { PREDICTIONS_FILE } from './predictionsCsv.js';
import { predictLatest } from './predictLatest.js';
import { loadStrategy } from './strategyConfig.js';
import { strategyFeatureSet } from './strategyDataset.js';
import { STRATEGY_METRIC_NAMES } from './strategyMetrics.js';
import { type TrainResult, trainResultJson, trainStrategy } from './trainStrategy.js';

const btc = writeTestStrategy();
const universe = writeTestStrategy({
  name: 'test-universe',
  universe: ['ETH/USDT', 'SOL/USDT', 'ADA/USDT'],
  gates: ['trades >= 1', 'shadow.trades >= 1'],
  extra:
    'shadow: { stopLoss: 0.02, takeProfit: 0.03, maxHoldBars: 12, postExitBars: 12, patterns: 4, features: 4 }\nbacktest: { entryThreshold: 0.5 }',
  store: '{ kind: duckdb, path: candles.duckdb }',
});
afterAll(() => {
  for (const { dir } of [btc, universe]) rmSync(dir, { recursive: true, force: true });
});

/** The series and tables a report embeds for its charts. */
function reportData(html: string) {
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
  return JSON.parse(json) as {
    sections: Array<{
      id: string;
      title: string;
      equity: Array<{ value: number }>;
      trades: number;
      tables: Record<string, Record<string, number>>;
    }>;
  };
}

/** Every out-of-sample bar: `predict`'s path (features from bars up to t, the fold's model, the one rule) gives the backtested position. */
async function expectPredictEqualsBacktest(path: string, result: TrainResult) {
  const loaded = loadStrategy(path);
  const { config } = loaded;
  const barsBySymbol = await loadStrategyBars(config.data, result.symbols, loaded.baseDir);
  const featureSet = strategyFeatureSet(config);
  const classes = { numClasses: 2, upClass: 1 };
  let checked = 0;
  for (const signals of result.signals) {
    const bars = barsBySymbol.get(signals.symbol)!.bars;
    let barIndex = 0;
    for (let i = 0; i < signals.time.length; i++) {
      while (bars.time[barIndex]! < signals.time[i]!) barIndex++;
      const upToT = sliceBars(bars, 0, barIndex + 1);
      const live = predictLatest(
        result.foldModels![signals.fold[i]!]!,
        upToT,
        featureSet,
        classes,
        config.backtest,
        'test',
      );
      expect(live.time).toBe(signals.time[i]);
      expect(live.probabilities[1]).toBe(signals.proba[i * 2 + 1]);
      expect(live.decision.position).toBe(signals.positions[i]);
      checked++;
    }
  }
  expect(checked).toBe(result.oosRows);
}

function expectReportMatchesTables(result: TrainResult) {
  const html = readFileSync(result.reportPath!, 'utf8');
  const { sections } = reportData(html);
  const bySymbol = new Map(result.perSymbol.map((s) => [s.symbol, s]));
  const portfolio = sections.find((s) => s.id === 'portfolio');
  if (result.symbols.length > 1) {
    expect(portfolio).toBeDefined();
    expect(portfolio!.equity.at(-1)!.value - 1).toBeCloseTo(result.backtest.totalReturn, 12);
    expect(portfolio!.tables.Backtest!.totalReturn).toBe(result.backtest.totalReturn);
    expect(portfolio!.tables['Buy and hold']!.totalReturn).toBe(result.buyAndHold.totalReturn);
  }
  const symbolSections = sections.filter((s) => s.id !== 'portfolio');
  expect(symbolSections.map((s) => s.title)).toEqual(result.symbols);
  for (const section of symbolSections) {
    const symbol = bySymbol.get(section.title)!;
    expect(section.equity.at(-1)!.value - 1).toBeCloseTo(symbol.backtest.totalReturn, 12);
    expect(section.tables.Backtest!.totalReturn).toBe(symbol.backtest.totalReturn);
    expect(section.trades).toBe(symbol.backtest.trades);
  }
  // Every trade of every symbol is drawn.
  expect(symbolSections.reduce((sum, s) => sum + s.trades, 0)).toBe(result.backtest.trades);
  if (result.symbols.length === 1)
    expect(result.backtest.totalReturn).toBeCloseTo(result.perSymbol[0]!.backtest.totalReturn, 12);
}

describe('trainStrategy', () => {
  let first: TrainResult;

  it('runs the whole chain on real candles and stores model, metrics, importance, config, predictions and report', async () => {
    const phases = new Set<string>();
    first = await trainStrategy(loadStrategy(btc.path), {
      keepFoldModels: true,
      onProgress: (event) => phases.add(event.phase),
    });
    expect([...phases]).toEqual(expect.arrayContaining(['load bars', 'features', 'final model']));
    // Every bar is accounted for: kept + dropped (warm-up of the 200-bar features, unlabeled tail).
    const data = first.data[0]!;
    expect(data.bars).toBe(92 * 24);
    expect(data.rows.kept + data.rows.dropped).toBe(data.bars);
    expect(data.rows.droppedBy.unlabeledTail).toBe(4);
    expect(data.rows.droppedBy.warmup).toBeGreaterThan(150);
    expect(first.folds.length).toBeGreaterThanOrEqual(2);
    expect(first.folds.reduce((sum, f) => sum + f.testRows, 0)).toBe(first.oosRows);
    for (const value of Object.values(first.oos)) expect(Number.isFinite(value)).toBe(true);
    expect(first.oos.auc).toBeGreaterThan(0.3);
    expect(first.oos.auc).toBeLessThan(0.7);
    expect(first.calendar).toBe('crypto');
    expect(first.importance.length).toBe(first.features);
    const dirOfModel = first.modelDir!;
    for (const file of [
      'model.json',
      'metrics.json',
      'feature_importance.json',
      'config.yaml',
      'manifest.json',
      'report.html',
      PREDICTIONS_FILE,
    ]) {
      expect(existsSync(join(dirOfModel, file))).toBe(true);
    }
    expect(readFileSync(join(dirOfModel, 'config.yaml'), 'utf8')).toBe(readFileSync(btc.path, 'utf8'));
    const metrics = JSON.parse(readFileSync(join(dirOfModel, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ oosAuc: first.oos.auc, sharpe: first.backtest.sharpe, folds: first.folds.length });
    expect(first.gates.results[0]!.expression).toBe('trades >= 1');
    // The manifest carries the real seed and package versions.
    const manifest = JSON.parse(readFileSync(join(dirOfModel, 'manifest.json'), 'utf8'));
    expect(manifest.seed).toBe(7);
    expect(manifest.packageVersions['@candlelab/gbdt']).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('produces exactly the metrics gates may name', () => {
    expect(Object.keys(first.metrics).sort()).toEqual([...STRATEGY_METRIC_NAMES].sort());
  });

  it('predict gives the backtested position on every out-of-sample bar (one rule, causal features)', async () => {
    await expectPredictEqualsBacktest(btc.path, first);
  });

  it('the predictions CSV beside the model holds every out-of-sample signal at full precision', () => {
    const lines = readFileSync(first.predictionsPath!, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('time,time_ms,symbol,fold,close,p_notUp,p_up,position');
    expect(lines).toHaveLength(first.oosRows + 1);
    const signals = first.signals[0]!;
    const row = lines[17]!.split(',');
    expect(Number(row[1])).toBe(signals.time[16]);
    expect(Number(row[6])).toBe(signals.proba[16 * 2 + 1]);
    expect(Number(row[7])).toBe(signals.positions[16]);
  });

  it('the report draws what the tables say', () => {
    expectReportMatchesTables(first);
  });

  it('JSON output has per-symbol, per-fold and per-gate results and no typed arrays', () => {
    const json = JSON.parse(JSON.stringify(trainResultJson(first)));
    expect(json.signals).toBeUndefined();
    expect(json.perSymbol[0]).toMatchObject({
      symbol: 'BTC/USDT',
      backtest: { totalReturn: first.backtest.totalReturn },
    });
    expect(json.folds[0].metrics.auc).toBe(first.folds[0]!.metrics.auc);
    expect(json.gates.results[0].passed).toBe(first.gates.results[0]!.passed);
  });

  it('re-running the same config on the same data gives the same fingerprint and model bytes, on 1 or 2 threads', async () => {
    const two = writeTestStrategy({ workers: 2 });
    try {
      const second = await trainStrategy(loadStrategy(two.path), { registryRoot: join(btc.dir, 'models') });
      expect(second.workers).toBe(2);
      expect(second.model!.version).toBe(first.model!.version + 1);
      expect(second.model!.fingerprint).toEqual(first.model!.fingerprint);
      expect(
        readFileSync(join(second.modelDir!, 'model.json')).equals(readFileSync(join(first.modelDir!, 'model.json'))),
      ).toBe(true);
      expect(second.oos).toEqual(first.oos);
      expect(second.folds).toEqual(first.folds);
      expect(second.importance).toEqual(first.importance);
      expect(Buffer.from(second.signals[0]!.proba.buffer).equals(Buffer.from(first.signals[0]!.proba.buffer))).toBe(
        true,
      );
    } finally {
      rmSync(two.dir, { recursive: true, force: true });
    }
  });

  it('scores only out-of-sample rows: nothing before the first test window, which follows 900 training bars', () => {
    const hour = 3_600_000;
    expect(first.oosStart - first.firstRowTime).toBeGreaterThanOrEqual(900 * hour);
    expect(first.oosRows).toBeLessThanOrEqual(first.datasetRows - 900);
    expect(first.oosRows).toBeGreaterThanOrEqual(first.folds.length * 250);
  });

  it('a three-symbol universe: per-symbol sections and a portfolio that agree with the tables and with predict', async () => {
    const result = await trainStrategy(loadStrategy(universe.path), { keepFoldModels: true });
    expect(result.perSymbol.map((s) => s.symbol)).toEqual(['ETH/USDT', 'SOL/USDT', 'ADA/USDT']);
    expect(result.perSymbol.reduce((sum, s) => sum + s.oosRows, 0)).toBe(result.oosRows);
    expect(result.perSymbol.reduce((sum, s) => sum + s.backtest.trades, 0)).toBe(result.backtest.trades);
    expectReportMatchesTables(result);
    await expectPredictEqualsBacktest(universe.path, result);
    expect(result.model!.symbol).toBe('ETH/USDT+SOL/USDT+ADA/USDT');

    // Shadow trading: every long entry of the out-of-sample signals is one shadow trade.
    const shadow = result.shadow!;
    const entries = result.signals.reduce((sum, s) => sum + s.positions.filter((p) => p === 1).length, 0);
    expect(entries).toBeGreaterThan(30);
    expect(shadow.summary.count).toBe(entries);
    expect(result.metrics['shadow.trades']).toBe(entries);
    expect(result.gates.results.map((g) => g.expression)).toContain('shadow.trades >= 1');
    expect(Object.values(shadow.bySymbol).reduce((sum, g) => sum + g.count, 0)).toBe(entries);
    expect(shadow.features).toEqual(result.importance.slice(0, 4).map((r) => r.feature));
    expect(shadow.patterns.reduce((sum, p) => sum + p.count, 0)).toBeLessThanOrEqual(entries);
    for (const trade of shadow.trades) {
      expect(trade.regime).toMatch(/^(up|down|warmup)\/(high-vol|low-vol|warmup)$/);
      expect(['stopLoss', 'takeProfit', 'timeExit', 'endOfData']).toContain(trade.exitReason);
      if (!Number.isNaN(trade.leftOnTable)) expect(trade.leftOnTable).toBeGreaterThanOrEqual(0);
    }
    const csv = readFileSync(join(result.modelDir!, 'shadow_trades.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(entries + 1);
    const stored = JSON.parse(readFileSync(join(result.modelDir!, 'shadow.json'), 'utf8'));
    expect(stored.patterns).toHaveLength(shadow.patterns.length);
    expect(readFileSync(result.reportPath!, 'utf8')).toContain('Pattern library: clusters of entry features');
    expect(trainResultJson(result).shadow!.trades).toBe(entries);
    // The same analysis is queryable with SQL in the candle store, beside the candles.
    const store = await DuckDbStore.open({ path: join(universe.dir, 'candles.duckdb') });
    try {
      const id = result.model!.id;
      const [memory] = await store.query(
        'SELECT count(*) AS n, sum(CASE WHEN outcome = ? THEN 1 ELSE 0 END) AS wins FROM trade_memory WHERE model_id = ?',
        ['win', id],
      );
      expect(memory).toEqual({ n: entries, wins: shadow.summary.wins });
      const patterns = await store.query(
        'SELECT pattern, trades FROM pattern_library WHERE model_id = ? ORDER BY pattern',
        [id],
      );
      expect(patterns).toEqual(shadow.patterns.map((p) => ({ pattern: p.pattern, trades: p.count })));
      const [losses] = await store.query('SELECT sum(losses) AS n FROM loss_analysis WHERE model_id = ?', [id]);
      expect(losses!.n).toBe(shadow.summary.losses);
    } finally {
      await store.close();
    }
  });
});
