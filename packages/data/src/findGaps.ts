import { type Bars, barsLength, InvalidParameterError, timeframeGrid } from '@candlelab/core';
import type { TimeRange } from './CandleStore.js';

/** A run of missing bars: opens `start, start + tf, …` before `end`. */
export interface BarGap extends TimeRange {
  /** Number of missing bars in the run. */
  missing: number;
}

/**
 * Runs of missing bars in sorted `bars`, judged on the timeframe's grid. With `range`, the
 * leading and trailing runs inside `[range.start, range.end)` are included too (`range` bounds
 * are expected on the grid).
 */
export function findGaps(bars: Bars, range?: TimeRange): BarGap[] {
  const { ms } = timeframeGrid(bars.timeframe);
  const time = bars.time;
  const n = barsLength(bars);
  const gaps: BarGap[] = [];
  const push = (start: number, end: number) => {
    if (end > start) gaps.push({ start, end, missing: Math.ceil((end - start) / ms) });
  };
  if (range !== undefined) push(range.start, n > 0 ? Math.min(time[0]!, range.end) : range.end);
  for (let i = 1; i < n; i++) {
    const expected = time[i - 1]! + ms;
    if (time[i]! > expected) push(expected, time[i]!);
  }
  if (range !== undefined && n > 0) push(Math.max(time[n - 1]! + ms, range.start), range.end);
  return gaps;
}

/** Duplicated or out-of-order times in a raw time column (before it becomes {@link Bars}). */
export interface DuplicateReport {
  /** Rows whose time already occurred earlier. */
  duplicates: number[];
  /** Rows whose time is earlier than the previous row's (not sorted). */
  unsorted: number[];
}

/** Finds repeated and out-of-order timestamps; rows are 0-based indices into `time`. */
export function findDuplicates(time: ArrayLike<number>): DuplicateReport {
  const seen = new Set<number>();
  const duplicates: number[] = [];
  const unsorted: number[] = [];
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    if (seen.has(t)) duplicates.push(i);
    else if (i > 0 && t < time[i - 1]!) unsorted.push(i);
    seen.add(t);
  }
  return { duplicates, unsorted };
}

/** Completeness of a series over a range. */
export interface SeriesReport {
  /** Bar opens the grid has in the range. */
  expected: number;
  /** Bars present in the range. */
  present: number;
  /** Missing-bar runs. */
  gaps: BarGap[];
  /** Bars whose time is not a bar open of the timeframe. */
  misaligned: number[];
}

/** Gap report of `bars` over `range` (default: from the first to the last bar). */
export function seriesReport(bars: Bars, range?: TimeRange): SeriesReport {
  const { ms, offset } = timeframeGrid(bars.timeframe);
  const n = barsLength(bars);
  const span = range ?? (n > 0 ? { start: bars.time[0]!, end: bars.time[n - 1]! + ms } : { start: 0, end: 0 });
  if (span.end < span.start) throw new InvalidParameterError('range', range, 'end must not be before start');
  const misaligned: number[] = [];
  let present = 0;
  for (let i = 0; i < n; i++) {
    const t = bars.time[i]!;
    if ((t - offset) % ms !== 0) misaligned.push(i);
    if (t >= span.start && t < span.end) present++;
  }
  const first = Math.ceil((span.start - offset) / ms);
  const last = Math.ceil((span.end - offset) / ms);
  return { expected: Math.max(0, last - first), present, gaps: findGaps(bars, span), misaligned };
}
