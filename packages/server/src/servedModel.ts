import type { ClassMeaning, PositionRule } from '@candlelab/backtest';
import type { Classifier, Timeframe } from '@candlelab/core';
import type { FeatureSet } from '@candlelab/features';
import { type LabelClasses, type LabelSpec, labelClasses } from '@candlelab/labels';
import { loadModel, modelSymbols, parseStrategy, type StrategyConfig, strategyFeatureSet } from '@candlelab/pipeline';
import type { Manifest, ModelStore } from '@candlelab/registry';

/** A registry model ready to predict live: its classifier and what it was trained and backtested with. */
export interface ServedModel {
  id: string;
  manifest: Manifest;
  /** The strategy stored with the model (`config.yaml`), parsed. */
  strategy: StrategyConfig;
  classifier: Classifier;
  /** Class names and which index means up / down. */
  classes: LabelClasses & ClassMeaning;
  featureSet: FeatureSet;
  /** The strategy's backtest section: the one probability → position rule and the costs. */
  rule: PositionRule & { feesBps: number; slippageBps: number };
  /** Bars after which a prediction's outcome is recorded. */
  horizonBars: number;
  metrics: Record<string, number>;
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
 * Loads a registry model for serving (every artifact verified by the store): the classifier
 * through the pipeline's `loadModel`, and its stored `config.yaml` through `parseStrategy`, so
 * the features, labels and position rule are exactly those it was trained and backtested with.
 */
export async function loadServedModel(
  store: ModelStore,
  id: string,
  outcomeHorizonBars?: number,
): Promise<ServedModel> {
  const stored = await store.load(id);
  const strategy = parseStrategy(stored.config, `${stored.manifest.id}/config.yaml`);
  const classifier = await loadModel(stored.model);
  return {
    id: stored.manifest.id,
    manifest: stored.manifest,
    strategy,
    classifier,
    classes: labelClasses(strategy.labels),
    featureSet: strategyFeatureSet(strategy),
    rule: strategy.backtest,
    horizonBars: outcomeHorizonBars ?? labelHorizonBars(strategy.labels),
    metrics: stored.metrics,
  };
}
