import {
  type Bars,
  ConfigError,
  type MarketCalendar,
  NotEnoughDataError,
  type ProgressCallback,
  Rng,
  ValidationError,
} from '@candlelab/core';
import { TradingEnv, tradingActionNames } from '@candlelab/env';
import { computeFeatures, StandardScaler } from '@candlelab/features';
import { PPO, type PpoModelJson } from '@candlelab/ppo';
import { type FoldWindow, type IndexRange, rangesToIndices, type Split } from '@candlelab/validation';
import { backtestPositions, type PositionSeries, type SymbolSignals, strategyCalendar } from './backtestStage.js';
import { ppoAgentConfig, type TradingPpoModelConfig, tradingPpoModelConfig } from './ppoModelConfig.js';
import { type PpoEnvSpec, ppoEnvSpec, standardizedFeatureRows } from './ppoPredict.js';
import type { StrategyConfig } from './strategyConfig.js';
import { type StrategyDataset, strategyFeatureSet } from './strategyDataset.js';
import { strategySplits } from './strategySplits.js';

/** Metrics of one policy's positions, backtested like the strategy (next-open fills, the strategy's costs). */
export interface PpoPolicyMetrics {
  /** Annualised Sharpe ratio of the per-bar returns (equal-weight portfolio over the symbols). */
  sharpe: number;
  /** Share of closed trades with a positive return (NaN without trades). */
  winRate: number;
  totalReturn: number;
  /** Largest peak-to-trough fall of equity, as a positive fraction. */
  maxDrawdown: number;
  trades: number;
}

/** Mean, min and max of a metric over seeds (finite values only; NaN when there are none). */
export interface MetricSpread {
  mean: number;
  min: number;
  max: number;
}

export type PpoMetricSpread = Record<keyof PpoPolicyMetrics, MetricSpread>;

/** One seed's agent in one fold. */
export interface PpoSeedResult {
  seed: number;
  /** Sharpe of its deterministic policy on the selection rows (the fold's validation rows, else its training rows). */
  selectionSharpe: number;
  /** Its out-of-sample metrics on the fold's test window. */
  oos: PpoPolicyMetrics;
}

/** One walk-forward fold of a PPO strategy. */
export interface PpoFoldResult extends FoldWindow {
  seeds: PpoSeedResult[];
  /** The fold's model: the seed with the median selection Sharpe (the lower median for an even count). */
  chosenSeed: number;
  /** The chosen agent on the test window. */
  agent: PpoPolicyMetrics;
  /** Every seed's test metrics, summarised: how much the result depends on the seed. */
  spread: PpoMetricSpread;
  /** Long from the first test decision (filled at the next open with the strategy's costs, like the agent's positions). */
  buyAndHold: PpoPolicyMetrics;
  /** Uniformly random actions, mean of `randomRuns` seeded runs. */
  random: PpoPolicyMetrics;
}

/** A trained agent and what it needs to act (see `predictPpo`). */
export interface PpoAgentArtifacts {
  seed: number;
  agent: PpoModelJson;
  envSpec: PpoEnvSpec;
}

export interface PpoFolds {
  /** Per symbol, the chosen agents' out-of-sample decisions, stitched over the folds; `proba` holds action probabilities. */
  signals: SymbolSignals[];
  /** Names of the actions (the columns of `signals[i].proba`). */
  actions: string[];
  folds: PpoFoldResult[];
  /** The same policies over all out-of-sample windows, stitched: agent vs buy-and-hold vs random. */
  oos: {
    agent: PpoPolicyMetrics;
    buyAndHold: PpoPolicyMetrics;
    random: PpoPolicyMetrics;
    /** Seed k's agents stitched over the folds, for each k: the spread of the whole walk-forward over seeds. */
    seedSpread: PpoMetricSpread;
  };
  /** The chosen agent of each fold with its env spec. */
  models: PpoAgentArtifacts[];
}

