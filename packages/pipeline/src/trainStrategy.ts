import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Classifier, MarketCalendar, ModelJson, ProgressCallback } from '@candlelab/core';
import { sliceRows } from '@candlelab/core';
import type { RowReport } from '@candlelab/features';
import { hashBars, isPostgresLocation, type Manifest, ModelRegistry, openModelStore } from '@candlelab/registry';
import {
  evaluateGates,
  type FoldWindow,
  type GateReport,
  permutationImportance,
  rangesToIndices,
  type Split,
} from '@candlelab/validation';
import {
  type BacktestMetrics,
  type BuyAndHoldMetrics,
  backtestOutOfSample,
  backtestPositions,
  type StrategyBacktest,
  type SymbolSignals,
  signalSeries,
  strategyCalendar,
} from './backtestStage.js';
import { checkStrategy } from './checkStrategy.js';
import { SIZING_FILE } from './hybridSizing.js';
import { runHybridFolds, trainFinalSizing } from './hybridStage.js';
import { loadStrategyBars, openStore } from './loadStrategyBars.js';
import { createModel, prepareModelRuntime } from './modelStage.js';
import { portfolioColumns, runPortfolioFolds, trainFinalPortfolio } from './portfolioStage.js';
import { ppoModelConfig } from './ppoModelConfig.js';
import { PPO_ENV_FILE } from './ppoPredict.js';
import { type PpoFoldResult, type PpoFolds, type PpoPolicyMetrics, runPpoFolds, trainFinalPpo } from './ppoStage.js';
import { PREDICTIONS_FILE, predictionsCsv } from './predictionsCsv.js';
import { registryLocation } from './registryLocation.js';
import { renderReport } from './renderReport.js';
import {
  type ShadowMetricName,
  type ShadowReport,
  shadowMetrics,
  shadowStage,
  shadowTradesCsv,
  writeShadowTables,
} from './shadowStage.js';
import type { LoadedStrategy, StrategyConfig } from './strategyConfig.js';
import { buildStrategyDataset, type StrategyDataset, strategyBars, strategyFeatureSet } from './strategyDataset.js';
import type { StrategyMetricName } from './strategyMetrics.js';
import { strategySplits } from './strategySplits.js';
import { classificationMetrics, runStrategyFolds, type StrategyFolds } from './walkForwardStage.js';

