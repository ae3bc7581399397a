import { type Dataset, timeframeToMs } from '@candlelab/core';
import { chronologicalSplit, purgeTrain, type Split, walkForwardSplitByTime } from '@candlelab/validation';
import type { StrategyConfig } from './strategyConfig.js';

/**
 * The splits of the configured validation, purged so that no training (or early-stopping) label
 * overlaps a later held-out window. Walk-forward sizes are in bars of the training timeframe.
 */
export function strategySplits(config: StrategyConfig, dataset: Dataset): Split[] {
  const validation = config.validation;
  let splits: Split[];
  if (validation.method === 'holdout') {
    splits = [
      chronologicalSplit(dataset.time, {
        fractions: { train: validation.train, validation: validation.validation, test: validation.test },
      }),
    ];
  } else {
    const bar = timeframeToMs(config.data.resample ?? config.data.timeframe);
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
