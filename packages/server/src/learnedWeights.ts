import type { Signal } from '@candlelab/core';
import {
  type AggregatedSignal,
  aggregateSignals,
  directionLoss,
  type HedgeOptions,
  HedgeWeights,
} from '@candlelab/signals';
import type { AggregateInput, LogRecord } from './PredictionLog.js';

/** Settled aggregates in the order their outcomes became known (ties by key): the one learning order. */
export function learningOrder(settled: readonly LogRecord[]): LogRecord[] {
  return settled
    .filter((r) => r.kind === 'aggregate' && r.outcomeReturn !== null && r.outcomeKnownAt !== null)
    .sort((a, b) => a.outcomeKnownAt! - b.outcomeKnownAt! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * One learning round from a settled aggregate: every signal it saw is scored by `directionLoss`
 * against the realized return, learned as known at the outcome's time.
 */
export function learnFromOutcome(weights: HedgeWeights, aggregate: LogRecord): void {
  const inputs = aggregate.inputs ?? [];
  weights.update(
    inputs.map((input) => ({ source: input.source, loss: directionLoss(input.action, aggregate.outcomeReturn!) })),
    aggregate.outcomeKnownAt!,
  );
}

/**
 * The aggregator's learned source weights as of time `t`: Hedge updates from the outcomes of
 * aggregated signals known at or before `t`, in the order they became known. They depend on
 * nothing else (no signal, no later outcome), so a restarted server rebuilds exactly the weights
 * it had, and a decision at `t` can be re-derived from the log.
 */
export function learnedWeightsAt(records: readonly LogRecord[], t: number, options: HedgeOptions = {}): HedgeWeights {
  const weights = new HedgeWeights([], options);
  for (const aggregate of learningOrder(records)) {
    if (aggregate.outcomeKnownAt! > t) break;
    learnFromOutcome(weights, aggregate);
  }
  return weights;
}

/** Aggregation options besides the weights (the execution thresholds and the size cap). */
export interface DecideOptions {
  minConfidence: number;
  minConsensus: number;
  maxPositionSize: number;
}

/**
 * The aggregated decision over `inputs` with learned `weights`: a source the weights have not
 * learned about yet counts with the mean learned weight (1 before any learning).
 */
export function decideWithWeights(
  inputs: readonly AggregateInput[],
  symbol: string,
  weights: HedgeWeights,
  options: DecideOptions,
): AggregatedSignal {
  const record = weights.toRecord();
  const known = Object.values(record);
  const defaultWeight = known.length === 0 ? 1 : known.reduce((a, b) => a + b, 0) / known.length;
  const signals: Signal[] = inputs.map((i) => ({ ...i, symbol }));
  return aggregateSignals(signals, { ...options, weights: record, defaultWeight });
}