export interface TrainOptions {
  /** Train on these symbols instead of `data.symbols` (e.g. one symbol of a universe). */
  symbols?: readonly string[];
  /** Store the model in the registry (default true). */
  register?: boolean;
  /** Registry folder or `postgres://` URL; default `registry.root` of the config (a folder relative to the config file). */
  registryRoot?: string;
  /** Register at most once under this key (a job id): a retried job gets its first model back. Default none. */
  registrationKey?: string;
  /** Keep each fold's fitted model in the result (`foldModels`), for audits. Default false. */
  keepFoldModels?: boolean;
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

/** A PPO strategy's out-of-sample comparison (see `runPpoFolds`). */
export interface PpoSummary {
  /** Action names (the columns of the predictions CSV). */
  actions: string[];
  oos: PpoFolds['oos'];
  /** Seed of the deployed agent (median selection Sharpe on the held-out newest rows). */
  finalSeed: number;
}

/** A portfolio allocator's out-of-sample comparison (`model.kind: ppo`, `env.kind: portfolio`). */
export interface AllocatorSummary {
  /** Weight names: `w_<symbol>` per symbol, then `w_cash` (the columns of the predictions CSV). */
  columns: string[];
  oos: { agent: PpoPolicyMetrics; equalWeight: PpoPolicyMetrics; random: PpoPolicyMetrics };
  /** Seed of the deployed agent. */
  finalSeed: number;
}

/** A hybrid strategy's sizing (`sizing:`): the sized backtest against the same entries at full size. */
export interface SizingSummary {
  sizes: number[];
  /** The entries alone, every position at full size (the portfolio backtest without the allocator). */
  unsized: BacktestMetrics;
  /** Mean size the allocator chose on the out-of-sample bars where the entry rule was in the market. */
  meanSizeInMarket: number;
}

export interface ImportanceRow {
  feature: string;
  mean: number;
  std: number;
}

/** A fold's summary: its window and its metrics. */
function foldSummary(f: FoldWindow, metrics: Record<string, number>): FoldSummary {
  const { fold, trainRows, validationRows, testRows, testStart, testEnd } = f;
  return { fold, trainRows, validationRows, testRows, testStart, testEnd, metrics };
}

/** One walk-forward fold, scored on its own test rows only. */
export interface FoldSummary extends FoldWindow {
  metrics: Record<string, number>;
}

/** One symbol's out-of-sample results (its share of the stitched predictions, its own backtest). */
export interface SymbolResult {
  symbol: string;
  oosRows: number;
  oosStart: number;
  oosEnd: number;
  /** Classification metrics over this symbol's out-of-sample rows. */
  oos: Record<string, number>;
  backtest: BacktestMetrics;
  buyAndHold: BuyAndHoldMetrics;
}

export interface TrainResult {
  strategy: string;
  symbols: string[];
  /** Timeframe trained on (`data.resample` when set, else `data.timeframe`). */
  timeframe: string;
  calendar: MarketCalendar;
  seed: number;
  data: SymbolData[];
  /** Rows used for training and validation after warm-up and label drops. */
  datasetRows: number;
  features: number;
  /** Every fold with its own out-of-sample metrics. */
  folds: FoldSummary[];
  /** Threads that trained the folds. */
  workers: number;
  /** Rows scored out of sample, and the times of the first and last of them. */
  oosRows: number;
  oosStart: number;
  oosEnd: number;
  /** Time of the first dataset row (the first bar after the features' warm-up). */
  firstRowTime: number;
  /** Out-of-sample classification metrics over the stitched test rows of all symbols. */
  oos: Record<string, number>;
  /** Backtest of the out-of-sample signals: the equal-weight portfolio of the symbols. */
  backtest: BacktestMetrics;
  /** Buy-and-hold of the same symbols over the same bars, equal-weight. */
  buyAndHold: BuyAndHoldMetrics;
  perSymbol: SymbolResult[];
  /** The metrics the gates read (see `STRATEGY_METRICS`, plus `SHADOW_METRICS` with `shadow:`). */
  metrics: Record<StrategyMetricName, number> & Partial<Record<ShadowMetricName, number>>;
  /** Shadow trading of every out-of-sample entry, with `shadow:` in the strategy. */
  shadow?: ShadowReport;
  /** PPO strategies: the agent against buy-and-hold and a random policy on the same windows, and the seed spread. */
  ppo?: PpoSummary;
  /** Hybrid strategies (`sizing:`): the allocator's effect on the same entries. */
  sizing?: SizingSummary;
  /** Portfolio allocators: the agent's weights against equal and random weights on the same windows. */
  allocator?: AllocatorSummary;
  importance: ImportanceRow[];
  gates: GateReport;
  model?: Manifest;
  modelDir?: string;
  reportPath?: string;
  predictionsPath?: string;
  timingsMs: Record<string, number>;
  /** The out-of-sample signals per symbol (probabilities, positions, folds); also written as CSV beside the model. */
  signals: SymbolSignals[];
  /** Each fold's fitted model, with `keepFoldModels`. */
  foldModels?: Classifier[];
}

/**
 * A train result as JSON output shows it: everything but the typed-array signals, the model
 * objects and the shadow trade list (those are written beside the model as CSV).
 */
export function trainResultJson(result: TrainResult): TrainResultJson {
  const { signals: _signals, foldModels: _models, shadow, ...rest } = result;
  if (!shadow) return rest;
  const { trades, ...summary } = shadow;
  return { ...rest, shadow: { ...summary, trades: trades.length } };
}

/** What `trainResultJson` gives: the shadow run's trade list is replaced by its length. */
export type TrainResultJson = Omit<TrainResult, 'signals' | 'foldModels' | 'shadow'> & {
  shadow?: Omit<ShadowReport, 'trades'> & { trades: number };
};

/** The @candlelab packages whose code computes a model, with their versions (stored in the manifest). */
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
    'env',
    'ppo',
    'validation',
    'backtest',
  ];
  return Object.fromEntries(
    [...names.map((name) => `@candlelab/${name}`), '@candlelab/pipeline'].map((name) => [
      name,
      (require(`${name}/package.json`) as { version: string }).version,
    ]),
  );
}

