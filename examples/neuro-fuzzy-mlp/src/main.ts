import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type ProgressCallback, timeframeToMs } from '@candlelab/core';
import { BUNDLED_BTC_HOURLY, type DataFile, loadDataFile, runExampleCli } from '@candlelab/example-data';
import { MlpClassifier, type TrainingHistory } from '@candlelab/nn';
import { loadModel, parseStrategy, type TrainResult, trainStrategy } from '@candlelab/pipeline';
import { parseDocument } from 'yaml';

/** The example's strategy file (next to this folder's package.json). */
export const STRATEGY_PATH = fileURLToPath(new URL('../strategy.yaml', import.meta.url));

/** Smaller runs for smoke tests: each given field replaces the strategy file's value. */
export interface StrategyOverrides {
  /** `data.start` (YYYY-MM-DD). */
  start?: string;
  /** `model.params.epochs`. */
  epochs?: number;
  /** `model.params.hiddenLayers`. */
  hiddenLayers?: number[];
  /** `validation.trainSize`, `validation.validationSize`, `validation.testSize` (rows). */
  trainSize?: number;
  validationSize?: number;
  testSize?: number;
  /** `importance.repeats`. */
  importanceRepeats?: number;
}

export interface NeuroFuzzyOptions {
  /** Strategy YAML. Default: this example's `strategy.yaml`. */
  strategyPath?: string;
  /**
   * A candle file to train on instead of the strategy's `data` section: its symbol, timeframe and
   * whole range (from its first bar, or `overrides.start`) replace the strategy's. Default: the
   * strategy's own data (the bundled BTC/USDT 1h fixture).
   */
  data?: DataFile;
  overrides?: StrategyOverrides;
  /** Registry folder. Default: `registry.root` of the strategy (`.candlelab/example-models`, gitignored). */
  registryRoot?: string;
  onProgress?: ProgressCallback;
}

export interface NeuroFuzzyResult {
  train: TrainResult;
  /** The fuzzy membership columns the MLP saw (`input.set`). */
  fuzzyFeatures: string[];
  /** Training history of the stored (final) model, read back from the registry: early stopping at work. */
  history: TrainingHistory;
  /** Files of the stored model version. */
  storedFiles: string[];
  /** The config stored with the model (the strategy text with the overrides applied). */
  configText: string;
}

/** The `data` section values that make the strategy read one candle file over its whole range. */
async function dataFileSection(data: DataFile) {
  const bars = await loadDataFile(data);
  const n = bars.time.length;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    symbols: [data.symbol],
    timeframe: data.timeframe,
    start: iso(bars.time[0]!),
    end: iso(bars.time[n - 1]! + timeframeToMs(data.timeframe)),
    source: { kind: 'file', path: resolve(data.path) },
  };
}

/** The strategy text with the data file and the overrides applied, comments kept. */
function applyOverrides(
  text: string,
  overrides: StrategyOverrides,
  data: Awaited<ReturnType<typeof dataFileSection>> | undefined,
): string {
  const doc = parseDocument(text);
  const set = (path: string[], value: unknown) => {
    if (value !== undefined) doc.setIn(path, value);
  };
  if (data !== undefined) for (const [key, value] of Object.entries(data)) set(['data', key], doc.createNode(value));
  set(['data', 'start'], overrides.start);
  set(['model', 'params', 'epochs'], overrides.epochs);
  set(['model', 'params', 'hiddenLayers'], overrides.hiddenLayers);
  set(['validation', 'trainSize'], overrides.trainSize);
  set(['validation', 'validationSize'], overrides.validationSize);
  set(['validation', 'testSize'], overrides.testSize);
  set(['importance', 'repeats'], overrides.importanceRepeats);
  return String(doc);
}

/**
 * KTRDR's neuro-fuzzy training as one strategy YAML run through `trainStrategy`: indicators (RSI,
 * ADX, Bollinger position, distance to EMA 50, 24-bar return) → fuzzy memberships → an MLP
 * classifier of ZigZag up-swing labels, trained walk-forward with early stopping on each fold's
 * newest rows, then permutation importance, an out-of-sample backtest, quality gates and a new
 * version in the model registry. The stored model is read back to show its training history.
 */
