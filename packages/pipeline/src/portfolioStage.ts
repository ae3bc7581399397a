import { backtestReport, weightsBacktest } from '@candlelab/backtest';
import {
  type Bars,
  ConfigError,
  lowerBound,
  type MarketCalendar,
  ModelFormatError,
  NotEnoughDataError,
  type ProgressCallback,
  Rng,
  sliceBars,
} from '@candlelab/core';
import { PortfolioEnv, portfolioObservation, type RebalancePrices, rebalanceStep, softmax } from '@candlelab/env';
import { PPO, type PpoModelJson } from '@candlelab/ppo';
import { type FoldWindow, rangesToIndices, type Split } from '@candlelab/validation';
import { z } from 'zod';
import {
  type BacktestMetrics,
  backtestMetrics,
  buyAndHoldMetrics,
  type StrategyBacktest,
  type SymbolSignals,
  strategyCalendar,
} from './backtestStage.js';
import { type PortfolioPpoModelConfig, portfolioPpoModelConfig, ppoAgentConfig } from './ppoModelConfig.js';
import { medianIndex, type PpoPolicyMetrics } from './ppoStage.js';
import type { StrategyConfig } from './strategyConfig.js';
import type { StrategyDataset } from './strategyDataset.js';
import { strategySplits } from './strategySplits.js';

const SPEC_KIND = 'candlelab.ppo-portfolio-env';
const SPEC_VERSION = 1;

/** What a stored portfolio agent needs besides its weights: its symbols (in action order), window and cost. */
export const PortfolioEnvSpecSchema = z
  .object({
    kind: z.literal(SPEC_KIND),
    version: z.literal(SPEC_VERSION),
    symbols: z.array(z.string()).min(1),
    window: z.number().int().positive(),
    /** (fees + slippage) as a fraction of the traded part of the portfolio. */
    turnoverCost: z.number().min(0).lt(1),
  })
  .strict();

export type PortfolioEnvSpec = z.infer<typeof PortfolioEnvSpecSchema>;