/** Stage: permutation importance of the last fold's model on its own (out-of-sample) test rows. */
function importanceStage(config: StrategyConfig, data: StrategyDataset, splits: Split[], folds: StrategyFolds) {
  if (!config.importance.enabled) return [];
  const lastSplit = splits[splits.length - 1]!;
  let testRows = rangesToIndices(lastSplit.test);
  if (testRows.length > config.importance.maxRows)
    testRows = testRows.subarray(testRows.length - config.importance.maxRows);
  const test = sliceRows(data.dataset, testRows[0]!, testRows[testRows.length - 1]! + 1);
  const result = permutationImportance(folds.models[splits.length - 1]!, test, {
    metric: classificationMetrics(data.labels.numClasses, data.labels.upClass).logLoss!,
    nRepeats: config.importance.repeats,
    seed: config.seed,
  });
  return data.dataset.featureNames
    .map((feature, j) => ({ feature, mean: result.mean[j]!, std: result.std[j]! }))
    .sort((a, b) => b.mean - a.mean);
}

/** Stage: the deployable model, trained on every row with the newest part held out for early stopping. */
async function finalModelStage(config: StrategyConfig, data: StrategyDataset, splits: Split[]): Promise<Classifier> {
  const model = createModel(config.model, data.labels.numClasses, config.seed);
  const lastSplit = splits[splits.length - 1]!;
  const holdout = lastSplit.validation ? rangesToIndices(lastSplit.validation).length : 0;
  const n = data.dataset.y.length;
  const cut = n - holdout;
  await model.fit(sliceRows(data.dataset, 0, cut), holdout > 0 ? { validation: sliceRows(data.dataset, cut, n) } : {});
  return model;
}

/**
 * The metrics gates read: the portfolio backtest, buy-and-hold, and the stitched out-of-sample
 * classification metrics (`oos…`; NaN for strategy kinds without classes, such as PPO).
 */
function gateMetrics(model: ModelStages, backtest: StrategyBacktest): Record<StrategyMetricName, number> {
  const totalReturn = backtest.portfolioBacktest.totalReturn;
  const buyAndHoldReturn = backtest.portfolioBuyAndHold.totalReturn;
  const oos = (name: string) => model.oos[name] ?? Number.NaN;
  return {
    ...backtest.portfolioBacktest,
    buyAndHoldReturn,
    excessReturn: totalReturn - buyAndHoldReturn,
    oosAccuracy: oos('accuracy'),
    oosF1Macro: oos('f1Macro'),
    oosLogLoss: oos('logLoss'),
    oosAuc: oos('auc'),
    oosRows: model.oosRows,
    folds: model.folds.length,
  };
}

/** What a model kind's stages hand to the common tail (gates, report, registry). */
interface ModelStages {
  folds: FoldSummary[];
  workers: number;
  /** Stitched out-of-sample classification metrics ({} for PPO). */
  oos: Record<string, number>;
  oosRows: number;
  backtest: StrategyBacktest;
  importance: ImportanceRow[];
  /** The deployable model and the files it needs beside `model.json`. */
  final: { json: ModelJson; files: Record<string, string> };
  /** Column names of the out-of-sample probabilities (classes, or PPO actions). */
  columns: readonly string[];
  foldModels?: Classifier[];
  ppo?: PpoSummary;
  sizing?: SizingSummary;
  allocator?: AllocatorSummary;
}

type Stage = <T>(name: string, fn: () => T | Promise<T>) => Promise<T>;

