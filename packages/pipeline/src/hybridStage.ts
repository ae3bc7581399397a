import { positionsFromProbabilities } from '@candlelab/backtest';
import { type Classifier, ConfigError, type ProgressCallback } from '@candlelab/core';
import { SizingEnv } from '@candlelab/env';
import { computeFeatures, StandardScaler } from '@candlelab/features';
import { PPO } from '@candlelab/ppo';
import { rangesToIndices, type Split } from '@candlelab/validation';
import type { SymbolSignals } from './backtestStage.js';
import {
  entryProbabilityColumns,
  hybridDecision,
  probabilityColumnNames,
  type SizingAllocator,
  type SizingConfig,
  type SizingSpec,
  sizingColumns,
  sizingSpec,
} from './hybridSizing.js';
import { ppoAgentConfig } from './ppoModelConfig.js';
import { standardizedFeatureRows } from './ppoPredict.js';
import { symbolSpans } from './ppoStage.js';
import type { StrategyConfig } from './strategyConfig.js';
import { type StrategyDataset, strategyFeatureSet } from './strategyDataset.js';

/** The hybrid's out-of-sample decisions, stitched over the folds, per symbol (in the order of the signals). */
export interface HybridFolds {
  /** The entry signals with `positions` replaced by direction × size. */
  signals: SymbolSignals[];
  /** Per symbol, the allocator's chosen size of each out-of-sample bar. */
  sizes: Float64Array[];
  /** Per symbol, row-major `bars × sizes` allocator probabilities. */
  sizeProbabilities: Float64Array[];
  /** Each fold's allocator (its spec holds the weights). */
  allocators: SizingSpec[];
}

interface SymbolColumns {
  /** The strategy's feature columns over all of the symbol's bars. */
  features: Float64Array[];
}

function featureColumnsOf(config: StrategyConfig, data: StrategyDataset): SymbolColumns[] {
  const featureSet = strategyFeatureSet(config);
  return data.bars.map((bars) => ({ features: computeFeatures(bars, featureSet).columns as Float64Array[] }));
}

/**
 * Trains one allocator on `trainRows` of the dataset: per symbol, the entry model's class
 * probabilities over its training bars (IN-SAMPLE: the entry model was fitted on these rows, so
 * they are more confident than out of sample — the approximation of this training signal), the
 * directions the one rule gives them, the observation columns standardised on these bars only,
 * and PPO in `SizingEnv`s (env i on symbol i mod symbols, random episode starts, the strategy's
 * fees and slippage) rewarded with the log return of the sized position.
 */
async function trainAllocator(
  config: StrategyConfig,
  sizing: SizingConfig,
  data: StrategyDataset,
  columns: readonly SymbolColumns[],
  entryModel: Classifier,
  trainRows: ArrayLike<number>,
  seed: number,
): Promise<SizingAllocator> {
  const { numClasses } = data.labels;
  const spans = symbolSpans(data, trainRows);
  const perSymbol = spans.flatMap((span, s) => {
    if (!span) return [];
    const bars = data.bars[s]!;
    const n = bars.time.length;
    const probabilityColumns = entryProbabilityColumns(
      entryModel,
      columns[s]!.features,
      numClasses,
      n,
      span.first,
      span.last + 1,
    );
    return [
      {
        s,
        span,
        probabilityColumns,
        all: sizingColumns(sizing.observeFeatures, columns[s]!.features, probabilityColumns),
      },
    ];
  });
  if (sizing.params.numEnvs < perSymbol.length)
    throw new ConfigError('strategy sizing', [
      {
        field: 'sizing.params.numEnvs',
        reason: `${sizing.params.numEnvs} training envs for ${perSymbol.length} symbols: give at least one env per symbol`,
      },
    ]);
  // The standardisation of the fold: every symbol's training bars pooled.
  const d = perSymbol[0]!.all.length;
  const total = perSymbol.reduce((sum, x) => sum + x.span.last - x.span.first + 1, 0);
  const pooled = new Float64Array(total * d);
  let row = 0;
  for (const { span, all } of perSymbol)
    for (let t = span.first; t <= span.last; t++, row++) for (let j = 0; j < d; j++) pooled[row * d + j] = all[j]![t]!;
  const scaler = new StandardScaler().fit({ data: pooled, rows: total, cols: d });
  const names = [
    ...(sizing.observeFeatures ? data.dataset.featureNames : []),
    ...probabilityColumnNames(data.labels.classes),
  ];
  const envs = perSymbol.map(({ s, span, probabilityColumns, all }) => {
    const bars = data.bars[s]!;
    const n = bars.time.length;
    const observations = standardizedFeatureRows(scaler, all, 0, n, sizing.clipObservation);
    const probabilities = new Float64Array(n * numClasses);
    for (let t = 0; t < n; t++)
      for (let k = 0; k < numClasses; k++) probabilities[t * numClasses + k] = probabilityColumns[k]![t]!;
    return {
      bars,
      observations,
      direction: positionsFromProbabilities(probabilities, data.labels, config.backtest),
      span,
    };
  });
  const agent = new PPO({
    env: (i: number) => {
      const { bars, observations, direction, span } = envs[i % envs.length]!;
      return new SizingEnv({
        bars,
        features: observations,
        featureNames: names,
        direction,
        sizes: sizing.sizes,
        window: sizing.window,
        fee: config.backtest.feesBps / 10_000,
        slippage: config.backtest.slippageBps / 10_000,
        range: { start: span.first, end: span.last + 1 },
        episodeLength: sizing.episodeLength,
      });
    },
    config: ppoAgentConfig(sizing.params, seed),
  });
  await agent.learn({ totalTimesteps: sizing.totalTimesteps });
  const spec = sizingSpec({
    sizes: [...sizing.sizes],
    window: sizing.window,
    observeFeatures: sizing.observeFeatures,
    clipObservation: sizing.clipObservation,
    columns: names,
    standardization: scaler.toJSON(),
    agent: agent.toJSON(),
  });
  return { spec, scaler, agent };
}

