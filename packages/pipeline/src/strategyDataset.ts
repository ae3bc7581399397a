import { type Bars, type Dataset, NotEnoughDataError } from '@candlelab/core';
import { resample } from '@candlelab/data';
import { buildMultiSymbolDataset, type FeatureSet, type RowReport, standardFeatureSet } from '@candlelab/features';
import { classLabels, type LabelClasses } from '@candlelab/labels';
import type { StrategyConfig } from './strategyConfig.js';

/** The feature set a strategy names: the standard preset (with its higher timeframes) or its own set. */
export function strategyFeatureSet(config: StrategyConfig): FeatureSet {
  const { features } = config;
  if (!('preset' in features)) return features;
  return standardFeatureSet(features.higherTimeframes ? { higherTimeframes: features.higherTimeframes } : {});
}

/** The bars a strategy trains on: as loaded, or resampled to `data.resample` (completed buckets only). */
export function strategyBars(config: StrategyConfig, loaded: Bars): Bars {
  return config.data.resample === undefined ? loaded : resample(loaded, config.data.resample, { partial: 'drop' }).bars;
}

export interface StrategyDataset {
  /** Rows of every symbol in time order (ties by symbol index); `symbolIndex` says whose. */
  dataset: Dataset;
  /** Bar index (in that symbol's bars) of each dataset row. */
  barIndex: Int32Array;
  /** Each symbol's bars, in the order of `dataset.symbols`. */
  bars: Bars[];
  /** One row report per symbol (every dropped row counted by reason). */
  reports: RowReport[];
  /** What the classes mean (the same for every symbol). */
  labels: LabelClasses;
}

/** The smallest dataset the trainer accepts. */
export const MIN_TRAINING_ROWS = 100;

/**
 * Labels each symbol's bars and builds one dataset over all symbols with features' multi-symbol
 * builder (features never mix symbols; rows interleave by time so splits and purging work across
 * symbols). Throws `NotEnoughDataError` below `MIN_TRAINING_ROWS` (100) rows.
 */
export function buildStrategyDataset(
  config: StrategyConfig,
  barsBySymbol: readonly Bars[],
  featureSet: FeatureSet = strategyFeatureSet(config),
): StrategyDataset {
  const labelled = barsBySymbol.map((bars) => ({ bars, labels: classLabels(bars, config.labels) }));
  const built = buildMultiSymbolDataset(
    labelled.map(({ bars, labels }) => ({
      bars,
      labels: { label: labels.y, labelEnd: labels.labelEnd, weight: labels.weight },
    })),
    featureSet,
  );
  if (built.dataset.y.length < MIN_TRAINING_ROWS)
    throw new NotEnoughDataError(
      'training rows after warm-up and label drops',
      MIN_TRAINING_ROWS,
      built.dataset.y.length,
    );
  const { numClasses, classes, upClass, downClass } = labelled[0]!.labels;
  return {
    dataset: built.dataset,
    barIndex: built.rows,
    bars: [...barsBySymbol],
    reports: built.reports,
    labels: { numClasses, classes, upClass, downClass },
  };
}