/** Classifier strategies (gbdt, ensemble, nn): folds, the one rule, importance, the final model. */
async function classifierStages(
  config: StrategyConfig,
  data: StrategyDataset,
  splits: Split[],
  stage: Stage,
  progress: ProgressCallback,
): Promise<ModelStages> {
  await prepareModelRuntime(config.model);
  const folds = await stage('validate', () => runStrategyFolds(config, data, splits, progress));
  const entries = await stage('backtest', () => backtestOutOfSample(config, data, folds.walkForward));
  const hybrid = config.sizing
    ? await stage('sizing', () => runHybridFolds(config, data, splits, folds.models, entries.signals, progress))
    : undefined;
  // With sizing, the strategy's backtest is the sized positions (direction × size) on the same bars.
  const backtest: StrategyBacktest = hybrid
    ? {
        ...entries,
        ...backtestPositions(
          config,
          hybrid.signals.map((x) => signalSeries(data.bars.find((b) => b.symbol === x.symbol)!, x)),
          entries.calendar,
        ),
        signals: hybrid.signals,
      }
    : entries;
  const importance = await stage('importance', () => importanceStage(config, data, splits, folds));
  const finalModel = await stage('final model', async () => {
    progress({ phase: 'final model', done: 0, total: 1 });
    const model = await finalModelStage(config, data, splits);
    progress({ phase: 'final model', done: 1, total: 1 });
    return model;
  });
  const finalSizing = hybrid
    ? await stage('final sizing', () => trainFinalSizing(config, data, finalModel))
    : undefined;
  const { walkForward } = folds;
  const sizing = hybrid && {
    sizes: [...config.sizing!.sizes],
    unsized: entries.portfolioBacktest,
    meanSizeInMarket: meanSizeInMarket(entries.signals, hybrid.sizes),
  };
  return {
    folds: walkForward.folds.map((f) => foldSummary(f, f.metrics)),
    workers: folds.workers,
    oos: walkForward.metrics,
    oosRows: walkForward.testedRows.length,
    backtest,
    importance,
    final: {
      json: finalModel.toJSON(),
      files: finalSizing ? { [SIZING_FILE]: `${JSON.stringify(finalSizing)}\n` } : {},
    },
    columns: data.labels.classes,
    foldModels: folds.models,
    ...(sizing ? { sizing } : {}),
  };
}

/** Mean allocator size over the out-of-sample bars where the entry rule held a position. */
function meanSizeInMarket(entrySignals: readonly SymbolSignals[], sizes: readonly Float64Array[]): number {
  let sum = 0;
  let count = 0;
  entrySignals.forEach((x, s) => {
    x.positions.forEach((p, i) => {
      if (p === 0) return;
      sum += sizes[s]![i]!;
      count++;
    });
  });
  return count > 0 ? sum / count : Number.NaN;
}

/** PPO strategies: agents per fold and seed, their positions backtested like any strategy's, the final agent. */
async function ppoStages(
  config: StrategyConfig,
  data: StrategyDataset,
  splits: Split[],
  stage: Stage,
  progress: ProgressCallback,
): Promise<ModelStages> {
  if (ppoModelConfig(config).env.kind === 'portfolio') return portfolioStages(config, data, splits, stage, progress);
  const ppo = await stage('validate', () => runPpoFolds(config, data, splits, progress));
  const backtest = await stage('backtest', (): StrategyBacktest => {
    const calendar = strategyCalendar(config, data.bars);
    const bySymbol = new Map(data.bars.map((bars) => [bars.symbol, bars]));
    const series = ppo.signals.map((x) => signalSeries(bySymbol.get(x.symbol)!, x));
    return { calendar, ...backtestPositions(config, series, calendar), signals: ppo.signals, oosBySymbol: new Map() };
  });
  const final = await stage('final model', () => trainFinalPpo(config, data, progress));
  const spread = (f: PpoFoldResult) => ({
    ...f.agent,
    sharpeSeedMin: f.spread.sharpe.min,
    sharpeSeedMax: f.spread.sharpe.max,
    buyAndHoldSharpe: f.buyAndHold.sharpe,
    randomSharpe: f.random.sharpe,
    chosenSeed: f.chosenSeed,
  });
  return {
    folds: ppo.folds.map((f) => foldSummary(f, spread(f))),
    workers: 1,
    oos: {},
    oosRows: ppo.signals.reduce((sum, x) => sum + x.time.length, 0),
    backtest,
    importance: [],
    final: { json: { ...final.agent }, files: { [PPO_ENV_FILE]: `${JSON.stringify(final.envSpec, null, 2)}\n` } },
    columns: ppo.actions,
    ppo: { actions: ppo.actions, oos: ppo.oos, finalSeed: final.seed },
  };
}