export async function run(options: NeuroFuzzyOptions = {}): Promise<NeuroFuzzyResult> {
  const path = resolve(options.strategyPath ?? STRATEGY_PATH);
  const data = options.data === undefined ? undefined : await dataFileSection(options.data);
  const text = applyOverrides(readFileSync(path, 'utf8'), options.overrides ?? {}, data);
  const config = parseStrategy(text, path);
  const train = await trainStrategy(
    { config, text, baseDir: dirname(path) },
    {
      ...(options.registryRoot === undefined ? {} : { registryRoot: options.registryRoot }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
  );
  if (train.modelDir === undefined) throw new ConfigError(path, [{ reason: 'the model was not registered' }]);
  const stored = await loadModel(JSON.parse(readFileSync(join(train.modelDir, 'model.json'), 'utf8')));
  if (!(stored instanceof MlpClassifier))
    throw new ConfigError(path, [{ field: 'model.kind', reason: 'expected an nn model (MLP classifier)' }]);
  const fuzzyFeatures = stored.toJSON().metadata.featureNames.filter((name) => name.includes('.'));
  return {
    train,
    fuzzyFeatures,
    history: stored.history,
    storedFiles: readdirSync(train.modelDir).sort(),
    configText: readFileSync(join(train.modelDir, 'config.yaml'), 'utf8'),
  };
}

const num = (x: number | undefined, digits = 4): string => (x === undefined ? '—' : x.toFixed(digits));

/** A readable summary: data, out-of-sample metrics, backtest, importance, gates, storage. */
export function formatResult(r: NeuroFuzzyResult): string {
  const t = r.train;
  const d = t.data[0]!;
  const h = r.history;
  return [
    `${t.strategy}: ${t.symbols.join(', ')} ${t.timeframe}, ${d.bars} bars → ${t.datasetRows} rows × ${t.features} features (${r.fuzzyFeatures.length} fuzzy memberships)`,
    `walk-forward: ${t.folds.length} folds, ${t.oosRows} out-of-sample rows from ${new Date(t.oosStart).toISOString().slice(0, 10)}`,
    `out-of-sample: accuracy ${num(t.oos.accuracy)}  f1Macro ${num(t.oos.f1Macro)}  logLoss ${num(t.oos.logLoss)}  auc ${num(t.oos.auc)}`,
    `backtest: totalReturn ${num(t.backtest.totalReturn)}  sharpe ${num(t.backtest.sharpe, 2)}  maxDrawdown ${num(t.backtest.maxDrawdown)}  trades ${t.backtest.trades}  winRate ${num(t.backtest.winRate)}` +
      `  | buy & hold totalReturn ${num(t.buyAndHold.totalReturn)}  sharpe ${num(t.buyAndHold.sharpe, 2)}`,
    `final MLP: ${h.epochs} epochs, best epoch ${h.bestEpoch + 1}, stopped early: ${h.stoppedEarly}, val loss at best epoch ${num(h.valLoss?.[h.bestEpoch])} on the newest held-out rows`,
    `permutation importance (logLoss increase), top 5: ${t.importance
      .slice(0, 5)
      .map((i) => `${i.feature} ${num(i.mean)}`)
      .join(', ')}`,
    `gates ${t.gates.passed ? 'PASSED' : 'FAILED'}: ${t.gates.results.map((g) => `${g.expression} (${num(g.actual)}) ${g.passed ? '✓' : '✗'}`).join(', ')}`,
    `stored ${t.model?.id} (stage ${t.model?.stage}) in ${t.modelDir}: ${r.storedFiles.join(', ')}`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let last = '';
  const onProgress: ProgressCallback = (e) => {
    if (e.phase !== last) process.stderr.write(`… ${e.phase}\n`);
    last = e.phase;
  };
  // Without --data the strategy's own data section applies (the bundled BTC/USDT 1h fixture).
  await runExampleCli(async (data) =>
    formatResult(await run({ onProgress, ...(data.path === BUNDLED_BTC_HOURLY.path ? {} : { data }) })),
  );
}
