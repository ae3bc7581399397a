import { type Action, checkModelJson, InvalidParameterError, ModelFormatError } from '@candlelab/core';

export interface HedgeOptions {
  /** Learning rate η of the exponential update w ← w · exp(−η · loss). Default 0.5. */
  learningRate?: number;
  /**
   * Decay γ toward uniform after each update (fixed-share: w ← (1 − γ) w + γ / n), so a source
   * that was bad can recover and the weights track a changing world. Default 0.01.
   */
  decay?: number;
}

/** One source's realized loss in [0, 1] for one round. */
export interface SourceLoss {
  source: string;
  loss: number;
}

const KIND = 'hedge-weights';
const VERSION = 1;

/**
 * Loss of a signal given the realized return after it: 0 when the action had the return's
 * direction (buy → up, sell → down), 1 when opposite, 0.5 for hold or a zero return.
 */
export function directionLoss(action: Action, realizedReturn: number): number {
  if (action === 'hold' || realizedReturn === 0) return 0.5;
  return (action === 'buy') === realizedReturn > 0 ? 0 : 1;
}

/**
 * Source weights learned from realized outcomes with Hedge (multiplicative weights, Freund &
 * Schapire 1997) plus fixed-share decay (Herbster & Warmuth 1998). Weights are normalized to sum
 * to 1; new sources join at the mean weight. Serializable with `toJSON` / `HedgeWeights.fromJSON`.
 */
export class HedgeWeights {
  readonly learningRate: number;
  readonly decay: number;
  private readonly weights = new Map<string, number>();
  /** Rounds of updates so far. */
  rounds = 0;
  /**
   * Latest time (epoch ms) at which an outcome these weights learned from was known; `-Infinity`
   * before any timed update. Using the weights for a decision before it is lookahead.
   */
  learnedThrough = Number.NEGATIVE_INFINITY;

  constructor(sources: readonly string[] = [], options: HedgeOptions = {}) {
    this.learningRate = options.learningRate ?? 0.5;
    this.decay = options.decay ?? 0.01;
    if (!(this.learningRate > 0) || !Number.isFinite(this.learningRate)) {
      throw new InvalidParameterError('learningRate', this.learningRate, 'expected a finite number > 0');
    }
    if (!(this.decay >= 0 && this.decay < 1))
      throw new InvalidParameterError('decay', this.decay, 'expected a number in [0, 1)');
    for (const s of sources) this.add(s);
  }

  /** Adds a source at the current mean weight (1 for the first), then renormalizes. */
  add(source: string): void {
    if (this.weights.has(source)) return;
    const n = this.weights.size;
    this.weights.set(source, n === 0 ? 1 : 1 / n);
    this.normalize();
  }

  /** Current weight of a source (undefined when unknown). */
  weight(source: string): number | undefined {
    return this.weights.get(source);
  }

  /** All weights as a plain record, e.g. for `aggregateSignals({ weights })`. */
  toRecord(): Record<string, number> {
    return Object.fromEntries(this.weights);
  }

  /**
   * One Hedge round: each listed source's weight is multiplied by exp(−η · loss), then decayed and
   * normalized. `knownAt` (epoch ms), when given, is when these losses became known; it advances
   * `learnedThrough`.
   */
  update(losses: readonly SourceLoss[], knownAt?: number): void {
    if (knownAt !== undefined && !Number.isFinite(knownAt))
      throw new InvalidParameterError('knownAt', knownAt, 'expected finite epoch ms');
    for (const { source, loss } of losses) {
      if (!(loss >= 0 && loss <= 1))
        throw new InvalidParameterError(`loss.${source}`, loss, 'expected a loss in [0, 1]');
      this.add(source);
      this.weights.set(source, this.weights.get(source)! * Math.exp(-this.learningRate * loss));
    }
    this.normalize();
    const n = this.weights.size;
    for (const [s, w] of this.weights) this.weights.set(s, (1 - this.decay) * w + this.decay / n);
    this.rounds++;
    if (knownAt !== undefined) this.learnedThrough = Math.max(this.learnedThrough, knownAt);
  }

  private normalize(): void {
    let total = 0;
    for (const w of this.weights.values()) total += w;
    if (total > 0) for (const [s, w] of this.weights) this.weights.set(s, w / total);
  }

  toJSON(): {
    kind: string;
    version: number;
    learningRate: number;
    decay: number;
    rounds: number;
    learnedThrough?: number;
    weights: Record<string, number>;
  } {
    return {
      kind: KIND,
      version: VERSION,
      learningRate: this.learningRate,
      decay: this.decay,
      rounds: this.rounds,
      ...(Number.isFinite(this.learnedThrough) ? { learnedThrough: this.learnedThrough } : {}),
      weights: this.toRecord(),
    };
  }

  /** Restores weights saved by `toJSON` (checks kind, version and every weight). */
  static fromJSON(json: unknown): HedgeWeights {
    const model = checkModelJson(json, KIND, VERSION) as Record<string, unknown>;
    const { learningRate, decay, rounds, learnedThrough, weights } = model;
    if (typeof learningRate !== 'number' || typeof decay !== 'number' || typeof rounds !== 'number') {
      throw new ModelFormatError('hedge-weights: learningRate, decay and rounds must be numbers');
    }
    if (learnedThrough !== undefined && !Number.isFinite(learnedThrough))
      throw new ModelFormatError('hedge-weights: learnedThrough must be a finite number when present');
    if (typeof weights !== 'object' || weights === null || Array.isArray(weights))
      throw new ModelFormatError('hedge-weights: weights must be an object');
    const out = new HedgeWeights([], { learningRate, decay });
    for (const [source, w] of Object.entries(weights)) {
      if (typeof w !== 'number' || !(w >= 0) || !Number.isFinite(w))
        throw new ModelFormatError(`hedge-weights: weight of '${source}' is not a finite number >= 0`);
      out.weights.set(source, w);
    }
    out.rounds = rounds;
    if (typeof learnedThrough === 'number') out.learnedThrough = learnedThrough;
    return out;
  }
}
