import { InvalidParameterError, type Signal } from '@candlelab/core';
import { type AggregatedSignal, type AggregateOptions, aggregateSignals } from './aggregateSignals.js';
import { directionLoss, HedgeWeights } from './HedgeWeights.js';

export interface SignalAggregatorOptions extends Omit<AggregateOptions, 'weights'> {
  /**
   * Freshness window: at time `now`, a source's signal counts only if `now − maxAgeMs ≤ time ≤ now`
   * (signals dated after `now` are never used). Default 3,600,000 (1 h).
   */
  maxAgeMs?: number;
  /** Learned weights to start from. Default: a fresh `HedgeWeights` (η 0.5, decay 0.01). */
  weights?: HedgeWeights;
}

/**
 * Keeps the recent signals of every source per symbol, aggregates, as of any time `now`, each
 * source's latest signal inside its freshness window with learned weights, and learns:
 * `recordOutcome` scores the signals a decision saw against the return realized after it.
 * Causal by construction: a decision at `now` uses no signal dated after `now` and no weight
 * learned from an outcome known after `now` (asking for one throws).
 */
export class SignalAggregator {
  readonly weights: HedgeWeights;
  /** Per symbol, per source: signals sorted by time, pruned to the last 2 × `maxAgeMs`. */
  private readonly history = new Map<string, Map<string, Signal[]>>();
  private readonly options: Omit<AggregateOptions, 'weights'>;
  private readonly maxAgeMs: number;

  constructor(options: SignalAggregatorOptions = {}) {
    const { maxAgeMs, weights, ...rest } = options;
    this.maxAgeMs = maxAgeMs ?? 3_600_000;
    if (!(this.maxAgeMs > 0)) throw new InvalidParameterError('maxAgeMs', maxAgeMs, 'expected a number > 0');
    this.weights = weights ?? new HedgeWeights();
    this.options = rest;
  }

  /**
   * Records a signal. A later signal of the same source supersedes it from its own time on; one
   * with the same time replaces it. Signals older than 2 × `maxAgeMs` before the source's newest
   * are forgotten (so `signals` at times more than `maxAgeMs` before the newest may miss some).
   */
  submit(signal: Signal): void {
    if (!Number.isFinite(signal.time))
      throw new InvalidParameterError('signal.time', signal.time, 'expected finite epoch ms');
    let bySource = this.history.get(signal.symbol);
    if (!bySource) {
      bySource = new Map();
      this.history.set(signal.symbol, bySource);
    }
    let list = bySource.get(signal.source);
    if (!list) {
      list = [];
      bySource.set(signal.source, list);
    }
    let at = list.length;
    while (at > 0 && list[at - 1]!.time > signal.time) at--;
    if (at > 0 && list[at - 1]!.time === signal.time) list[at - 1] = signal;
    else list.splice(at, 0, signal);
    const horizon = list[list.length - 1]!.time - 2 * this.maxAgeMs;
    let stale = 0;
    while (stale < list.length - 1 && list[stale]!.time < horizon) stale++;
    if (stale > 0) list.splice(0, stale);
    this.weights.add(signal.source);
  }

  /** For each source of `symbol`, its latest signal with `now − maxAgeMs ≤ time ≤ now`. */
  signals(symbol: string, now: number): Signal[] {
    const out: Signal[] = [];
    for (const list of this.history.get(symbol)?.values() ?? []) {
      let at = list.length - 1;
      while (at >= 0 && list[at]!.time > now) at--;
      const latest = list[at];
      if (latest !== undefined && now - latest.time <= this.maxAgeMs) out.push(latest);
    }
    return out;
  }

  /**
   * The aggregate decision for `symbol` at `now` with the current learned weights. Throws an
   * `InvalidParameterError` when the weights have learned from an outcome known after `now`
   * (`weights.learnedThrough`): using them would be lookahead.
   */
  decide(symbol: string, now: number): AggregatedSignal {
    if (now < this.weights.learnedThrough) {
      throw new InvalidParameterError(
        'now',
        now,
        `the weights have learned from outcomes known up to ${this.weights.learnedThrough}; deciding earlier would use the future`,
      );
    }
    return aggregateSignals(this.signals(symbol, now), { ...this.options, weights: this.weights.toRecord() });
  }

  /**
   * One learning round for the decision taken at `decidedAt`: each signal that decision saw
   * (`signals(symbol, decidedAt)`) is scored by {@link directionLoss} against `realizedReturn`,
   * the return realized after `decidedAt`, which became known at `knownAt` (default `decidedAt`;
   * pass the real time to let `decide` refuse earlier times).
   */
  recordOutcome(symbol: string, decidedAt: number, realizedReturn: number, knownAt = decidedAt): void {
    if (!Number.isFinite(realizedReturn))
      throw new InvalidParameterError('realizedReturn', realizedReturn, 'expected a finite number');
    if (!(knownAt >= decidedAt))
      throw new InvalidParameterError(
        'knownAt',
        knownAt,
        `an outcome cannot be known before its decision at ${decidedAt}`,
      );
    this.weights.update(
      this.signals(symbol, decidedAt).map((s) => ({ source: s.source, loss: directionLoss(s.action, realizedReturn) })),
      knownAt,
    );
  }
}