/**
 * The walk-forward of a hybrid strategy (`sizing:` beside a classifier model). Fold f's allocator
 * trains on fold f's training rows (train + validation) only, observing fold f's entry model's
 * probabilities there; then, on every test row of the fold, {@link hybridDecision} gives the
 * position from the fold's entry model and allocator (probabilities of bars ≤ t only).
 * `entrySignals` are the classifier's stitched out-of-sample signals (`backtestOutOfSample`).
 */
export async function runHybridFolds(
  config: StrategyConfig,
  data: StrategyDataset,
  splits: readonly Split[],
  entryModels: readonly Classifier[],
  entrySignals: readonly SymbolSignals[],
  onProgress: ProgressCallback = () => {},
): Promise<HybridFolds> {
  const sizing = config.sizing!;
  const columns = featureColumnsOf(config, data);
  const perSymbol = data.bars.map(() => ({ positions: [] as number[], sizes: [] as number[], proba: [] as number[] }));
  const allocators: SizingSpec[] = [];
  for (const [f, split] of splits.entries()) {
    const trainRows = rangesToIndices([...split.train, ...(split.validation ?? [])].sort((a, b) => a.start - b.start));
    const model = entryModels[f]!;
    const allocator = await trainAllocator(config, sizing, data, columns, model, trainRows, config.seed);
    allocators.push(allocator.spec);
    const testRows = rangesToIndices(split.test);
    const spans = symbolSpans(data, testRows);
    // The entry model's probabilities from `window − 1` bars before the test window: bars ≤ t only.
    const probabilityColumns = spans.map((span, s) =>
      span
        ? entryProbabilityColumns(
            model,
            columns[s]!.features,
            data.labels.numClasses,
            data.bars[s]!.time.length,
            span.first - sizing.window + 1,
            span.last + 1,
          )
        : [],
    );
    for (const row of testRows) {
      const s = data.dataset.symbolIndex?.[row] ?? 0;
      const decision = hybridDecision(
        allocator,
        sizingColumns(sizing.observeFeatures, columns[s]!.features, probabilityColumns[s]!),
        probabilityColumns[s]!,
        data.barIndex[row]!,
        data.labels,
        config.backtest,
        data.bars[s]!.symbol,
      );
      const out = perSymbol[s]!;
      out.positions.push(decision.position);
      out.sizes.push(decision.size);
      out.proba.push(...decision.probabilities);
    }
    onProgress({ phase: 'sizing allocator', done: f + 1, total: splits.length });
  }
  const symbolOf = new Map(data.bars.map((bars, s) => [bars.symbol, s]));
  const signals = entrySignals.map((x) => {
    const out = perSymbol[symbolOf.get(x.symbol)!]!;
    if (out.positions.length !== x.time.length)
      throw new ConfigError('strategy sizing', [
        { field: 'sizing', reason: `${x.symbol}: ${out.positions.length} sized bars for ${x.time.length} signals` },
      ]);
    return { ...x, positions: Float64Array.from(out.positions) };
  });
  return {
    signals,
    sizes: entrySignals.map((x) => Float64Array.from(perSymbol[symbolOf.get(x.symbol)!]!.sizes)),
    sizeProbabilities: entrySignals.map((x) => Float64Array.from(perSymbol[symbolOf.get(x.symbol)!]!.proba)),
    allocators,
  };
}

/**
 * The deployable allocator: trained on every dataset row with the final entry model's
 * (in-sample) probabilities, like the fold allocators.
 */
export async function trainFinalSizing(
  config: StrategyConfig,
  data: StrategyDataset,
  finalModel: Classifier,
): Promise<SizingSpec> {
  const rows = rangesToIndices([{ start: 0, end: data.dataset.time.length }]);
  const allocator = await trainAllocator(
    config,
    config.sizing!,
    data,
    featureColumnsOf(config, data),
    finalModel,
    rows,
    config.seed,
  );
  return allocator.spec;
}