export interface FinalPpo extends PpoAgentArtifacts {
  /** Rows the agents trained on and rows held out (the newest) to choose the seed. */
  trainRows: number;
  validationRows: number;
  seeds: Array<{ seed: number; selectionSharpe: number }>;
}

/** One symbol's bars and raw feature columns (the strategy's features over all its bars). */
interface SymbolFeatures {
  bars: Bars;
  columns: readonly Float64Array[];
}

/** Everything a fold needs that does not change between folds. */
interface PpoContext {
  model: TradingPpoModelConfig;
  seed: number;
  data: StrategyDataset;
  symbols: SymbolFeatures[];
  featureNames: string[];
  actions: string[];
  allowShort: boolean;
  feesBps: number;
  slippageBps: number;
  config: StrategyConfig;
  calendar: MarketCalendar;
}

/** Bars `first..last` (inclusive) of one symbol that a set of dataset rows covers. */
export interface BarSpan {
  first: number;
  last: number;
}

/** A policy's decisions over a window: the decision bars, the position after each, and (agents) the action probabilities. */
interface PolicyRun {
  barIndex: Int32Array;
  positions: Float64Array;
  probabilities: Float64Array;
}

function ppoContext(config: StrategyConfig, data: StrategyDataset): PpoContext {
  const model = tradingPpoModelConfig(config);
  const featureSet = strategyFeatureSet(config);
  const symbols = data.bars.map((bars) => {
    const { names, columns } = computeFeatures(bars, featureSet);
    if (names.join('\n') !== data.dataset.featureNames.join('\n'))
      throw new ConfigError('strategy features', [
        { field: 'features', reason: `${bars.symbol}: the feature set's columns differ from the dataset's` },
      ]);
    return { bars, columns };
  });
  return {
    model,
    seed: config.seed,
    data,
    symbols,
    featureNames: [...data.dataset.featureNames],
    actions: tradingActionNames(model.env.actionScheme, config.backtest.allowShort),
    allowShort: config.backtest.allowShort,
    feesBps: config.backtest.feesBps,
    slippageBps: config.backtest.slippageBps,
    config,
    calendar: strategyCalendar(config, data.bars),
  };
}

/** Per symbol, the bars that `rows` (dataset rows, sorted) cover; undefined for a symbol without rows. */
export function symbolSpans(data: StrategyDataset, rows: ArrayLike<number>): Array<BarSpan | undefined> {
  const spans: Array<BarSpan | undefined> = data.bars.map(() => undefined);
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!;
    const s = data.dataset.symbolIndex?.[row] ?? 0;
    const bar = data.barIndex[row]!;
    const span = spans[s];
    if (span === undefined) spans[s] = { first: bar, last: bar };
    else span.last = bar;
  }
  return spans;
}

/** The standardisation of a fold: each feature's mean and standard deviation over its training rows (all symbols). */
export function ppoStandardization(data: StrategyDataset, trainRows: ArrayLike<number>): StandardScaler {
  return new StandardScaler().fit(data.dataset, trainRows);
}

function envSpecOf(ctx: PpoContext, scaler: StandardScaler): PpoEnvSpec {
  const { env } = ctx.model;
  return ppoEnvSpec({
    window: env.window,
    actionScheme: env.actionScheme,
    allowShort: ctx.allowShort,
    fee: ctx.feesBps / 10_000,
    slippage: ctx.slippageBps / 10_000,
    clipObservation: env.clipObservation,
    featureNames: ctx.featureNames,
    standardization: scaler.toJSON(),
  });
}

/** One `TradingEnv` over a symbol's bars and observations, for training (random episodes) or one evaluation pass. */
function tradingEnv(
  ctx: PpoContext,
  spec: PpoEnvSpec,
  bars: Bars,
  observations: Float64Array,
  range: IndexRange,
  training: boolean,
): TradingEnv {
  const { env } = ctx.model;
  return new TradingEnv({
    bars,
    features: observations,
    featureNames: spec.featureNames,
    window: spec.window,
    actionScheme: spec.actionScheme,
    allowShort: spec.allowShort,
    fee: spec.fee,
    slippage: spec.slippage,
    reward: env.reward,
    ...(env.drawdownPenalty === undefined ? {} : { drawdownPenalty: env.drawdownPenalty }),
    ...(env.sharpeEta === undefined ? {} : { sharpeEta: env.sharpeEta }),
    range,
    ...(training ? { episodeLength: env.episodeLength } : {}),
    randomStart: training,
  });
}

