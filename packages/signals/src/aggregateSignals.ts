import { type Action, InvalidParameterError, type Signal } from '@candlelab/core';

/** Thresholds for acting on an aggregate. */
export interface ExecutionThresholds {
  /** Minimum aggregate confidence. Default 0.6. */
  minConfidence?: number;
  /** Minimum consensus (weight share agreeing with the decision). Default 0.5. */
  minConsensus?: number;
}

export interface AggregateOptions extends ExecutionThresholds {
  /** Weight per source; sources not listed get `defaultWeight`. Default: none listed. */
  weights?: Readonly<Record<string, number>>;
  /** Weight of an unlisted source. Default 1. */
  defaultWeight?: number;
  /** Largest recommended position size (fraction of equity). Default 1. */
  maxPositionSize?: number;
}

/** One decision from many signals. */
export interface AggregatedSignal {
  action: Action;
  /**
   * Σ weight × confidence of the sources voting for `action` ÷ Σ weight of all sources: the
   * weighted mean confidence in the decision, with dissenting sources counting as zero.
   */
  confidence: number;
  /** Share of the total weight whose action equals `action`. */
  consensus: number;
  /**
   * Recommended size (fraction of equity): base × confidence × consensus, where base is the
   * weighted mean `size` of the agreeing signals that carry one, else `maxPositionSize`; 0 for hold.
   */
  positionSize: number;
  /** Confidence-weighted votes per action (Σ weight × confidence). */
  votes: Record<Action, number>;
  /** Signals counted. */
  count: number;
  /** `action !== 'hold'` and both thresholds passed. */
  shouldExecute: boolean;
}

const ACTIONS: readonly Action[] = ['buy', 'sell', 'hold'];

function unitInterval(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new InvalidParameterError(name, value, 'expected a number in [0, 1]');
  return value;
}

/** Whether an aggregate passes the thresholds (defaults 0.6 confidence, 0.5 consensus) and is not a hold. */
export function shouldExecute(
  aggregate: Pick<AggregatedSignal, 'action' | 'confidence' | 'consensus'>,
  thresholds: ExecutionThresholds = {},
): boolean {
  const minConfidence = unitInterval('minConfidence', thresholds.minConfidence ?? 0.6);
  const minConsensus = unitInterval('minConsensus', thresholds.minConsensus ?? 0.5);
  return aggregate.action !== 'hold' && aggregate.confidence >= minConfidence && aggregate.consensus >= minConsensus;
}

/**
 * Weighted voting over signals (all assumed to be about the same symbol and moment): the action
 * with the largest Σ weight × confidence wins (ties and an empty list give `hold`), with
 * confidence, consensus and a recommended position size as documented on {@link AggregatedSignal}.
 */
export function aggregateSignals(signals: readonly Signal[], options: AggregateOptions = {}): AggregatedSignal {
  const weights = options.weights ?? {};
  const defaultWeight = options.defaultWeight ?? 1;
  if (!(defaultWeight >= 0) || !Number.isFinite(defaultWeight))
    throw new InvalidParameterError('defaultWeight', defaultWeight, 'expected a finite number >= 0');
  const maxPositionSize = unitInterval('maxPositionSize', options.maxPositionSize ?? 1);
  const votes: Record<Action, number> = { buy: 0, sell: 0, hold: 0 };
  const weightBy: Record<Action, number> = { buy: 0, sell: 0, hold: 0 };
  let total = 0;
  for (const s of signals) {
    const w = weights[s.source] ?? defaultWeight;
    if (!(w >= 0) || !Number.isFinite(w))
      throw new InvalidParameterError(`weights.${s.source}`, w, 'expected a finite number >= 0');
    votes[s.action] += w * s.confidence;
    weightBy[s.action] += w;
    total += w;
  }
  let action: Action = 'hold';
  let best = 0;
  let tie = false;
  for (const a of ACTIONS) {
    if (votes[a] > best) {
      best = votes[a];
      action = a;
      tie = false;
    } else if (votes[a] === best && best > 0) tie = true;
  }
  if (tie) action = 'hold';
  const confidence = total > 0 ? votes[action] / total : 0;
  const consensus = total > 0 ? weightBy[action] / total : 0;
  let sizeWeight = 0;
  let sizeSum = 0;
  for (const s of signals) {
    if (s.action !== action || s.size === undefined) continue;
    const w = weights[s.source] ?? defaultWeight;
    sizeWeight += w;
    sizeSum += w * s.size;
  }
  const base = sizeWeight > 0 ? Math.min(maxPositionSize, sizeSum / sizeWeight) : maxPositionSize;
  const result = {
    action,
    confidence,
    consensus,
    positionSize: action === 'hold' ? 0 : base * confidence * consensus,
    votes,
    count: signals.length,
  };
  return { ...result, shouldExecute: shouldExecute(result, options) };
}