/** Portfolio allocators: agents per fold, their stitched weights backtested as one portfolio, the final agent. */
async function portfolioStages(
  config: StrategyConfig,
  data: StrategyDataset,
  splits: Split[],
  stage: Stage,
  progress: ProgressCallback,
): Promise<ModelStages> {
  const run = await stage('validate', () => runPortfolioFolds(config, data, splits, progress));
  const final = await stage('final model', () => trainFinalPortfolio(config, data, progress));
  return {
    folds: run.folds.map((f) =>
      foldSummary(f, {
        ...f.agent,
        equalWeightSharpe: f.equalWeight.sharpe,
        randomSharpe: f.random.sharpe,
        chosenSeed: f.chosenSeed,
      }),
    ),
    workers: 1,
    oos: {},
    oosRows: run.signals[0]!.time.length,
    backtest: run.backtest,
    importance: [],
    final: { json: { ...final.agent }, files: { [PPO_ENV_FILE]: `${JSON.stringify(final.envSpec, null, 2)}\n` } },
    columns: portfolioColumns(final.envSpec.symbols),
    allocator: { columns: run.columns, oos: run.oos, finalSeed: final.seed },
  };
}

function withoutWorkers(validation: StrategyConfig['validation']): object {
  if (validation.method !== 'walkForward') return validation;
  const { workers: _workers, ...rest } = validation;
  return rest;
}

/** Files a shadow run adds beside the model: the analysis (patterns, attribution) and the trade memory. */
export const SHADOW_FILE = 'shadow.json';
export const SHADOW_TRADES_FILE = 'shadow_trades.csv';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sectionId = (symbol: string) => symbol.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();

/** Stage: the HTML report, one section per symbol plus the portfolio, every number from the backtest's arrays. */
function reportStage(config: StrategyConfig, result: TrainResult, backtest: StrategyBacktest): string {
  const symbolSections = backtest.symbols.map((s) => ({
    id: sectionId(s.symbol),
    title: s.symbol,
    candles: s.bars,
    trades: s.trades,
    time: s.bars.time,
    equity: s.equity,
    benchmarkEquity: s.holdEquity,
    tables: {
      Backtest: s.backtest,
      'Buy and hold': s.buyAndHold,
      'Out-of-sample model': result.perSymbol.find((p) => p.symbol === s.symbol)!.oos,
    },
  }));
  const portfolio = {
    id: 'portfolio',
    title: result.allocator
      ? `Portfolio allocator (${result.symbols.length} symbols + cash; benchmark: equal weights)`
      : `Portfolio (${backtest.symbols.length} symbol${backtest.symbols.length === 1 ? '' : 's'}, equal weight)`,
    time: backtest.portfolio.time,
    equity: backtest.portfolio.equity,
    benchmarkEquity: backtest.portfolio.holdEquity,
    tables: { Backtest: result.backtest, 'Buy and hold': result.buyAndHold },
  };
  return renderReport({
    title: `${config.name} · ${result.symbols.join(', ')} ${result.timeframe}`,
    subtitle: `out of sample ${day(result.oosStart)} → ${day(result.oosEnd)} · ${result.folds.length} folds · ${result.oosRows} test rows · ${result.calendar} calendar · seed ${result.seed}`,
    sections: backtest.symbols.length === 1 ? symbolSections : [portfolio, ...symbolSections],
    tables: result.allocator
      ? Object.fromEntries(
          (['agent', 'equalWeight', 'random'] as const).map((policy) => [
            `Portfolio allocator out of sample: ${policy === 'agent' ? 'the agent' : policy === 'equalWeight' ? 'equal weights' : 'random weights'}`,
            { ...result.allocator!.oos[policy] },
          ]),
        )
      : result.ppo
        ? Object.fromEntries(
            (['agent', 'buyAndHold', 'random'] as const).map((policy) => [
              `PPO out of sample: ${policy === 'agent' ? 'the agent' : policy === 'buyAndHold' ? 'buy and hold' : 'a random policy'}`,
              { ...result.ppo!.oos[policy] },
            ]),
          )
        : {
            'Out-of-sample model (all symbols)': result.oos,
            ...(result.sizing
              ? {
                  'Hybrid sizing: sized by the allocator': { ...result.backtest },
                  'Hybrid sizing: the same entries at full size': {
                    ...result.sizing.unsized,
                    meanSizeInMarket: result.sizing.meanSizeInMarket,
                  },
                }
              : {}),
          },
    folds: result.folds.map((f) => ({
      fold: f.fold + 1,
      trainRows: f.trainRows,
      testRows: f.testRows,
      testStart: day(f.testStart),
      testEnd: day(f.testEnd),
      ...f.metrics,
    })),
    importance: result.importance,
    gates: result.gates.results.map((g) => ({ expression: g.expression, passed: g.passed, reason: g.reason })),
    ...(result.shadow ? { shadow: shadowTables(result.shadow) } : {}),
  });
}

