import type { ClassMeaning, PositionRule } from '@candlelab/backtest';
import { type Classifier, ModelFormatError, type Timeframe } from '@candlelab/core';
import type { FeatureSet } from '@candlelab/features';
import type { LabelClasses, LabelSpec } from '@candlelab/labels';
import {
  loadStrategyModel,
  modelSymbols,
  PREDICTIONS_FILE,
  type SizingAllocator,
  type StrategyConfig,
} from '@candlelab/pipeline';
import type { Manifest, ModelStore } from '@candlelab/registry';
import { backtestTradeReturns } from './livePerformance.js';

/** A registry model ready to predict live: its classifier (and a hybrid's allocator) and what it was trained and backtested with. */
export interface ServedModel {
  id: string;
  manifest: Manifest;
  /** The strategy stored with the model (`config.yaml`), parsed. */
  strategy: StrategyConfig;
  classifier: Classifier;
  /** Class names and which index means up / down. */
  classes: LabelClasses & ClassMeaning;
  featureSet: FeatureSet;
  /** A hybrid strategy's sizing allocator (`sizing:`): its position is the entry direction × the allocator's size. */
  sizing?: SizingAllocator;
  /** The strategy's backtest section: the one probability → position rule and the costs. */
  rule: PositionRule & { feesBps: number; slippageBps: number };
  /** Bars after which a prediction's outcome is recorded. */
  horizonBars: number;
  metrics: Record<string, number>;
  /** Round-trip returns of its out-of-sample backtest per symbol (from `oos_predictions.csv`; empty when absent). */
  backtestTrades: Record<string, number[]>;
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
 * position rule are exactly those it was trained and backtested with. The server serves
 * classifiers, alone or sized by a hybrid's PPO allocator (`sizing:`); a PPO agent (`model.kind: ppo`)
 * is refused with a `ModelFormatError`.
 */
export async function loadServedModel(
  store: ModelStore,
  id: string,
  outcomeHorizonBars?: number,
): Promise<ServedModel> {
  const model = await loadStrategyModel(store, id);
  if (model.kind !== 'classifier')
    throw new ModelFormatError(
      `${model.id}: a PPO ${model.env} agent (model.kind: ppo) cannot be served yet: the server serves classifiers and hybrid (sizing: ppo) models; use \`candlelab predict\` for this model`,
    );
  const oos = model.extraFiles[PREDICTIONS_FILE];
  const csv = oos ? new TextDecoder().decode(oos) : '';
  const costBps = model.rule.feesBps + model.rule.slippageBps;
  const { kind, extraFiles, ...served } = model;
  return {
    ...served,
    horizonBars: outcomeHorizonBars ?? labelHorizonBars(model.strategy.labels),
    backtestTrades: Object.fromEntries(
      modelSymbols(model.manifest).map((symbol) => [symbol, backtestTradeReturns(csv, symbol, costBps)]),
    ),
  };
}
