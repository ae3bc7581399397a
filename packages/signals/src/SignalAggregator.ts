import { InvalidParameterError, type Signal } from '@candlelab/core';
import { type AggregatedSignal, type AggregateOptions, aggregateSignals } from './aggregateSignals.js';
import { directionLoss, HedgeWeights } from './HedgeWeights.js';

export interface SignalAggregatorOptions extends Omit<AggregateOptions, 'weights'> {
  /** Signals older than this (ms, by `signal.time`) are ignored. Default 3,600,000 (1 h). */
  maxAgeMs?: number;
  /** Learned weights to start from. Default: a fresh `HedgeWeights` (η 0.5, decay 0.01). */
  weights?: HedgeWeights;
}

/**
 * Keeps the latest signal of every source per symbol, aggregates them with learned weights, and
 * learns: `recordOutcome` scores each source's latest signal against the realized return.
 */
export class SignalAggregator {
  readonly weights: HedgeWeights;
  private readonly latest = new Map<string, Map<string, Signal>>();
  private readonly options: Omit<AggregateOptions, 'weights'>;
  private readonly maxAgeMs: number;

  constructor(options: SignalAggregatorOptions = {}) {
    const { maxAgeMs, weights, ...rest } = options;
    this.maxAgeMs = maxAgeMs ?? 3_600_000;
    if (!(this.maxAgeMs > 0)) throw new InvalidParameterError('maxAgeMs', maxAgeMs, 'expected a number > 0');
    this.weights = weights ?? new HedgeWeights();
    this.options = rest;
  }

  /** Records a signal (replacing the same source's previous one for that symbol). */
  submit(signal: Signal): void {
    let bySource = this.latest.get(signal.symbol);
    if (!bySource) {
      bySource = new Map();
      this.latest.set(signal.symbol, bySource);
    }
    bySource.set(signal.source, signal);
    this.weights.add(signal.source);
  }

  /** Fresh signals for a symbol at time `now` (ms). */
  signals(symbol: string, now: number): Signal[] {
    return [...(this.latest.get(symbol)?.values() ?? [])].filter((s) => now - s.time <= this.maxAgeMs);
  }

  /** The aggregate decision for `symbol` at `now` with the current learned weights. */
  decide(symbol: string, now: number): AggregatedSignal {
    return aggregateSignals(this.signals(symbol, now), { ...this.options, weights: this.weights.toRecord() });
  }

  /** One learning round: every fresh signal of `symbol` is scored by {@link directionLoss}. */
  recordOutcome(symbol: string, now: number, realizedReturn: number): void {
    this.weights.update(
      this.signals(symbol, now).map((s) => ({ source: s.source, loss: directionLoss(s.action, realizedReturn) })),
    );
  }
}
