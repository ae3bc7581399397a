import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type PositionTrade, positionTrades, vectorizedBacktest } from '@candlelab/backtest';
import {
  type Bars,
  type Classifier,
  type Dataset,
  lowerBound,
  NotEnoughDataError,
  type ProgressCallback,
  sliceBars,
  sliceRows,
  timeframeToMs,
} from '@candlelab/core';
import { buildDataset, type FeatureSet, type RowReport, standardFeatureSet } from '@candlelab/features';
import {
  accuracy,
  classificationReport,
  equityFromReturns,
  logLoss,
  rocAuc,
  tradeListMetrics,
  tradingMetrics,
} from '@candlelab/metrics';
import { computeFingerprint, hashBars, type Manifest, ModelRegistry } from '@candlelab/registry';
import {
  chronologicalSplit,
  evaluateGates,
  type GateReport,
  type Metric,
  permutationImportance,
  purgeTrain,
  rangesToIndices,
  runWalkForward,
  type Split,
  walkForwardSplitByTime,
} from '@candlelab/validation';
import { type ClassLabels, computeClassLabels } from './labelStage.js';
import { loadStrategyBars } from './loadStrategyBars.js';
import { createModel, prepareModelRuntime } from './modelStage.js';
import { renderReport } from './renderReport.js';
import type { LoadedStrategy, StrategyConfig } from './strategyConfig.js';

export interface TrainOptions {
  /** Train on these symbols instead of `data.symbols` (e.g. one symbol of a universe). */
  symbols?: readonly string[];
  /** Store the model in the registry (default true). */
  register?: boolean;
  /** Registry folder; default `registry.root` of the config, relative to the config file. */
  registryRoot?: string;
  onProgress?: ProgressCallback;
}

export interface SymbolData {
  symbol: string;
  bars: number;
  fromStore: number;
  fetched: number;
  gaps: number;
  rows: RowReport;
}

export interface ImportanceRow {
  feature: string;
  mean: number;
  std: number;
}

export interface TrainResult {
  strategy: string;
  symbols: string[];
  timeframe: string;
  data: SymbolData[];
  /** Rows used for training and validation after warm-up and label drops. */
  datasetRows: number;
  features: number;
  folds: number;
  /** Rows scored out of sample, and the time of the first of them. */
  oosRows: number;
  oosStart: number;
  /** Time of the first dataset row (the first bar after the features' warm-up). */
  firstRowTime: number;
  /** Out-of-sample classification metrics over the stitched test rows. */
  oos: Record<string, number>;
  /** Backtest of the out-of-sample predictions (equal-weight across symbols). */
  backtest: Record<string, number>;
  /** Buy-and-hold over the same out-of-sample bars, for comparison. */
  buyAndHold: Record<string, number>;
  importance: ImportanceRow[];
  gates: GateReport;
  model?: Manifest;
  modelDir?: string;
  reportPath?: string;
  timingsMs: Record<string, number>;
}

const classificationMetrics = (numClasses: number, upClass: number): Record<string, Metric> => ({
  accuracy: { fn: (y, pred) => accuracy(y, pred), greaterIsBetter: true },
  f1Macro: { fn: (y, pred) => classificationReport(y, pred, numClasses).macro.f1, greaterIsBetter: true },
  logLoss: { fn: (y, proba) => logLoss(y, proba, numClasses), greaterIsBetter: false, input: 'proba' },
  auc: {
    // One-vs-rest AUC of the "up" class: how well the model ranks up-moves first.
    fn: (y, proba) =>
      rocAuc(
        y.map((v) => (v === upClass ? 1 : 0)),
        proba.filter((_, k) => k % numClasses === upClass),
      ),
    greaterIsBetter: true,
    input: 'proba',
  },
});

function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const names = [
    'core',
    'data',
    'indicators',
    'fuzzy',
    'labels',
    'features',
    'gbdt',
    'nn',
    'validation',
    'backtest',
    'pipeline',
  ];
  return Object.fromEntries(
    names.map((name) => [
      `@candlelab/${name}`,
      (require(`@candlelab/${name}/package.json`) as { version: string }).version,
    ]),
  );
}

