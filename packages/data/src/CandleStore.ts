import type { Bars, Timeframe } from '@candlelab/core';
import type { RecordStore } from './RecordStore.js';

/** Which series: bars are keyed by (exchange, symbol, timeframe, time) in every store. */
export interface SeriesKey {
  /** Exchange or source id, e.g. `binance`, `synthetic`, `file`. */
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
}

/** A half-open time range `[start, end)` in UTC epoch milliseconds. */
export interface TimeRange {
  start: number;
  end: number;
}

/** A range read: bars of one series with `start <= time < end`. */
export interface RangeQuery extends SeriesKey, TimeRange {}

export interface StoreWriteOptions {
  /** Exchange id the bars belong to (the series is `bars.symbol`, `bars.timeframe`). */
  exchange: string;
  /**
   * The range the source asserts is complete: every bar that exists in it is in `bars`. Recorded
   * in the coverage table in the same transaction as the bars, so that a range fetched and found
   * empty (exchange downtime) is told apart from one never fetched. Default: none recorded.
   */
  coverage?: TimeRange;
}

export interface StoreWriteResult {
  /** Bars actually inserted (rows already present are skipped: `ON CONFLICT DO NOTHING`). */
  inserted: number;
}

/**
 * A candle store: one `market_data` table keyed by (exchange, symbol, timeframe, time) plus a
 * coverage record. Writes are validated, bulk, idempotent and atomic (bars and coverage commit
 * together or not at all); range reads come back as columnar {@link Bars}.
 */
export interface CandleStore {
  /** Inserts bars (validated with core's `validateBars`, aligned to the timeframe) and optional coverage atomically. */
  write(bars: Bars, options: StoreWriteOptions): Promise<StoreWriteResult>;
  /** Bars of the series with `start <= time < end`, sorted by time. */
  read(query: RangeQuery): Promise<Bars>;
  /** Covered ranges of the series, merged (overlapping and touching ranges joined) and sorted. */
  readCoverage(key: SeriesKey): Promise<TimeRange[]>;
  /** Records ranges as covered without writing bars. */
  writeCoverage(key: SeriesKey, ranges: readonly TimeRange[]): Promise<void>;
  /** Releases connections and files. The store cannot be used afterwards. */
  close(): Promise<void>;
  /**
   * Record tables in the same database: see {@link RecordStore.writeRecords}. Every built-in store
   * has them; optional so that other `CandleStore` implementations keep compiling.
   */
  writeRecords?: RecordStore['writeRecords'];
  /** See {@link RecordStore.readRecords}; present when {@link writeRecords} is. */
  readRecords?: RecordStore['readRecords'];
}
