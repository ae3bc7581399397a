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
 * Resamples `bars` to `timeframe` (open = first open, high = max, low = min, close = last close,
 * volume = sum; time = bucket open) using only buckets that are complete: a bucket counts once a
 * base bar closing at or after the bucket's end has been seen, and the first bucket counts only
 * when the data starts at its open (a bucket cut by the start of the data is skipped, since its
 * open/high/low would be wrong). Missing base bars inside a bucket (gaps) are tolerated.
 * Everything depends only on bars up to each base bar, so the join is causal.
 */
export function completedHigherTimeframe(bars: Bars, timeframe: Timeframe): CompletedBars {
  timeframeRatio(bars.timeframe, timeframe);
  const { ms, offset } = timeframeGrid(timeframe);
  const baseMs = timeframeToMs(bars.timeframe);
  const n = bars.time.length;
  const out = emptyBars(bars.symbol, timeframe, n); // at most one bucket per base bar (gaps)
  const lastCompleted = new Int32Array(n).fill(-1);
  let count = 0;
  let bucket = Number.NaN;
  let open = 0;
  let high = 0;
  let low = 0;
  let close = 0;
  let volume = 0;
  let skipping = true;
  const emit = (t: number, o: number, h: number, l: number, c: number, v: number): void => {
    out.time[count] = t;
    out.open[count] = o;
    out.high[count] = h;
    out.low[count] = l;
    out.close[count] = c;
    out.volume[count] = v;
    count++;
  };
  for (let i = 0; i < n; i++) {
    const t = bars.time[i]!;
    const start = Math.floor((t - offset) / ms) * ms + offset;
    if (start !== bucket) {
      // A new bucket opens: a previous one still being built (its last bars missing) is complete by time.
      if (!skipping) {
        emit(bucket, open, high, low, close, volume);
      }
      bucket = start;
      skipping = i === 0 && t !== start;
      open = bars.open[i]!;
      high = bars.high[i]!;
      low = bars.low[i]!;
      close = bars.close[i]!;
      volume = bars.volume[i]!;
    } else {
      high = Math.max(high, bars.high[i]!);
      low = Math.min(low, bars.low[i]!);
      close = bars.close[i]!;
      volume += bars.volume[i]!;
    }
    if (!skipping && t + baseMs >= bucket + ms) {
      emit(bucket, open, high, low, close, volume);
      skipping = true; // completed: ignore any further bars of this bucket (there are none on a clean grid)
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
