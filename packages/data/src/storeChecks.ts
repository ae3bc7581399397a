import { type Bars, barsLength, InvalidParameterError, parseTimeframe, validateBars } from '@candlelab/core';
import type { RangeQuery, SeriesKey, StoreWriteOptions } from './CandleStore.js';
import { checkRange } from './ranges.js';

/** Checks a series key at a store's boundary: non-empty ids and a valid timeframe. */
export function checkSeriesKey(key: SeriesKey): void {
  if (typeof key.exchange !== 'string' || key.exchange.length === 0) {
    throw new InvalidParameterError('exchange', key.exchange, 'expected a non-empty exchange id');
  }
  if (typeof key.symbol !== 'string' || key.symbol.length === 0) {
    throw new InvalidParameterError('symbol', key.symbol, 'expected a non-empty symbol');
  }
  parseTimeframe(key.timeframe);
}

/** Checks a range query: key, then integer `start < end`. */
export function checkRangeQuery(query: RangeQuery): void {
  checkSeriesKey(query);
  checkRange(query.start, query.end);
}

/**
 * Checks bars before any row is written: the series key, every row (core's `validateBars`, times
 * aligned to the timeframe) and, when coverage is given, that every bar lies inside it.
 */
export function checkWrite(bars: Bars, options: StoreWriteOptions): void {
  checkSeriesKey({ exchange: options.exchange, symbol: bars.symbol, timeframe: bars.timeframe });
  validateBars(bars, { requireAligned: true });
  const coverage = options.coverage;
  if (coverage === undefined) return;
  checkRange(coverage.start, coverage.end);
  const n = barsLength(bars);
  if (n > 0 && (bars.time[0]! < coverage.start || bars.time[n - 1]! >= coverage.end)) {
    throw new InvalidParameterError(
      'coverage',
      coverage,
      `bars span [${bars.time[0]}, ${bars.time[n - 1]}] which is not inside the covered range`,
    );
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A SQL identifier (schema or table name) checked against injection: letters, digits, underscore. */
export function sqlIdentifier(parameter: string, value: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new InvalidParameterError(parameter, value, 'expected a SQL identifier of letters, digits and underscores');
  }
  return `"${value}"`;
}
