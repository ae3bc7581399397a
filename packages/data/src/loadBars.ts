import {
  alignTime,
  type Bars,
  barsLength,
  emptyBars,
  InvalidParameterError,
  type Timeframe,
  timeframeToMs,
} from '@candlelab/core';
import type { CandleSource, FetchProgress } from './CandleSource.js';
import type { CandleStore, TimeRange } from './CandleStore.js';
import { findGaps } from './findGaps.js';
import { checkRange, subtractRanges } from './ranges.js';
import { checkSeriesKey } from './storeChecks.js';

export interface LoadRequest {
  /** Store key of the series' origin, e.g. `binance`. */
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  /** First bar open wanted (inclusive), UTC ms. */
  start: number;
  /** End of the range (exclusive), UTC ms. */
  end: number;
}

export interface LoadOptions {
  /** Where bars are read first and fetched bars are written back. Required. */
  store: CandleStore;
  /** Where missing ranges are fetched. Default none: the store's bars only, missing ranges reported as gaps. */
  source?: CandleSource;
  /** Progress of each fetch page. Default none. */
  onProgress?: (progress: FetchProgress) => void;
  /** Cancels fetching (rejects with `CancelledError`); pages already written stay written. */
  signal?: AbortSignal;
  /** Clock used to tell not-yet-closed bars from missing ones. Default `Date.now`. */
  now?: () => number;
}

/** Why bars are absent from part of the requested range. */
export type GapReason =
  /** Fetched from the source and found empty (exchange downtime, delisting, before listing). */
  | 'no-data-at-source'
  /** Never fetched: no source given, or the source could not be reached for it. */
  | 'not-fetched'
  /** The bars have not closed yet (at or after the current candle). */
  | 'not-closed';

export interface LoadGap extends TimeRange {
  reason: GapReason;
}

export interface LoadReport {
  /** Bars that were already in the store. */
  fromStore: number;
  /** Bars fetched from the source and written to the store during this call. */
  fetched: number;
  /** Ranges that were missing from the coverage record and asked of the source. */
  requested: TimeRange[];
  /** Missing bar ranges left in the result, with their reason. */
  gaps: LoadGap[];
}

export interface LoadResult {
  bars: Bars;
  report: LoadReport;
}

/**
 * The database-first loader. Reads the coverage record, fetches only the ranges never fetched,
 * writes every page back together with its coverage in one transaction (so an interrupted load
 * resumes where it stopped, without duplicates or holes), then returns the range from the store
 * as columnar bars with a report. Safe to run for several symbols concurrently.
 */
export async function loadBars(request: LoadRequest, options: LoadOptions): Promise<LoadResult> {
  const { exchange, symbol, timeframe, start, end } = request;
  checkSeriesKey({ exchange, symbol, timeframe });
  checkRange(start, end);
  if (options.store === undefined) throw new InvalidParameterError('store', options.store, 'a CandleStore is required');
  const { store, source } = options;
  const key = { exchange, symbol, timeframe };
  const tfMs = timeframeToMs(timeframe);
  const firstOpen = alignUp(start, timeframe, tfMs);
  const endOpen = alignUp(end, timeframe, tfMs);
  const range = { start: firstOpen, end: endOpen };
  const closedEnd = alignTime((options.now ?? Date.now)(), timeframe);

  const coverageBefore = await store.readCoverage(key);
  const requested = firstOpen < endOpen ? subtractRanges(range, coverageBefore) : [];
  let fetched = 0;
  if (source) {
    for (const missing of requested) {
      const pages = source.fetch(
        { symbol, timeframe, start: missing.start, end: missing.end },
        {
          signal: options.signal,
          onProgress: options.onProgress,
        },
      );
      for await (const page of pages) {
        const result = await store.write(page.bars, { exchange, coverage: page.covered });
        fetched += result.inserted;
      }
    }
  }

  // No bar opens inside [start, end) when they fall within one bar.
  const bars = firstOpen < endOpen ? await store.read({ ...key, ...range }) : emptyBars(symbol, timeframe);
  const coverage = source && requested.length > 0 ? await store.readCoverage(key) : coverageBefore;
  const gaps: LoadGap[] = [];
  for (const gap of findGaps(bars, range)) {
    const uncovered = subtractRanges(gap, coverage);
    let cursor = gap.start;
    for (const hole of uncovered) {
      if (hole.start > cursor) gaps.push({ start: cursor, end: hole.start, reason: 'no-data-at-source' });
      if (hole.start < closedEnd)
        gaps.push({ start: hole.start, end: Math.min(hole.end, closedEnd), reason: 'not-fetched' });
      if (hole.end > closedEnd)
        gaps.push({ start: Math.max(hole.start, closedEnd), end: hole.end, reason: 'not-closed' });
      cursor = hole.end;
    }
    if (cursor < gap.end) gaps.push({ start: cursor, end: gap.end, reason: 'no-data-at-source' });
  }
  return { bars, report: { fromStore: barsLength(bars) - fetched, fetched, requested, gaps } };
}

/** The first bar open at or after `time`. */
function alignUp(time: number, timeframe: Timeframe, tfMs: number): number {
  const aligned = alignTime(time, timeframe);
  return aligned < time ? aligned + tfMs : aligned;
}