/** Runs `act` through one deterministic pass of `env`, recording each decision bar and the position after it. */
function runPolicy(
  env: TradingEnv,
  act: (observation: Float64Array) => { action: number; probabilities?: Float64Array },
  numActions: number,
): PolicyRun {
  const barIndex: number[] = [];
  const positions: number[] = [];
  const probabilities: number[] = [];
  let { observation, info } = env.reset({ seed: 0 });
  for (;;) {
    const decision = act(observation);
    barIndex.push(info.index);
    const step = env.step(decision.action);
    positions.push(step.info.position);
    if (decision.probabilities) probabilities.push(...decision.probabilities);
    else for (let a = 0; a < numActions; a++) probabilities.push(Number.NaN);
    observation = step.observation;
    info = step.info;
    if (step.terminated || step.truncated) break;
  }
  return {
    barIndex: Int32Array.from(barIndex),
    positions: Float64Array.from(positions),
    probabilities: Float64Array.from(probabilities),
  };
}

const agentAct = (agent: PPO) => (observation: Float64Array) => {
  const prediction = agent.predict(observation);
  return { action: prediction.action as number, probabilities: prediction.probabilities! };
};

/**
 * Backtests positions per symbol exactly as the strategy's backtest does (vectorized, decided at
 * the close, filled at the next open, the strategy's fees and slippage; bars from the first
 * decision to the fill of the last) and merges the symbols into an equal-weight portfolio.
 */
/** A policy's positions backtested exactly like every strategy's (`backtestPositions`), as portfolio metrics. */
function policyMetrics(ctx: PpoContext, series: readonly PositionSeries[]): PpoPolicyMetrics {
  const { portfolioBacktest } = backtestPositions(ctx.config, series, ctx.calendar);
  return {
    sharpe: portfolioBacktest.sharpe,
    winRate: portfolioBacktest.winRate,
    totalReturn: portfolioBacktest.totalReturn,
    maxDrawdown: portfolioBacktest.maxDrawdown,
    trades: portfolioBacktest.trades,
  };
}

const METRIC_NAMES = ['sharpe', 'winRate', 'totalReturn', 'maxDrawdown', 'trades'] as const;

function spreadOf(results: readonly PpoPolicyMetrics[]): PpoMetricSpread {
  const spread = {} as PpoMetricSpread;
  for (const name of METRIC_NAMES) {
    const values = results.map((r) => r[name]).filter(Number.isFinite);
    spread[name] =
      values.length === 0
        ? { mean: Number.NaN, min: Number.NaN, max: Number.NaN }
        : {
            mean: values.reduce((a, b) => a + b, 0) / values.length,
            min: Math.min(...values),
            max: Math.max(...values),
          };
  }
  return spread;
}

function meanMetrics(results: readonly PpoPolicyMetrics[]): PpoPolicyMetrics {
  const spread = spreadOf(results);
  return Object.fromEntries(METRIC_NAMES.map((name) => [name, spread[name].mean])) as unknown as PpoPolicyMetrics;
}

/** A window's env range: observations reach `window − 1` bars back; decisions `from..to`, the last filled at `to + 1`. */
function evaluationRange(ctx: PpoContext, s: number, from: number, to: number, what: string): IndexRange {
  const { bars } = ctx.symbols[s]!;
  const start = from - ctx.model.env.window + 1;
  if (start < 0)
    throw new NotEnoughDataError(
      `${bars.symbol} bars before the ${what} window (the observation window)`,
      ctx.model.env.window - 1,
      from,
    );
  if (to + 2 > bars.time.length)
    throw new ValidationError(`${bars.symbol} ${what} window`, [
      { row: to, reason: 'the last decision bar is the last bar: there is no next open to fill at' },
    ]);
  return { start, end: to + 2 };
}