/** Parses a stored portfolio env spec; anything malformed is a `ModelFormatError` naming the field. */
export function parsePortfolioEnvSpec(json: unknown): PortfolioEnvSpec {
  const parsed = PortfolioEnvSpecSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelFormatError(`portfolio env spec: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Names of the allocator's weights: one per symbol, then cash (the columns of its predictions). */
export const portfolioColumns = (symbols: readonly string[]): string[] => [...symbols.map((s) => `w_${s}`), 'w_cash'];

/** The symbols' bars cut to the times all of them have (the portfolio env needs one clock). */
export function commonTimeBars(bars: readonly Bars[]): Bars[] {
  const counts = new Map<number, number>();
  for (const b of bars) for (const t of b.time) counts.set(t, (counts.get(t) ?? 0) + 1);
  return bars.map((b) => {
    const keep: number[] = [];
    b.time.forEach((t, i) => {
      if (counts.get(t) === bars.length) keep.push(i);
    });
    if (keep.length === b.time.length) return b;
    const pick = (column: Float64Array) => Float64Array.from(keep, (i) => column[i]!);
    return {
      ...b,
      time: pick(b.time),
      open: pick(b.open),
      high: pick(b.high),
      low: pick(b.low),
      close: pick(b.close),
      volume: pick(b.volume),
    };
  });
}

/** An allocator's decisions: decision bars and, per bar, the target weights (row-major, symbols then cash). */
export interface PortfolioDecisions {
  barIndex: Int32Array;
  weights: Float64Array;
}

/**
 * An allocator acting bar by bar as `PortfolioEnv` evaluates it: from all cash, {@link decide} at
 * bar t observes the log returns up to close t and the drifted weights held, and softmaxes the
 * deterministic action (the Gaussian mean) into target weights; {@link rebalance} then moves the
 * held weights through bar t+1 with `rebalanceStep` — the env's own step. The walk-forward
 * evaluation, `predict` and the live server all step it, so they agree bit for bit.
 */
export class PortfolioAllocator {
  readonly spec: PortfolioEnvSpec;
  readonly policy: PPO;
  /** Weights held (assets then cash), drifted by the last bar's prices. */
  readonly held: Float64Array;
  readonly #target: Float64Array;

  constructor(agent: PPO | PpoModelJson, envSpec: unknown) {
    const spec = parsePortfolioEnvSpec(envSpec);
    const policy = agent instanceof PPO ? agent : PPO.fromJSON(agent);
    const m = spec.symbols.length;
    if (policy.observationSpace.size !== spec.window * m + m + 1 || policy.actionSpace.kind !== 'box')
      throw new ModelFormatError(`portfolio agent: does not match its env spec (${m} symbols, window ${spec.window})`);
    this.spec = spec;
    this.policy = policy;
    this.held = new Float64Array(m + 1);
    this.#target = new Float64Array(m + 1);
    this.reset();
  }

  /** Back to all cash, no decision taken. */
  reset(): void {
    this.held.fill(0);
    this.held[this.spec.symbols.length] = 1;
    this.#target.fill(0);
  }

  /** Target weights at bar t (needs `window` bars before it); a view valid until the next decision. */
  decide(assets: readonly RebalancePrices[], t: number): Float64Array {
    const action = this.policy.predict(portfolioObservation(assets, t, this.spec.window, this.held)).action;
    return softmax(action as Float64Array, this.#target);
  }

  /** The held weights through bar t+1 after rebalancing at its open to the last decision's targets. */
  rebalance(assets: readonly RebalancePrices[], t: number): void {
    rebalanceStep(assets, t, this.held, this.#target, this.spec.turnoverCost);
  }
}

/**
 * THE allocator loop, used by the walk-forward evaluation and by `predict`: from all cash at bar
 * `from`, each bar t < `end` decides, and (when bar t+1 is inside `end`) rebalances
 * ({@link PortfolioAllocator}). Reads bars < `end` only.
 */
export function portfolioDecisions(
  allocator: PortfolioAllocator,
  assets: readonly Bars[],
  from: number,
  end: number,
): PortfolioDecisions {
  const { window, symbols } = allocator.spec;
  if (from < window)
    throw new NotEnoughDataError('bars before the first allocator decision (the return window)', window + 1, from + 1);
  const width = symbols.length + 1;
  allocator.reset();
  const rows = end - from;
  const weights = new Float64Array(rows * width);
  for (let t = from; t < end; t++) {
    weights.set(allocator.decide(assets, t), (t - from) * width);
    if (t + 1 < end) allocator.rebalance(assets, t);
  }
  return { barIndex: Int32Array.from({ length: rows }, (_, i) => from + i), weights };
}

/**
 * The live path of a portfolio allocator: the symbols' bars (cut to common times, the last bar
 * decided on), the agent replayed from all cash over the last `replayBars` bars (default the
 * training episode length, 512) or from bar `from`, and the target weights of the last bar.
 */
export function predictPortfolio(
  agent: PPO | PpoModelJson,
  envSpec: unknown,
  assets: readonly Bars[],
  options: { from?: number; replayBars?: number } = {},
): { time: number; weights: Float64Array; columns: string[] } {
  const allocator = new PortfolioAllocator(agent, envSpec);
  const { spec } = allocator;
  const m = spec.symbols.length;
  const symbols = assets.map((a) => a.symbol);
  if (symbols.join('\n') !== spec.symbols.join('\n'))
    throw new ConfigError('portfolio predict', [
      { field: 'assets', reason: `expected the agent's symbols in order: ${spec.symbols.join(', ')}` },
    ]);
  const n = assets[0]!.time.length;
  const from = options.from ?? Math.max(spec.window, n - (options.replayBars ?? 512));
  const { weights } = portfolioDecisions(allocator, assets, from, n);
  return {
    time: assets[0]!.time[n - 1]!,
    weights: weights.slice(weights.length - (m + 1)),
    columns: portfolioColumns(symbols),
  };
}

/** One walk-forward fold of a portfolio strategy. */
export interface PortfolioFoldResult extends FoldWindow {
  chosenSeed: number;
  seeds: Array<{ seed: number; selectionSharpe: number }>;
  agent: PpoPolicyMetrics;
  equalWeight: PpoPolicyMetrics;
  random: PpoPolicyMetrics;
}