/** The shadow run as report tables: summary, by exit reason and regime, losses, and the pattern library. */
function shadowTables(shadow: ShadowReport) {
  const row = (
    name: string,
    stats: { count: number; winRate: number; confidence: number; meanReturn: number; meanLeftOnTable: number },
  ) => ({
    group: name,
    trades: stats.count,
    winRate: stats.winRate,
    confidence: stats.confidence,
    meanReturn: stats.meanReturn,
    leftOnTable: stats.meanLeftOnTable,
  });
  return {
    groups: [
      row('all', shadow.summary),
      ...Object.entries(shadow.bySide).map(([k, v]) => row(`side ${k}`, v)),
      ...Object.entries(shadow.byExitReason).map(([k, v]) => row(`exit ${k}`, v)),
      ...Object.entries(shadow.byRegime).map(([k, v]) => row(`regime ${k}`, v)),
    ],
    patterns: shadow.patterns.map((p) => ({
      pattern: p.pattern + 1,
      trades: p.count,
      winRate: p.winRate,
      confidence: p.confidence,
      meanReturn: p.meanReturn,
      ...p.centroid,
    })),
    losses: shadow.losses.map((l) => ({ ...l })),
  };
}

/**
 * Runs a strategy as a chain of named stages, each a public function of the library:
 * load (store first) → dataset (labels + features' multi-symbol builder, every dropped row
 * counted) → splits (purged walk-forward or holdout) → validate (folds, on worker threads when
 * `validation.workers` > 1) → backtest (the one position rule, per symbol and as a portfolio) →
 * importance → final model → gates → register (model, metrics, importance, config, fingerprint,
 * out-of-sample predictions CSV, HTML report).
 */