/** Agents of seeds `seed … seed + seeds − 1` trained on `trainRows`, and the median-Sharpe one on `selectionRows`. */
async function trainAndChoose(
  ctx: PpoContext,
  trainRows: ArrayLike<number>,
  selectionRows: ArrayLike<number>,
  phase: string,
  onProgress: ProgressCallback,
): Promise<{
  spec: PpoEnvSpec;
  observations: Float64Array[];
  agents: PPO[];
  selectionSharpe: number[];
  chosen: number;
}> {
  const { model } = ctx;
  const scaler = ppoStandardization(ctx.data, trainRows);
  const spec = envSpecOf(ctx, scaler);
  const observations = ctx.symbols.map(({ bars, columns }) =>
    standardizedFeatureRows(scaler, columns, 0, bars.time.length, spec.clipObservation),
  );
  const trainSpans = symbolSpans(ctx.data, trainRows);
  const trainable = trainSpans.flatMap((span, s) => (span ? [{ s, span }] : []));
  if (model.params.numEnvs < trainable.length)
    throw new ConfigError('strategy model', [
      {
        field: 'model.params.numEnvs',
        reason: `${model.params.numEnvs} training envs for ${trainable.length} symbols: give at least one env per symbol`,
      },
    ]);
  const trainEnv = (i: number) => {
    const { s, span } = trainable[i % trainable.length]!;
    return tradingEnv(
      ctx,
      spec,
      ctx.symbols[s]!.bars,
      observations[s]!,
      { start: span.first, end: span.last + 1 },
      true,
    );
  };
  // One deterministic pass over the held-out rows (observations reach back into the training
  // rows; no decision on the last held-out bar, whose fill would be a later bar), or with none
  // held out, over the agents' own training windows.
  const held = selectionRows.length > 0;
  const selectionSpans = symbolSpans(ctx.data, held ? selectionRows : trainRows);
  const selectionEnv = (s: number, span: BarSpan) =>
    tradingEnv(
      ctx,
      spec,
      ctx.symbols[s]!.bars,
      observations[s]!,
      held
        ? { start: evaluationRange(ctx, s, span.first, span.last, 'validation').start, end: span.last + 1 }
        : { start: span.first, end: span.last + 1 },
      false,
    );
  const agents: PPO[] = [];
  const selectionSharpe: number[] = [];
  for (let k = 0; k < model.seeds; k++) {
    const agent = new PPO({ env: trainEnv, config: ppoAgentConfig(model.params, ctx.seed + k) });
    await agent.learn({ totalTimesteps: model.totalTimesteps });
    agents.push(agent);
    const runs = selectionSpans.flatMap((span, s) => {
      if (!span) return [];
      const run = runPolicy(selectionEnv(s, span), agentAct(agent), ctx.actions.length);
      return [{ bars: ctx.symbols[s]!.bars, barIndex: run.barIndex, positions: run.positions }];
    });
    selectionSharpe.push(policyMetrics(ctx, runs).sharpe);
    onProgress({ phase, done: k + 1, total: model.seeds, detail: { seed: ctx.seed + k } });
  }
  return { spec, observations, agents, selectionSharpe, chosen: medianIndex(selectionSharpe) };
}

/**
 * Index of the median value (the lower median for an even count; NaN ranks lowest; ties by
 * index). The median, not the best: the best of several seeds on in-sample rows is the luckiest,
 * and its luck does not carry over; the median agent is the representative one.
 */
export function medianIndex(values: readonly number[]): number {
  const key = (v: number) => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v);
  const order = values.map((_, k) => k).sort((a, b) => key(values[a]!) - key(values[b]!) || a - b);
  return order[Math.floor((order.length - 1) / 2)]!;
}