/** The splits of the configured validation, purged so no training label overlaps a later window. */
function makeSplits(config: StrategyConfig, dataset: Dataset): Split[] {
  const validation = config.validation;
  let splits: Split[];
  if (validation.method === 'holdout') {
    splits = [
      chronologicalSplit(dataset.time, {
        fractions: { train: validation.train, validation: validation.validation, test: validation.test },
      }),
    ];
  } else {
    const bar = timeframeToMs(config.data.timeframe);
    splits = walkForwardSplitByTime(dataset.time, {
      trainSize: validation.trainSize * bar,
      testSize: validation.testSize * bar,
      step: (validation.step ?? validation.testSize) * bar,
      gap: validation.gap * bar,
      validationSize: validation.validationSize * bar,
      anchored: validation.anchored,
    });
  }
  const times = { time: dataset.time, labelEnd: dataset.labelEnd! };
  return splits.map((split) => {
    const heldOut = [...(split.validation ?? []), ...split.test];
    const purged: Split = { train: purgeTrain(times, split.train, heldOut), test: split.test };
    if (split.validation) purged.validation = purgeTrain(times, split.validation, split.test);
    return purged;
  });
}

/** Rows of several symbols' datasets merged in time order (stable), with a symbol column. */
function stackDatasets(parts: readonly Dataset[], symbols: readonly string[]): Dataset {
  if (parts.length === 1) return { ...parts[0]!, symbolIndex: new Uint16Array(parts[0]!.y.length), symbols };
  const order: Array<[number, number]> = [];
  parts.forEach((part, s) => {
    for (let i = 0; i < part.y.length; i++) order.push([s, i]);
  });
  order.sort((a, b) => parts[a[0]]!.time[a[1]]! - parts[b[0]]!.time[b[1]]! || a[0] - b[0]);
  const d = parts[0]!.featureNames.length;
  const n = order.length;
  const out: Dataset = {
    X: new Float64Array(n * d),
    y: new Float64Array(n),
    featureNames: parts[0]!.featureNames,
    time: new Float64Array(n),
    labelEnd: new Float64Array(n),
    weights: new Float64Array(n),
    symbolIndex: new Uint16Array(n),
    symbols,
  };
  order.forEach(([s, i], row) => {
    const part = parts[s]!;
    out.X.set(part.X.subarray(i * d, i * d + d), row * d);
    out.y[row] = part.y[i]!;
    out.time[row] = part.time[i]!;
    out.labelEnd![row] = part.labelEnd![i]!;
    out.weights![row] = part.weights?.[i] ?? 1;
    out.symbolIndex![row] = s;
  });
  return out;
}

/** Target positions from class probabilities: long on a confident "up", short (if allowed) on a confident "down". */
function targetFromProba(
  proba: Float64Array,
  row: number,
  labels: ClassLabels,
  config: StrategyConfig['backtest'],
): number {
  const k = labels.numClasses;
  const p = proba.subarray(row * k, row * k + k);
  const up = p[labels.upClass]!;
  if (k === 2) {
    if (up >= config.entryThreshold) return 1;
    if (config.allowShort && up <= 1 - config.entryThreshold) return -1;
    return 0;
  }
  const best = p.indexOf(Math.max(...p));
  if (best === labels.upClass && up >= config.entryThreshold / 2) return 1;
  if (config.allowShort && best === labels.downClass) return -1;
  return 0;
}

interface SymbolBacktest {
  symbol: string;
  bars: Bars;
  start: number;
  returns: Float64Array;
  positions: Float64Array;
  holdReturns: Float64Array;
  trades: PositionTrade[];
  equity: Float64Array;
}

/**
 * Runs the whole chain for a strategy: load bars (store first) → labels → features → dataset
 * (every dropped row counted) → purged walk-forward or holdout validation → out-of-sample metrics
 * → backtest of out-of-sample signals → permutation importance → final model on all rows →
 * gates → registry (model, metrics, importance, exact config, fingerprint, HTML report).
 */