export interface PortfolioFolds {
  /** Per symbol: its target weight as the position, every weight (symbols, cash) as `proba`. */
  signals: SymbolSignals[];
  columns: string[];
  folds: PortfolioFoldResult[];
  /** The stitched out-of-sample windows: the agent, equal weights rebalanced every bar, random weights. */
  oos: { agent: PpoPolicyMetrics; equalWeight: PpoPolicyMetrics; random: PpoPolicyMetrics };
  /** The strategy backtest of the stitched weights (one portfolio; no per-symbol sections). */
  backtest: StrategyBacktest;
  /** Each fold's chosen agent, its env spec and the bar its test window starts at (in `assets`). */
  models: Array<{ seed: number; agent: PpoModelJson; envSpec: PortfolioEnvSpec; testFrom: number }>;
  /** The symbols' bars on their common clock (what the agents act on). */
  assets: Bars[];
}

interface Context {
  config: StrategyConfig;
  model: PortfolioPpoModelConfig;
  assets: Bars[];
  spec: PortfolioEnvSpec;
  calendar: MarketCalendar;
  annualization: { timeframe: string; calendar: MarketCalendar };
}

function contextOf(config: StrategyConfig, data: StrategyDataset): Context {
  const model = portfolioPpoModelConfig(config);
  const assets = commonTimeBars(data.bars);
  const calendar = strategyCalendar(config, data.bars);
  return {
    config,
    model,
    assets,
    calendar,
    annualization: { timeframe: config.data.resample ?? config.data.timeframe, calendar },
    spec: {
      kind: SPEC_KIND,
      version: SPEC_VERSION,
      symbols: assets.map((a) => a.symbol),
      window: model.env.window,
      turnoverCost: (config.backtest.feesBps + config.backtest.slippageBps) / 10_000,
    },
  };
}

/** The common-clock bars `[first, last]` that dataset rows cover. */
function barSpan(ctx: Context, data: StrategyDataset, rows: ArrayLike<number>): { first: number; last: number } {
  const time = ctx.assets[0]!.time;
  const t0 = data.dataset.time[rows[0]!]!;
  const t1 = data.dataset.time[rows[rows.length - 1]!]!;
  const last = Math.min(lowerBound(time, t1 + 1) - 1, time.length - 2);
  return { first: lowerBound(time, t0), last };
}

interface WeightsRun {
  metrics: PpoPolicyMetrics;
  backtest: BacktestMetrics;
  equity: Float64Array;
  returns: Float64Array;
  exposure: Float64Array;
  time: Float64Array;
}

/** Backtests target weights decided at bars `from … from + rows − 1` (filled at each next open) with `weightsBacktest`. */
function backtestWeights(ctx: Context, from: number, weights: Float64Array): WeightsRun {
  const width = ctx.assets.length + 1;
  const rows = weights.length / width;
  const window = ctx.assets.map((a) => sliceBars(a, from, from + rows + 1));
  const targets = new Float64Array((rows + 1) * width);
  targets.set(weights);
  const run = weightsBacktest(window, targets, {
    feesBps: ctx.config.backtest.feesBps,
    slippageBps: ctx.config.backtest.slippageBps,
  });
  const report = backtestReport(
    { initialCash: 1, equity: run.equity, returns: run.returns, exposure: run.exposure },
    ctx.annualization,
  );
  const backtest = backtestMetrics(report);
  // A rebalance that moves more than 1% of the portfolio counts as a trade.
  const trades = run.turnover.reduce((count, x) => count + (x > 0.01 ? 1 : 0), 0);
  return {
    metrics: {
      sharpe: backtest.sharpe,
      winRate: backtest.winRate,
      totalReturn: backtest.totalReturn,
      maxDrawdown: backtest.maxDrawdown,
      trades,
    },
    backtest: { ...backtest, trades },
    equity: run.equity,
    returns: run.returns,
    exposure: run.exposure,
    time: window[0]!.time,
  };
}

const equalWeights = (m: number, rows: number) => {
  const out = new Float64Array(rows * (m + 1));
  for (let i = 0; i < rows; i++) for (let k = 0; k < m; k++) out[i * (m + 1) + k] = 1 / m;
  return out;
};

function randomWeights(rng: Rng, m: number, rows: number): Float64Array {
  const out = new Float64Array(rows * (m + 1));
  const logits = new Float64Array(m + 1);
  const row = new Float64Array(m + 1);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k <= m; k++) logits[k] = rng.normal();
    out.set(softmax(logits, row), i * (m + 1));
  }
  return out;
}