/** Concatenates per-fold runs of each symbol in fold order. */
function stitch(ctx: PpoContext, perFold: ReadonlyArray<ReadonlyArray<PolicyRun | undefined>>): PositionSeries[] {
  return ctx.symbols.map(({ bars }, s) => {
    const runs = perFold.flatMap((fold) => (fold[s] ? [fold[s]] : []));
    return {
      bars,
      barIndex: Int32Array.from(runs.flatMap((r) => Array.from(r.barIndex))),
      positions: Float64Array.from(runs.flatMap((r) => Array.from(r.positions))),
    };
  });
}

const seriesOf = (ctx: PpoContext, runs: ReadonlyArray<PolicyRun | undefined>): PositionSeries[] =>
  runs.flatMap((run, s) => (run ? [{ bars: ctx.symbols[s]!.bars, ...run }] : []));

/**
 * The walk-forward of a PPO strategy (`model.kind: ppo`). For each fold: the strategy's features
 * standardised with the fold's training rows only (all symbols pooled), `model.seeds` agents
 * (seed k = strategy seed + k) trained in `TradingEnv`s over each symbol's training window (env
 * i on symbol i mod symbols, random episode starts), the median-Sharpe agent on the fold's
 * validation rows (its training rows when none are held out) chosen as the fold's model, then
 * every agent run once, deterministically, over each symbol's test window from flat. The
 * position after each decision is the out-of-sample position (decided at the close, filled at
 * the next open: a vectorized backtest of the positions reproduces the env's equity). Buy-and-hold
 * and a seeded random policy run over the same windows.
 */
