import {
  type Bars,
  emptyBars,
  InvalidParameterError,
  type Timeframe,
  timeframeGrid,
  timeframeToMs,
} from '@candlelab/core';

/** Bars resampled to a higher timeframe, keeping only COMPLETED buckets. */
export interface CompletedBars {
  bars: Bars;
  /**
   * For each base bar, the index (into `bars`) of the last higher-timeframe bar that had
   * completed by that base bar's close, or -1 when none had.
   */
  lastCompleted: Int32Array;
}

/** Base bars per higher-timeframe bar; throws unless `higher` is a whole multiple (> 1) of `base`. */
export function timeframeRatio(base: Timeframe, higher: Timeframe): number {
  const baseMs = timeframeToMs(base);
  const highMs = timeframeToMs(higher);
  if (highMs <= baseMs || highMs % baseMs !== 0) {
    throw new InvalidParameterError(
      'timeframe',
      higher,
      `must be a whole multiple of the bars' timeframe ${base}, larger than it`,
    );
  }
  return highMs / baseMs;
}

/**
 * Builds higher-timeframe bars from base bars one at a time, keeping only COMPLETED buckets (the
 * rules of {@link completedHigherTimeframe}). `push` returns how many buckets completed with that
 * base bar (0, 1 or 2: a gap can close the previous bucket while the new bar completes its own);
 * they are in `completed` (oldest first). `completedWithBar` says whether the last of them
 * contains the pushed bar, which is what a revision of that bar (`revise`) would change.
 */
export class CompletedBarAggregator {
  /** Up to two completed buckets of the last push (time, open, high, low, close, volume each). */
  readonly completed = [new Float64Array(6), new Float64Array(6)] as const;
  /** True when the last completed bucket of the last push contains the pushed bar. */
  completedWithBar = false;
  readonly #ms: number;
  readonly #offset: number;
  readonly #baseMs: number;
  #pushed = 0;
  #bucket = Number.NaN;
  #open = 0;
  #high = 0;
  #low = 0;
  #close = 0;
  #volume = 0;
  #skipping = true;
  /** `[pushed, bucket, open, high, low, close, volume, skipping]` before the last push. */
  readonly #saved = new Float64Array(8);

  constructor(base: Timeframe, higher: Timeframe) {
    timeframeRatio(base, higher);
    const { ms, offset } = timeframeGrid(higher);
    this.#ms = ms;
    this.#offset = offset;
    this.#baseMs = timeframeToMs(base);
  }

  /** Adds the next base bar (times strictly increasing); returns the number of buckets it completed. */
  push(t: number, open: number, high: number, low: number, close: number, volume: number): number {
    const saved = this.#saved;
    saved[0] = this.#pushed;
    saved[1] = this.#bucket;
    saved[2] = this.#open;
    saved[3] = this.#high;
    saved[4] = this.#low;
    saved[5] = this.#close;
    saved[6] = this.#volume;
    saved[7] = this.#skipping ? 1 : 0;
    return this.#step(t, open, high, low, close, volume);
  }

  /**
   * Replaces the last pushed bar (same time, newer values) and returns the number of buckets
   * completed, as `push` would have. Only a bucket containing the bar can differ.
   */
  revise(t: number, open: number, high: number, low: number, close: number, volume: number): number {
    const saved = this.#saved;
    this.#pushed = saved[0]!;
    this.#bucket = saved[1]!;
    this.#open = saved[2]!;
    this.#high = saved[3]!;
    this.#low = saved[4]!;
    this.#close = saved[5]!;
    this.#volume = saved[6]!;
    this.#skipping = saved[7] === 1;
    return this.#step(t, open, high, low, close, volume);
  }

  #emit(count: number): number {
    const bar = this.completed[count]!;
    bar[0] = this.#bucket;
    bar[1] = this.#open;
    bar[2] = this.#high;
    bar[3] = this.#low;
    bar[4] = this.#close;
    bar[5] = this.#volume;
    return count + 1;
  }

  #step(t: number, open: number, high: number, low: number, close: number, volume: number): number {
    const ms = this.#ms;
    const start = Math.floor((t - this.#offset) / ms) * ms + this.#offset;
    let count = 0;
    this.completedWithBar = false;
    if (start !== this.#bucket) {
      // A new bucket opens: a previous one still being built (its last bars missing) is complete by time.
      if (!this.#skipping) count = this.#emit(count);
      this.#bucket = start;
      this.#skipping = this.#pushed === 0 && t !== start;
      this.#open = open;
      this.#high = high;
      this.#low = low;
      this.#close = close;
      this.#volume = volume;
    } else {
      this.#high = Math.max(this.#high, high);
      this.#low = Math.min(this.#low, low);
      this.#close = close;
      this.#volume += volume;
    }
    if (!this.#skipping && t + this.#baseMs >= this.#bucket + ms) {
      count = this.#emit(count);
      this.completedWithBar = true;
      this.#skipping = true; // completed: ignore any further bars of this bucket (there are none on a clean grid)
    }
    this.#pushed++;
    return count;
  }
}

/**
 * Resamples `bars` to `timeframe` (open = first open, high = max, low = min, close = last close,
 * volume = sum; time = bucket open) using only buckets that are complete: a bucket counts once a
 * base bar closing at or after the bucket's end has been seen, and the first bucket counts only
 * when the data starts at its open (a bucket cut by the start of the data is skipped, since its
 * open/high/low would be wrong). Missing base bars inside a bucket (gaps) are tolerated.
 * Everything depends only on bars up to each base bar, so the join is causal.
 */
export function completedHigherTimeframe(bars: Bars, timeframe: Timeframe): CompletedBars {
  const aggregator = new CompletedBarAggregator(bars.timeframe, timeframe);
  const n = bars.time.length;
  // Room for one bucket per `ratio` base bars, grown when gaps open more buckets.
  let out = emptyBars(bars.symbol, timeframe, Math.ceil(n / timeframeRatio(bars.timeframe, timeframe)) + 2);
  const lastCompleted = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (count + 2 > out.time.length) {
      const bigger = emptyBars(bars.symbol, timeframe, out.time.length * 2);
      for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) bigger[field].set(out[field]);
      out = bigger;
    }
    const completed = aggregator.push(
      bars.time[i]!,
      bars.open[i]!,
      bars.high[i]!,
      bars.low[i]!,
      bars.close[i]!,
      bars.volume[i]!,
    );
    for (let k = 0; k < completed; k++) {
      const bar = aggregator.completed[k]!;
      out.time[count] = bar[0]!;
      out.open[count] = bar[1]!;
      out.high[count] = bar[2]!;
      out.low[count] = bar[3]!;
      out.close[count] = bar[4]!;
      out.volume[count] = bar[5]!;
      count++;
    }
    lastCompleted[i] = count - 1;
  }
  const trimmed = emptyBars(bars.symbol, timeframe, 0);
  for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
    trimmed[field] = out[field].slice(0, count);
  return { bars: trimmed, lastCompleted };
}

/** Joins a higher-timeframe column to base bars through `lastCompleted` (NaN before the first completed bar). */
export function joinCompleted(column: Float64Array, lastCompleted: Int32Array): Float64Array {
  const out = new Float64Array(lastCompleted.length);
  for (let i = 0; i < out.length; i++) {
    const j = lastCompleted[i]!;
    out[i] = j >= 0 ? column[j]! : Number.NaN;
  }
  return out;
}
