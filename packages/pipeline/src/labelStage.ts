import type { Bars } from '@candlelab/core';
import { forwardReturnLabels, type LabelColumns, tripleBarrierLabels, zigzagLabels } from '@candlelab/labels';
import type { StrategyConfig } from './strategyConfig.js';

export interface ClassLabels {
  /** Class index per bar (0 … numClasses − 1), NaN = unlabeled. */
  y: Float64Array;
  labelEnd: Float64Array;
  weight: Float64Array;
  numClasses: number;
  /** Class names in index order. */
  classes: readonly string[];
  /** Index of the class that means "price goes up" (the long signal). */
  upClass: number;
  /** Index of the "down" class, when the labels have one. */
  downClass: number | undefined;
  unlabeled: LabelColumns['unlabeled'];
}

/**
 * Computes the configured labels and maps them to class indices with a fixed meaning per label
 * kind (never inferred from the data, so the same class means the same thing on every symbol):
 * forward return binary → not-up 0 / up 1, ternary → down 0 / flat 1 / up 2; ZigZag → down 0 /
 * up 1; triple barrier → stop-loss/negative 0 / vertical 1 / profit-take/positive 2.
 */
export function computeClassLabels(bars: Bars, config: StrategyConfig['labels']): ClassLabels {
  switch (config.kind) {
    case 'forwardReturn': {
      const columns = forwardReturnLabels(bars, {
        horizon: config.horizon,
        target: config.target,
        upper: config.upper,
        ...(config.lower !== undefined ? { lower: config.lower } : {}),
      });
      if (config.target === 'binary') return classes(columns, (v) => v, ['notUp', 'up'], 1, undefined);
      return classes(columns, (v) => v + 1, ['down', 'flat', 'up'], 2, 0);
    }
    case 'zigzag': {
      const columns = zigzagLabels(bars, {
        threshold: config.threshold,
        thresholdType: config.thresholdType,
        atrPeriod: config.atrPeriod,
        lookahead: config.lookahead,
        price: config.price,
      });
      return classes(columns, (v) => (v > 0 ? 1 : 0), ['down', 'up'], 1, 0);
    }
    case 'tripleBarrier': {
      const columns = tripleBarrierLabels(bars, {
        profitTake: config.profitTake,
        stopLoss: config.stopLoss,
        maxHolding: config.maxHolding,
        volatilitySpan: config.volatilitySpan,
        price: config.price,
      });
      return classes(columns, (v) => Math.sign(v) + 1, ['down', 'flat', 'up'], 2, 0);
    }
  }
}

function classes(
  columns: LabelColumns,
  toClass: (label: number) => number,
  names: readonly string[],
  upClass: number,
  downClass: number | undefined,
): ClassLabels {
  const y = columns.label.map((v) => (Number.isNaN(v) ? Number.NaN : toClass(v)));
  return {
    y,
    labelEnd: columns.labelEnd,
    weight: columns.weight,
    numClasses: names.length,
    classes: names,
    upClass,
    downClass,
    unlabeled: columns.unlabeled,
  };
}