function meanOf(runs: readonly PpoPolicyMetrics[]): PpoPolicyMetrics {
  const mean = (key: keyof PpoPolicyMetrics) => runs.reduce((sum, r) => sum + r[key], 0) / runs.length;
  return {
    sharpe: mean('sharpe'),
    winRate: mean('winRate'),
    totalReturn: mean('totalReturn'),
    maxDrawdown: mean('maxDrawdown'),
    trades: mean('trades'),
  };
}

/** Agents of seeds `seed … seed + seeds − 1` trained on bars `train`, and the median-Sharpe one on bars `selection`. */
async function trainAndChoose(
  ctx: Context,
  train: { first: number; last: number },
  selection: { first: number; last: number },
  phase: string,
  onProgress: ProgressCallback,
): Promise<{ agents: PPO[]; selectionSharpe: number[]; chosen: number }> {
  const { model, spec, assets } = ctx;
  const agents: PPO[] = [];
  const selectionSharpe: number[] = [];
  for (let k = 0; k < model.seeds; k++) {
    const agent = new PPO({
      env: () =>
        new PortfolioEnv({
          assets,
          window: spec.window,
          turnoverCost: spec.turnoverCost,
          range: { start: Math.max(0, train.first - spec.window), end: train.last + 1 },
          episodeLength: model.env.episodeLength,
        }),
      config: ppoAgentConfig(model.params, ctx.config.seed + k),
    });
    await agent.learn({ totalTimesteps: model.totalTimesteps });
    agents.push(agent);
    const from = Math.max(spec.window, selection.first);
    const decisions = portfolioDecisions(new PortfolioAllocator(agent, spec), assets, from, selection.last + 1);
    selectionSharpe.push(backtestWeights(ctx, from, decisions.weights).metrics.sharpe);
    onProgress({ phase, done: k + 1, total: model.seeds, detail: { seed: ctx.config.seed + k } });
  }
  return { agents, selectionSharpe, chosen: medianIndex(selectionSharpe) };
}

/**
 * The walk-forward of a portfolio allocator (`model.kind: ppo`, `env.kind: portfolio`): per fold,
 * `seeds` agents trained in `PortfolioEnv`s over the fold's training bars (random episode
 * starts), the median-Sharpe one on the validation bars (its training bars without any) kept,
 * then run once from all cash over the test window ({@link portfolioDecisions}). The stitched
 * weights are backtested with `@candlelab/backtest`'s `weightsBacktest` (next-open rebalances,
 * fees + slippage on turnover) beside equal weights and random weights on the same bars.
 */
