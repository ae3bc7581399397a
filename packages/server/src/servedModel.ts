import type { ClassMeaning, PositionRule } from '@candlelab/backtest';
import type { Classifier, Timeframe } from '@candlelab/core';
import { type FeatureSet, FeatureStream } from '@candlelab/features';
import type { LabelClasses, LabelSpec } from '@candlelab/labels';
import {
  loadStrategyModel,
  modelSymbols,
  type PortfolioEnvSpec,
  type PpoStrategyModel,
  PpoTrader,
  PREDICTIONS_FILE,
  parsePortfolioEnvSpec,
  portfolioColumns,
  type SizingAllocator,
  type StrategyConfig,
} from '@candlelab/pipeline';
import type { Manifest, ModelStore } from '@candlelab/registry';
import { backtestTradeReturns } from './livePerformance.js';

/** What every served model carries: the strategy it was trained and backtested with, and its record. */
interface ServedModelBase {
  id: string;
  manifest: Manifest;
  /** The strategy stored with the model (`config.yaml`), parsed. */
  strategy: StrategyConfig;
  featureSet: FeatureSet;
  /** The strategy's backtest section: the one probability → position rule and the costs. */
  rule: PositionRule & { feesBps: number; slippageBps: number };
  /** Bars after which a prediction's outcome is recorded. */
  horizonBars: number;
  metrics: Record<string, number>;
  /** Round-trip returns of its out-of-sample backtest per symbol (from `oos_predictions.csv`; empty when absent). */
  backtestTrades: Record<string, number[]>;
}

/** A classifier (gbdt, ensemble, nn), alone or sized by a hybrid's PPO allocator. */
export interface ServedClassifier extends ServedModelBase {
  kind: 'classifier';
  classifier: Classifier;
  /** Class names and which index means up / down. */
  classes: LabelClasses & ClassMeaning;
  /** A hybrid strategy's sizing allocator (`sizing:`): its position is the entry direction × the allocator's size. */
  sizing?: SizingAllocator;
}

/** A single-asset PPO trading agent (`model.kind: ppo`, trading env): its position is its own state, fed back bar by bar. */
export interface ServedPpoTrader extends ServedModelBase {
  kind: 'ppo';
  /** The agent with its env spec, checked against the strategy's feature names. */
  trader: PpoTrader;
  /** Action names in the order of its probabilities. */
  actions: string[];
}

/** A PPO portfolio allocator (`env: { kind: portfolio }`): target weights over its symbols and cash. */
export interface ServedAllocator extends ServedModelBase {
  kind: 'portfolio';
  /** The agent's stored weights (each loop steps its own `PortfolioAllocator` from them). */
  agent: PpoStrategyModel['agent'];
  /** The stored env spec: symbols in weight order, return window, turnover cost. */
  envSpec: PortfolioEnvSpec;
  /** Weight names (`w_<symbol>` …, `w_cash`) in the order of its probabilities. */
  columns: string[];
}

/** A registry model ready to predict live. */
export type ServedModel = ServedClassifier | ServedPpoTrader | ServedAllocator;

/** What a served model is: a classifier, a hybrid (classifier sized by a PPO allocator), a PPO trader or a portfolio allocator. */
export function servedKind(model: ServedModel): 'classifier' | 'hybrid' | 'ppo' | 'portfolio' {
  return model.kind === 'classifier' && model.sizing ? 'hybrid' : model.kind;
}

/** Names of a served model's logged probabilities, in order: classes (then a hybrid's sizes), actions, or weights. */
export function probabilityNames(model: ServedModel): string[] {
  if (model.kind === 'ppo') return model.actions;
  if (model.kind === 'portfolio') return model.columns;
  return [...model.classes.classes, ...(model.sizing?.spec.sizes.map((size) => `size_${size}`) ?? [])];
}

/** The bars a label looks ahead: forward-return `horizon`, triple-barrier `maxHolding`, 1 for zigzag. */
export function labelHorizonBars(labels: LabelSpec): number {
  if (labels.kind === 'forwardReturn') return labels.horizon;
  if (labels.kind === 'tripleBarrier') return labels.maxHolding;
  return 1;
}

/** Why a model cannot serve a series, or undefined when it can. */
export function servingMismatch(model: ServedModel, symbol: string, timeframe: Timeframe): string | undefined {
  if (!modelSymbols(model.manifest).includes(symbol)) return `trained on ${model.manifest.symbol}, not ${symbol}`;
  const { data } = model.strategy;
  if (data.resample !== undefined) return `trained on bars resampled to ${data.resample} (not served yet)`;
  if (data.timeframe !== timeframe) return `trained on ${data.timeframe} bars, not ${timeframe}`;
  return undefined;
}

/**
 * Loads a registry model for serving through the pipeline's `loadStrategyModel` (the loader
 * `candlelab predict` uses, every artifact verified by the store), so the features, labels and
 * position rule are exactly those it was trained and backtested with: a classifier (alone or
 * sized by a hybrid's allocator), a PPO trading agent or a PPO portfolio allocator.
 */
export async function loadServedModel(
  store: ModelStore,
  id: string,
  outcomeHorizonBars?: number,
): Promise<ServedModel> {
  const model = await loadStrategyModel(store, id);
  const oos = model.extraFiles[PREDICTIONS_FILE];
  const csv = oos ? new TextDecoder().decode(oos) : '';
  const costBps = model.rule.feesBps + model.rule.slippageBps;
  const base: ServedModelBase = {
    id: model.id,
    manifest: model.manifest,
    strategy: model.strategy,
    featureSet: model.featureSet,
    rule: model.rule,
    metrics: model.metrics,
    horizonBars: outcomeHorizonBars ?? labelHorizonBars(model.strategy.labels),
    backtestTrades: Object.fromEntries(
      modelSymbols(model.manifest).map((symbol) => [symbol, backtestTradeReturns(csv, symbol, costBps)]),
    ),
  };
  if (model.kind === 'classifier') {
    const { classifier, classes, sizing } = model;
    return { ...base, kind: 'classifier', classifier, classes, ...(sizing ? { sizing } : {}) };
  }
  if (model.env === 'portfolio') {
    const envSpec = parsePortfolioEnvSpec(model.envSpec);
    return {
      ...base,
      kind: 'portfolio',
      agent: model.agent,
      envSpec,
      columns: portfolioColumns(envSpec.symbols),
    };
  }
  const featureNames = new FeatureStream(model.featureSet, model.manifest.symbol, model.strategy.data.timeframe).names;
  const trader = new PpoTrader(model.agent, model.envSpec, featureNames);
  return {
    ...base,
    kind: 'ppo',
    trader,
    actions: trader.actionNames,
  };
}
