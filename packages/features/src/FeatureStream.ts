import { type Bars, type Candle, emptyBars, InvalidParameterError, sliceBars, type Timeframe } from '@candlelab/core';
import { computeFeatures, featureSetWarmup } from './computeFeatures.js';
import { type FeatureSet, type FeatureSetInput, parseFeatureSet } from './featureSetSchema.js';

export interface FeatureStreamOptions {
  /**
   * Bars of history kept (default `Infinity`). With no cap every row equals the batch row of the
   * same bars exactly. A finite cap (must exceed the warm-up) bounds the cost per bar, but
   * infinite-memory indicators (EMA, Wilder RSI/ATR, …) then differ slightly from a batch run
   * over the whole history.
   */
  maxHistory?: number;
}

/**
 * Live use of a feature set: append closed bars with `update`, revise the still-forming bar with
 * `replace`, read the latest feature row. Each call recomputes the set over the kept history (the
 * batch kernels are causal, so the newest row is what a batch run would give): simple and exact,
 * at O(history) per bar — fine for minute-or-slower bars with thousands of bars of history.
 */
export class FeatureStream {
  /** Feature names, in row order. */
  readonly names: readonly string[];
  /** The longest declared warm-up: rows before it are `null`. */
  readonly warmup: number;
  readonly #set: FeatureSet;
  readonly #maxHistory: number;
  #bars: Bars;
  #length = 0;

  constructor(featureSet: FeatureSetInput, symbol: string, timeframe: Timeframe, options: FeatureStreamOptions = {}) {
    this.#set = parseFeatureSet(featureSet);
    const longest = featureSetWarmup(this.#set, timeframe);
    this.warmup = longest.warmup;
    this.#maxHistory = options.maxHistory ?? Number.POSITIVE_INFINITY;
    if (!(this.#maxHistory > this.warmup)) {
      throw new InvalidParameterError(
        'maxHistory',
        this.#maxHistory,
        `must exceed the warm-up (${this.warmup}, '${longest.name}')`,
      );
    }
    this.#bars = emptyBars(symbol, timeframe, 256);
    this.names = computeFeatures(emptyBars(symbol, timeframe, 0), this.#set).names;
  }

  /** Bars held. */
  get length(): number {
    return this.#length;
  }

  /** Appends a closed bar (time after the last one) and returns the newest feature row, or `null` during warm-up. */
  update(candle: Candle): Float64Array | null {
    const last = this.#length > 0 ? this.#bars.time[this.#length - 1]! : Number.NEGATIVE_INFINITY;
    if (!(candle.time > last))
      throw new InvalidParameterError('candle.time', candle.time, `must be after the last bar (${last})`);
    if (this.#length === this.#bars.time.length) this.#grow();
    this.#write(this.#length, candle);
    this.#length++;
    if (this.#length > this.#maxHistory) this.#dropOldest();
    return this.#row();
  }

  /** Replaces the newest bar with a newer version of the same candle (same time) and returns the row. */
  replace(candle: Candle): Float64Array | null {
    const last = this.#length > 0 ? this.#bars.time[this.#length - 1]! : Number.NaN;
    if (candle.time !== last)
      throw new InvalidParameterError('candle.time', candle.time, `must equal the last bar's time (${last})`);
    this.#write(this.#length - 1, candle);
    return this.#row();
  }

  #row(): Float64Array | null {
    if (this.#length <= this.warmup) return null;
    const { columns } = computeFeatures(sliceBars(this.#bars, 0, this.#length), this.#set);
    const row = new Float64Array(columns.length);
    for (let k = 0; k < columns.length; k++) row[k] = columns[k]![this.#length - 1]!;
    return row;
  }

  #write(i: number, candle: Candle): void {
    const bars = this.#bars;
    bars.time[i] = candle.time;
    bars.open[i] = candle.open;
    bars.high[i] = candle.high;
    bars.low[i] = candle.low;
    bars.close[i] = candle.close;
    bars.volume[i] = candle.volume;
  }

  #grow(): void {
    const bigger = emptyBars(this.#bars.symbol, this.#bars.timeframe, this.#bars.time.length * 2);
    for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
      bigger[field].set(this.#bars[field]);
    this.#bars = bigger;
  }

  #dropOldest(): void {
    for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
      this.#bars[field].copyWithin(0, 1, this.#length);
    this.#length--;
  }
}