export async function trainStrategy(loaded: LoadedStrategy, options: TrainOptions = {}): Promise<TrainResult> {
  const { config } = loaded;
  const progress = options.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  const stage = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - started);
    }
  };
  checkStrategy(loaded);
  const symbols = [...(options.symbols ?? config.data.symbols)];
  const featureSet = strategyFeatureSet(config);
  const loadedBars = await stage('load', () => loadStrategyBars(config.data, symbols, loaded.baseDir, progress));
  const data = await stage('dataset', () => {
    progress({ phase: 'features', done: 0, total: 1 });
    return buildStrategyDataset(
      config,
      symbols.map((symbol) => strategyBars(config, loadedBars.get(symbol)!.bars)),
      featureSet,
    );
  });
  const splits = strategySplits(config, data.dataset);
  const model = await (config.model.kind === 'ppo' ? ppoStages : classifierStages)(
    config,
    data,
    splits,
    stage,
    progress,
  );
  const { backtest, importance } = model;

  const shadow = config.shadow
    ? await stage('shadow', () => shadowStage(config, config.shadow!, data, backtest.signals, importance))
    : undefined;

  const metrics = { ...gateMetrics(model, backtest), ...(shadow ? shadowMetrics(shadow) : {}) };
  const gates = evaluateGates(config.gates, metrics);
  const scored = backtest.signals.flatMap((x) => [x.time[0]!, x.time[x.time.length - 1]!]);
  const result: TrainResult = {
    strategy: config.name,
    symbols,
    timeframe: config.data.resample ?? config.data.timeframe,
    calendar: backtest.calendar,
    seed: config.seed,
    data: symbols.map((symbol, s) => {
      const { bars, report } = loadedBars.get(symbol)!;
      return {
        symbol,
        bars: bars.time.length,
        fromStore: report.fromStore,
        fetched: report.fetched,
        gaps: report.gaps.length,
        rows: data.reports[s]!,
      };
    }),
    datasetRows: data.dataset.y.length,
    features: data.dataset.featureNames.length,
    folds: model.folds,
    workers: model.workers,
    oosRows: model.oosRows,
    oosStart: Math.min(...scored),
    oosEnd: Math.max(...scored),
    firstRowTime: data.dataset.time[0]!,
    oos: model.oos,
    backtest: backtest.portfolioBacktest,
    buyAndHold: backtest.portfolioBuyAndHold,
    perSymbol: backtest.symbols.map((s) => {
      const signals = backtest.signals.find((x) => x.symbol === s.symbol)!;
      return {
        symbol: s.symbol,
        oosRows: signals.time.length,
        oosStart: signals.time[0]!,
        oosEnd: signals.time[signals.time.length - 1]!,
        oos: backtest.oosBySymbol.get(s.symbol) ?? {},
        backtest: s.backtest,
        buyAndHold: s.buyAndHold,
      };
    }),
    metrics,
    importance,
    gates,
    timingsMs: timings,
    signals: backtest.signals,
  };
  if (options.keepFoldModels && model.foldModels) result.foldModels = model.foldModels;
  if (model.ppo) result.ppo = model.ppo;
  if (model.sizing) result.sizing = model.sizing;
  if (model.allocator) result.allocator = model.allocator;
  if (shadow) result.shadow = shadow;

  if (options.register ?? true) {
    await stage('register', async () => {
      const location = registryLocation(config, loaded.baseDir, options.registryRoot);
      const store = await openModelStore(location);
      try {
        const manifest = await store.register({
          strategy: config.name,
          symbol: symbols.join('+'),
          timeframe: result.timeframe as StrategyConfig['data']['timeframe'],
          model: model.final.json,
          metrics,
          featureImportance: importance,
          config: loaded.text,
          // Promotion out of discovery is judged by the strategy's gates, whoever asks later.
          gates: config.gates,
          ...(options.registrationKey === undefined ? {} : { registrationKey: options.registrationKey }),
          fingerprint: {
            data: symbols.map((symbol) => hashBars(loadedBars.get(symbol)!.bars)),
            featureSet,
            labels: config.labels,
            // The thread count does not change the model (same bytes), so it is not part of the fingerprint.
            split: withoutWorkers(config.validation),
            hyperparameters: config.model,
            packageVersions: packageVersions(),
            seed: config.seed,
          },
          extraFiles: {
            ...model.final.files,
            'report.html': reportStage(config, result, backtest),
            [PREDICTIONS_FILE]: predictionsCsv(backtest.signals, model.columns),
            ...(shadow
              ? {
                  [SHADOW_FILE]: `${JSON.stringify({ ...shadow, trades: undefined }, null, 2)}\n`,
                  [SHADOW_TRADES_FILE]: shadowTradesCsv(shadow),
                }
              : {}),
          },
        });
        result.model = manifest;
        if (shadow) {
          // The shadow run also goes into the candle store's SQL tables, beside the candles.
          const candles = await openStore(config.data.store, loaded.baseDir);
          try {
            await writeShadowTables(candles, manifest.id, shadow);
          } finally {
            await candles.close();
          }
        }
        if (!isPostgresLocation(location)) {
          result.modelDir = new ModelRegistry({ root: location }).dirOf(manifest.id);
          result.reportPath = join(result.modelDir, 'report.html');
          result.predictionsPath = join(result.modelDir, PREDICTIONS_FILE);
        }
      } finally {
        await store.close();
      }
    });
  }
  return result;
}
