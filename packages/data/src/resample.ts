import {
  alignTime,
  type Bars,
  barsLength,
  copyBars,
  emptyBars,
  InvalidParameterError,
  type Timeframe,
  timeframeGrid,
} from '@candlelab/core';

export interface ResampleOptions {
  /**
   * What to do with a first or last output bar whose period the input does not fully span (the
   * series starts or ends inside it): `'drop'` it, or keep it and `'flag'` it. Default `'drop'`.
   */
  partial?: 'drop' | 'flag';
}

export interface ResampleResult {
  bars: Bars;
  /** Input bars aggregated into each output bar (fewer than the ratio inside the series means missing input bars). */
  counts: Uint32Array;
  /** With `partial: 'flag'`: whether the first / last output bar covers only part of its period. */
  partialFirst: boolean;
  partialLast: boolean;
}

/**
 * Resamples bars to a coarser timeframe with exchange conventions: output bars open on the coarse
 * grid (`alignTime`), open = first open, high = max high, low = min low, close = last close,
 * volume = sum. The coarse timeframe must be a whole multiple of the input's. Output bars with no
 * input bar are not created (gaps stay gaps).
 */
export function resample(bars: Bars, timeframe: Timeframe, options: ResampleOptions = {}): ResampleResult {
  const from = timeframeGrid(bars.timeframe);
  const to = timeframeGrid(timeframe);
  if (to.ms % from.ms !== 0 || (to.offset - from.offset) % from.ms !== 0) {
    throw new InvalidParameterError(
      'timeframe',
      timeframe,
      `must be a whole multiple of the input timeframe ${bars.timeframe}`,
    );
  }
  const partial = options.partial ?? 'drop';
  if (partial !== 'drop' && partial !== 'flag')
    throw new InvalidParameterError('partial', partial, "expected 'drop' or 'flag'");
  const n = barsLength(bars);
  const out = emptyBars(
    bars.symbol,
    timeframe,
    n === 0 ? 0 : Math.min(n, Math.floor((bars.time[n - 1]! - bars.time[0]!) / to.ms) + 2),
  );
  const counts = new Uint32Array(out.time.length);
  let k = -1;
  let bucket = Number.NaN;
  for (let i = 0; i < n; i++) {
    const t = bars.time[i]!;
    const b = alignTime(t, timeframe);
    if (b !== bucket) {
      bucket = b;
      k++;
      out.time[k] = b;
      out.open[k] = bars.open[i]!;
      out.high[k] = bars.high[i]!;
      out.low[k] = bars.low[i]!;
      out.volume[k] = 0;
    } else {
      if (bars.high[i]! > out.high[k]!) out.high[k] = bars.high[i]!;
      if (bars.low[i]! < out.low[k]!) out.low[k] = bars.low[i]!;
    }
    out.close[k] = bars.close[i]!;
    out.volume[k] = out.volume[k]! + bars.volume[i]!;
    counts[k] = counts[k]! + 1;
  }
  const m = k + 1;
  let first = 0;
  let last = m;
  const partialFirst = m > 0 && bars.time[0]! > out.time[0]!;
  const partialLast = m > 0 && bars.time[n - 1]! + from.ms < out.time[m - 1]! + to.ms;
  if (partial === 'drop') {
    if (partialFirst) first = 1;
    if (partialLast && last > first) last--;
  }
  return {
    bars: copyBars(out, first, Math.max(first, last)),
    counts: counts.slice(first, Math.max(first, last)),
    partialFirst: partial === 'flag' && partialFirst,
    partialLast: partial === 'flag' && partialLast,
  };
}