export async function trainStrategy(loaded: LoadedStrategy, options: TrainOptions = {}): Promise<TrainResult> {
  const { config } = loaded;
  const progress = options.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  const time = async <T>(step: string, fn: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      timings[step] = Math.round(performance.now() - started);
    }
  };
  const symbols = [...(options.symbols ?? config.data.symbols)];
  const loadedBars = await time('load', () => loadStrategyBars(config.data, symbols, loaded.baseDir, progress));
  const featureSet: FeatureSet = 'preset' in config.features ? standardFeatureSet() : config.features;

  const perSymbol = await time('features', () =>
    symbols.map((symbol, s) => {
      progress({ phase: 'features', done: s, total: symbols.length, detail: { symbol } });
      const { bars } = loadedBars.get(symbol)!;
      const labels = computeClassLabels(bars, config.labels);
      const built = buildDataset(bars, featureSet, {
        label: labels.y,
        labelEnd: labels.labelEnd,
        weight: labels.weight,
      });
      return { symbol, bars, labels, built };
    }),
  );
  const labels = perSymbol[0]!.labels;
  const dataset = stackDatasets(
    perSymbol.map((p) => p.built.dataset),
    symbols,
  );
  if (dataset.y.length < 100)
    throw new NotEnoughDataError('training rows after warm-up and label drops', 100, dataset.y.length);

  await prepareModelRuntime(config.model);
  const splits = makeSplits(config, dataset);
  const foldModels: Classifier[] = [];
  const walkForward = await time('validate', () =>
    runWalkForward(dataset, splits, {
      createEstimator: (fold) => {
        const model = createModel(config.model, labels.numClasses, config.seed + fold);
        foldModels[fold] = model;
        return model;
      },
      metrics: classificationMetrics(labels.numClasses, labels.upClass),
      onProgress: progress,
    }),
  );

  // Backtest the out-of-sample signals, each symbol over its own tested bars.
  const backtests = await time('backtest', () =>
    perSymbol.map(({ symbol, bars }, s): SymbolBacktest | undefined => {
      const targets = new Float64Array(bars.time.length);
      let first = Number.POSITIVE_INFINITY;
      let last = -1;
      for (const row of walkForward.testedRows) {
        if (dataset.symbolIndex![row] !== s) continue;
        const barIndex = lowerBound(bars.time, dataset.time[row]!);
        targets[barIndex] = targetFromProba(walkForward.proba!, row, labels, config.backtest);
        first = Math.min(first, barIndex);
        last = Math.max(last, barIndex);
      }
      if (last < 0) return undefined;
      const end = Math.min(bars.time.length, last + 2);
      const window = sliceBars(bars, first, end);
      const positions = targets.subarray(first, end);
      const run = vectorizedBacktest(window, positions, {
        feesBps: config.backtest.feesBps,
        slippageBps: config.backtest.slippageBps,
      });
      const holdReturns = window.close.map((c, i) => (i === 0 ? 0 : c / window.close[i - 1]! - 1));
      const trades = positionTrades(window, positions, config.backtest.feesBps + config.backtest.slippageBps);
      return {
        symbol,
        bars: window,
        start: first,
        returns: run.returns,
        positions,
        holdReturns,
        trades,
        equity: run.equity,
      };
    }),
  );
  const tested = backtests.filter((b): b is SymbolBacktest => b !== undefined);
  const combined = combineReturns(tested);
  const annualization = { timeframe: config.data.timeframe, calendar: 'crypto' as const };
  const strategyMetrics = tradingMetrics(combined.returns, { ...annualization, positions: combined.exposure });
  const holdMetrics = tradingMetrics(combined.holdReturns, annualization);
  const allTrades = tested.flatMap((b) => b.trades);
  const tradeStats = tradeListMetrics(allTrades);
  const backtest = {
    sharpe: strategyMetrics.sharpe,
    sortino: strategyMetrics.sortino,
    totalReturn: strategyMetrics.totalReturn,
    cagr: strategyMetrics.cagr,
    maxDrawdown: strategyMetrics.maxDrawdown,
    calmar: strategyMetrics.calmar,
    exposure: strategyMetrics.exposure,
    trades: tradeStats.trades,
    winRate: tradeStats.winRate,
    profitFactor: tradeStats.profitFactor,
    expectancy: tradeStats.expectancy,
    avgHoldBars: allTrades.length > 0 ? allTrades.reduce((s, t) => s + t.holdBars, 0) / allTrades.length : 0,
  };
  const buyAndHold = {
    sharpe: holdMetrics.sharpe,
    totalReturn: holdMetrics.totalReturn,
    maxDrawdown: holdMetrics.maxDrawdown,
  };

  // Permutation importance of the last fold's model on its own (out-of-sample) test rows.
  const importance = await time('importance', () => {
    if (!config.importance.enabled) return [];
    const lastSplit = splits[splits.length - 1]!;
    let testRows = rangesToIndices(lastSplit.test);
    if (testRows.length > config.importance.maxRows)
      testRows = testRows.subarray(testRows.length - config.importance.maxRows);
    const test = sliceRows(dataset, testRows[0]!, testRows[testRows.length - 1]! + 1);
    const result = permutationImportance(foldModels[splits.length - 1]!, test, {
      metric: classificationMetrics(labels.numClasses, labels.upClass).logLoss!,
      nRepeats: config.importance.repeats,
      seed: config.seed,
    });
    return dataset.featureNames
      .map((feature, j) => ({ feature, mean: result.mean[j]!, std: result.std[j]! }))
      .sort((a, b) => b.mean - a.mean);
  });

  // The deployable model: trained on every row, the newest part held out for early stopping.
  const finalModel = await time('final model', async () => {
    const model = createModel(config.model, labels.numClasses, config.seed);
    const lastSplit = splits[splits.length - 1]!;
    const holdout = lastSplit.validation ? rangesToIndices(lastSplit.validation).length : 0;
    const cut = dataset.y.length - holdout;
    progress({ phase: 'final model', done: 0, total: 1 });
    await model.fit(
      sliceRows(dataset, 0, cut),
      holdout > 0 ? { validation: sliceRows(dataset, cut, dataset.y.length) } : {},
    );
    progress({ phase: 'final model', done: 1, total: 1 });
    return model;
  });

  const metrics = {
    ...prefixed('oos', walkForward.metrics),
    ...backtest,
    oosRows: walkForward.testedRows.length,
    folds: splits.length,
  };
  const gates = evaluateGates(config.gates, metrics);
  const result: TrainResult = {
    strategy: config.name,
    symbols,
    timeframe: config.data.timeframe,
    data: perSymbol.map(({ symbol, built }) => {
      const { bars, report } = loadedBars.get(symbol)!;
      return {
        symbol,
        bars: bars.time.length,
        fromStore: report.fromStore,
        fetched: report.fetched,
        gaps: report.gaps.length,
        rows: built.report,
      };
    }),
    datasetRows: dataset.y.length,
    features: dataset.featureNames.length,
    folds: splits.length,
    oosRows: walkForward.testedRows.length,
    oosStart: dataset.time[walkForward.testedRows[0]!]!,
    firstRowTime: dataset.time[0]!,
    oos: walkForward.metrics,
    backtest,
    buyAndHold,
    importance,
    gates,
    timingsMs: timings,
  };

  if (options.register ?? true) {
    await time('register', () => {
      const first = tested[0];
      const html = first
        ? renderReport({
            title: `${config.name} · ${symbols.join(', ')} ${config.data.timeframe}`,
            subtitle: `out-of-sample ${new Date(first.bars.time[0]!).toISOString().slice(0, 10)} → ${new Date(first.bars.time[first.bars.time.length - 1]!).toISOString().slice(0, 10)} · ${splits.length} folds · ${walkForward.testedRows.length} test rows`,
            candles: first.bars,
            trades: first.trades,
            equity: first.equity,
            benchmarkEquity: equityFromReturns(first.holdReturns).subarray(1),
            tables: { 'Out-of-sample model': walkForward.metrics, Backtest: backtest, 'Buy and hold': buyAndHold },
            importance,
            gates: gates.results.map((g) => ({ expression: g.expression, passed: g.passed, reason: g.reason })),
          })
        : undefined;
      const registry = new ModelRegistry({
        root: options.registryRoot ?? resolve(loaded.baseDir, config.registry.root),
      });
      const manifest = registry.register({
        strategy: config.name,
        symbol: symbols.join('+'),
        timeframe: config.data.timeframe,
        model: finalModel.toJSON(),
        metrics,
        featureImportance: importance,
        config: loaded.text,
        fingerprint: computeFingerprint({
          data: symbols.map((symbol) => hashBars(loadedBars.get(symbol)!.bars)),
          featureSet,
          labels: config.labels,
          split: config.validation,
          hyperparameters: config.model,
          packageVersions: packageVersions(),
          seed: config.seed,
        }),
        ...(html ? { extraFiles: { 'report.html': html } } : {}),
      });
      result.model = manifest;
      result.modelDir = registry.dirOf(manifest.id);
      if (html) result.reportPath = join(result.modelDir, 'report.html');
    });
  }
  return result;
}

function prefixed(prefix: string, record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [`${prefix}${k[0]!.toUpperCase()}${k.slice(1)}`, v]),
  );
}

/** Equal-weight portfolio of the symbols' per-bar returns, aligned by bar time. */
function combineReturns(backtests: readonly SymbolBacktest[]): {
  returns: Float64Array;
  holdReturns: Float64Array;
  exposure: Float64Array;
} {
  const byTime = new Map<number, [number, number, number, number]>();
  for (const b of backtests) {
    for (let i = 0; i < b.returns.length; i++) {
      const entry = byTime.get(b.bars.time[i]!) ?? [0, 0, 0, 0];
      entry[0] += b.returns[i]!;
      entry[1] += b.holdReturns[i]!;
      entry[2] += b.positions[i] === 0 ? 0 : 1;
      entry[3] += 1;
      byTime.set(b.bars.time[i]!, entry);
    }
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const returns = new Float64Array(times.length);
  const holdReturns = new Float64Array(times.length);
  const exposure = new Float64Array(times.length);
  times.forEach((t, i) => {
    const [r, h, e, count] = byTime.get(t)!;
    returns[i] = r / count;
    holdReturns[i] = h / count;
    exposure[i] = e / count;
  });
  return { returns, holdReturns, exposure };
}