export async function runPortfolioFolds(
  config: StrategyConfig,
  data: StrategyDataset,
  splits: readonly Split[],
  onProgress: ProgressCallback = () => {},
): Promise<PortfolioFolds> {
  const ctx = contextOf(config, data);
  const { assets, spec } = ctx;
  const m = assets.length;
  const width = m + 1;
  const folds: PortfolioFoldResult[] = [];
  const models: PortfolioFolds['models'] = [];
  const decided: Array<{ fold: number; from: number; weights: Float64Array }> = [];
  for (const [f, split] of splits.entries()) {
    const trainRows = rangesToIndices(split.train);
    const validationRows = split.validation ? rangesToIndices(split.validation) : new Uint32Array(0);
    const testRows = rangesToIndices(split.test);
    const train = barSpan(ctx, data, trainRows);
    const selection = validationRows.length > 0 ? barSpan(ctx, data, validationRows) : train;
    const test = barSpan(ctx, data, testRows);
    const trained = await trainAndChoose(
      ctx,
      train,
      selection,
      `ppo portfolio fold ${f + 1}/${splits.length}`,
      onProgress,
    );
    const agent = trained.agents[trained.chosen]!;
    const { weights } = portfolioDecisions(new PortfolioAllocator(agent, spec), assets, test.first, test.last + 1);
    decided.push({ fold: f, from: test.first, weights });
    const rows = test.last - test.first + 1;
    const rng = new Rng(config.seed).child(`random weights ${f}`);
    folds.push({
      fold: f,
      trainRows: trainRows.length,
      validationRows: validationRows.length,
      testRows: testRows.length,
      testStart: assets[0]!.time[test.first]!,
      testEnd: assets[0]!.time[test.last]!,
      chosenSeed: config.seed + trained.chosen,
      seeds: trained.selectionSharpe.map((selectionSharpe, k) => ({ seed: config.seed + k, selectionSharpe })),
      agent: backtestWeights(ctx, test.first, weights).metrics,
      equalWeight: backtestWeights(ctx, test.first, equalWeights(m, rows)).metrics,
      random: meanOf(
        Array.from(
          { length: ctx.model.randomRuns },
          () => backtestWeights(ctx, test.first, randomWeights(rng, m, rows)).metrics,
        ),
      ),
    });
    models.push({ seed: config.seed + trained.chosen, agent: agent.toJSON(), envSpec: spec, testFrom: test.first });
  }

  // Stitch the folds' decisions on the common clock (bars between test windows, if any, stay in cash).
  const first = decided[0]!.from;
  const lastDecided = decided[decided.length - 1]!;
  const rows = lastDecided.from + lastDecided.weights.length / width - first;
  const stitched = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) stitched[i * width + m] = 1;
  const foldOf = new Int32Array(rows).fill(-1);
  for (const d of decided) {
    stitched.set(d.weights, (d.from - first) * width);
    foldOf.fill(d.fold, d.from - first, d.from - first + d.weights.length / width);
  }
  const agentRun = backtestWeights(ctx, first, stitched);
  const equalRun = backtestWeights(ctx, first, equalWeights(m, rows));
  const rng = new Rng(config.seed).child('random weights, stitched');
  const random = meanOf(
    Array.from(
      { length: ctx.model.randomRuns },
      () => backtestWeights(ctx, first, randomWeights(rng, m, rows)).metrics,
    ),
  );
  const decidedAt = Array.from({ length: rows }, (_, i) => i).filter((i) => foldOf[i]! >= 0);
  const signals: SymbolSignals[] = assets.map((bars, k) => ({
    symbol: bars.symbol,
    time: Float64Array.from(decidedAt, (i) => bars.time[first + i]!),
    proba: Float64Array.from(decidedAt.flatMap((i) => Array.from(stitched.subarray(i * width, i * width + width)))),
    positions: Float64Array.from(decidedAt, (i) => stitched[i * width + k]!),
    fold: Int32Array.from(decidedAt, (i) => foldOf[i]!),
    close: Float64Array.from(decidedAt, (i) => bars.close[first + i]!),
  }));
  const backtest: StrategyBacktest = {
    calendar: ctx.calendar,
    symbols: [],
    portfolio: {
      time: agentRun.time,
      returns: agentRun.returns,
      holdReturns: equalRun.returns,
      exposure: agentRun.exposure,
      equity: agentRun.equity,
      holdEquity: equalRun.equity,
      members: new Uint16Array(agentRun.time.length).fill(m),
    },
    portfolioBacktest: agentRun.backtest,
    portfolioBuyAndHold: buyAndHoldMetrics(equalRun.returns, equalRun.equity, ctx.annualization),
    trades: [],
    signals,
    oosBySymbol: new Map(),
  };
  return {
    signals,
    columns: portfolioColumns(spec.symbols),
    folds,
    oos: { agent: agentRun.metrics, equalWeight: equalRun.metrics, random },
    backtest,
    models,
    assets,
  };
}

/**
 * The deployable allocator: trained on every dataset row but the newest ones, held out to choose
 * the seed (as many as the last fold's validation rows; with none, its training bars).
 */
export async function trainFinalPortfolio(
  config: StrategyConfig,
  data: StrategyDataset,
  onProgress: ProgressCallback = () => {},
): Promise<{ seed: number; agent: PpoModelJson; envSpec: PortfolioEnvSpec }> {
  const ctx = contextOf(config, data);
  const splits = strategySplits(config, data.dataset);
  const lastValidation = splits[splits.length - 1]!.validation;
  const holdout = lastValidation ? rangesToIndices(lastValidation).length : 0;
  const n = data.dataset.time.length;
  const cut = n - holdout;
  const train = barSpan(ctx, data, rangesToIndices([{ start: 0, end: cut }]));
  const selection = holdout > 0 ? barSpan(ctx, data, rangesToIndices([{ start: cut, end: n }])) : train;
  const trained = await trainAndChoose(ctx, train, selection, 'ppo portfolio final model', onProgress);
  return { seed: config.seed + trained.chosen, agent: trained.agents[trained.chosen]!.toJSON(), envSpec: ctx.spec };
}
