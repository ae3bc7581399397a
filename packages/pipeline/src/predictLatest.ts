import { type ClassMeaning, decidePosition, type PositionDecision, type PositionRule } from '@candlelab/backtest';
import { type Bars, type Classifier, NotEnoughDataError, type Signal } from '@candlelab/core';
import { computeFeatures, type FeatureSet } from '@candlelab/features';

export interface LatestPrediction {
  /** Time of the bar the prediction was made on (its close is the last data used). */
  time: number;
  symbol: string;
  /** Class probabilities, in the model's class order. */
  probabilities: Float64Array;
  decision: PositionDecision;
  /** Features that are not finite on the last bar; when any, no prediction is made and the decision is a flat hold. */
  missingFeatures: string[];
  /** The decision as a `Signal` (source = the model id given). */
  signal: Signal;
}

/**
 * The live path from candles to a signal: the feature set over `bars` (only data up to the last
 * bar), the model's class probabilities for the last bar, and the one probability → position
 * rule. `candlelab predict` and `candlelab serve` call this; the trainer's backtest applies the
 * same rule to the same probabilities, so a live signal is what was backtested.
 */
export function predictLatest(
  model: Classifier,
  bars: Bars,
  featureSet: FeatureSet,
  classes: ClassMeaning,
  rule: PositionRule,
  source: string,
): LatestPrediction {
  const n = bars.time.length;
  if (n === 0) throw new NotEnoughDataError(`${bars.symbol} bars to predict on`, 1, 0);
  const { columns, names, warmups } = computeFeatures(bars, featureSet);
  const longestWarmup = Math.max(0, ...warmups);
  if (n <= longestWarmup)
    throw new NotEnoughDataError(`${bars.symbol} bars to warm up the features`, longestWarmup + 1, n);
  const last = n - 1;
  const row = Float64Array.from(columns, (column) => column[last]!);
  const missingFeatures = names.filter((_, j) => !Number.isFinite(row[j]!));
  // The trainer drops rows with a missing feature, so such a bar is flat in the backtest: flat here too.
  const probabilities =
    missingFeatures.length > 0
      ? new Float64Array(classes.numClasses).fill(Number.NaN)
      : model.predictProba({ data: row, rows: 1, cols: names.length });
  const decision = decidePosition(probabilities, classes, rule);
  return {
    missingFeatures,
    time: bars.time[last]!,
    symbol: bars.symbol,
    probabilities,
    decision,
    signal: {
      time: bars.time[last]!,
      symbol: bars.symbol,
      action: decision.action,
      confidence: Math.min(1, Math.max(0, decision.confidence)),
      source,
    },
  };
}