export async function runPpoFolds(
  config: StrategyConfig,
  data: StrategyDataset,
  splits: readonly Split[],
  onProgress: ProgressCallback = () => {},
): Promise<PpoFolds> {
  const ctx = ppoContext(config, data);
  const { model } = ctx;
  const numActions = ctx.actions.length;
  const longAction = model.env.actionScheme === 'holdBuySell' ? 1 : numActions - 1;
  const chosenRuns: Array<Array<PolicyRun | undefined>> = [];
  const seedRuns: Array<Array<Array<PolicyRun | undefined>>> = Array.from({ length: model.seeds }, () => []);
  const holdRuns: Array<Array<PolicyRun | undefined>> = [];
  const randomRuns: Array<Array<Array<PolicyRun | undefined>>> = Array.from({ length: model.randomRuns }, () => []);
  const folds: PpoFoldResult[] = [];
  const models: PpoAgentArtifacts[] = [];
  for (const [f, split] of splits.entries()) {
    const trainRows = rangesToIndices(split.train);
    const validationRows = split.validation ? rangesToIndices(split.validation) : new Uint32Array(0);
    const testRows = rangesToIndices(split.test);
    const trained = await trainAndChoose(
      ctx,
      trainRows,
      validationRows,
      `ppo fold ${f + 1}/${splits.length}`,
      onProgress,
    );
    const testSpans = symbolSpans(data, testRows);
    const testEnv = (s: number) => {
      const span = testSpans[s]!;
      const range = evaluationRange(ctx, s, span.first, span.last, 'test');
      return tradingEnv(ctx, trained.spec, ctx.symbols[s]!.bars, trained.observations[s]!, range, false);
    };
    const overSymbols = (act: (s: number) => Parameters<typeof runPolicy>[1]) =>
      testSpans.map((span, s) => (span ? runPolicy(testEnv(s), act(s), numActions) : undefined));

    const agentRuns = trained.agents.map((agent) => overSymbols(() => agentAct(agent)));
    agentRuns.forEach((runs, k) => {
      seedRuns[k]!.push(runs);
    });
    chosenRuns.push(agentRuns[trained.chosen]!);
    const hold = overSymbols(() => () => ({ action: longAction }));
    holdRuns.push(hold);
    const random = randomRuns.map((perRun, r) => {
      const rng = new Rng(config.seed).child(`random policy ${f}.${r}`);
      const runs = overSymbols(() => () => ({ action: rng.int(numActions) }));
      perRun.push(runs);
      return policyMetrics(ctx, seriesOf(ctx, runs));
    });
    const seeds = trained.agents.map((_, k) => ({
      seed: config.seed + k,
      selectionSharpe: trained.selectionSharpe[k]!,
      oos: policyMetrics(ctx, seriesOf(ctx, agentRuns[k]!)),
    }));
    folds.push({
      fold: f,
      trainRows: trainRows.length,
      validationRows: validationRows.length,
      testRows: testRows.length,
      testStart: data.dataset.time[testRows[0]!]!,
      testEnd: data.dataset.time[testRows[testRows.length - 1]!]!,
      seeds,
      chosenSeed: config.seed + trained.chosen,
      agent: seeds[trained.chosen]!.oos,
      spread: spreadOf(seeds.map((s) => s.oos)),
      buyAndHold: policyMetrics(ctx, seriesOf(ctx, hold)),
      random: meanMetrics(random),
    });
    models.push({
      seed: config.seed + trained.chosen,
      agent: trained.agents[trained.chosen]!.toJSON(),
      envSpec: trained.spec,
    });
  }

  const chosen = stitch(ctx, chosenRuns);
  const signals: SymbolSignals[] = [];
  ctx.symbols.forEach(({ bars }, s) => {
    const series = chosen[s]!;
    if (series.barIndex.length === 0) return;
    const fold = chosenRuns.flatMap((runs, f) => Array.from({ length: runs[s]?.barIndex.length ?? 0 }, () => f));
    const probabilities = chosenRuns.flatMap((runs) => Array.from(runs[s]?.probabilities ?? []));
    signals.push({
      symbol: bars.symbol,
      time: Float64Array.from(series.barIndex, (i) => bars.time[i]!),
      proba: Float64Array.from(probabilities),
      positions: Float64Array.from(series.positions),
      fold: Int32Array.from(fold),
      close: Float64Array.from(series.barIndex, (i) => bars.close[i]!),
    });
  });
  return {
    signals,
    actions: ctx.actions,
    folds,
    oos: {
      agent: policyMetrics(ctx, chosen),
      buyAndHold: policyMetrics(ctx, stitch(ctx, holdRuns)),
      random: meanMetrics(randomRuns.map((runs) => policyMetrics(ctx, stitch(ctx, runs)))),
      seedSpread: spreadOf(seedRuns.map((runs) => policyMetrics(ctx, stitch(ctx, runs)))),
    },
    models,
  };
}

/**
 * The deployable PPO agent: trained on every dataset row but the newest ones, which are held out
 * to choose the seed (as many as the last walk-forward fold's validation rows, like the other
 * models' early stopping; with none, the agents are compared on their training rows). Returns
 * the agent's JSON and the env spec `predictPpo` rebuilds observations with.
 */
export async function trainFinalPpo(
  config: StrategyConfig,
  data: StrategyDataset,
  onProgress: ProgressCallback = () => {},
): Promise<FinalPpo> {
  const ctx = ppoContext(config, data);
  const splits = strategySplits(config, data.dataset);
  const lastValidation = splits[splits.length - 1]!.validation;
  const holdout = lastValidation ? rangesToIndices(lastValidation).length : 0;
  const n = data.dataset.time.length;
  const cut = n - holdout;
  const trainRows = rangesToIndices([{ start: 0, end: cut }]);
  const selectionRows = holdout > 0 ? rangesToIndices([{ start: cut, end: n }]) : new Uint32Array(0);
  const trained = await trainAndChoose(ctx, trainRows, selectionRows, 'ppo final model', onProgress);
  return {
    seed: config.seed + trained.chosen,
    agent: trained.agents[trained.chosen]!.toJSON(),
    envSpec: trained.spec,
    trainRows: cut,
    validationRows: holdout,
    seeds: trained.selectionSharpe.map((selectionSharpe, k) => ({ seed: config.seed + k, selectionSharpe })),
  };
}
