import { InvalidParameterError, ValidationError, type ValidationIssue } from './errors.js';
import { type Timeframe, timeframeGrid } from './timeframe.js';

/** The price/volume column names of {@link Bars}. */
export const OHLCV_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type OhlcvField = (typeof OHLCV_FIELDS)[number];

/**
 * Candles of one symbol and timeframe, stored column-wise: one `Float64Array` per field,
 * all the same length, `time` (UTC epoch ms of each bar's open) strictly increasing.
 * This is the shape every hot loop in candlelab works on.
 */
export interface Bars {
  symbol: string;
  timeframe: Timeframe;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** One candle as an object: for streaming updates and I/O edges only. */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A ccxt `fetchOHLCV` row: `[timestamp, open, high, low, close, volume]`. */
export type OhlcvRow = [number, number, number, number, number, number];

/** Number of bars. */
export function barsLength(bars: Bars): number {
  return bars.time.length;
}

/** Allocates zero-filled bars of length `n`. */
export function emptyBars(symbol: string, timeframe: Timeframe, n = 0): Bars {
  return {
    symbol,
    timeframe,
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** Bars `[start, end)` as views on the same memory (no copy). */
export function sliceBars(bars: Bars, start: number, end = barsLength(bars)): Bars {
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: bars.time.subarray(start, end),
    open: bars.open.subarray(start, end),
    high: bars.high.subarray(start, end),
    low: bars.low.subarray(start, end),
    close: bars.close.subarray(start, end),
    volume: bars.volume.subarray(start, end),
  };
}

/** A deep copy of `bars` (optionally of rows `[start, end)`), owning its memory. */
export function copyBars(bars: Bars, start = 0, end = barsLength(bars)): Bars {
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: bars.time.slice(start, end),
    open: bars.open.slice(start, end),
    high: bars.high.slice(start, end),
    low: bars.low.slice(start, end),
    close: bars.close.slice(start, end),
    volume: bars.volume.slice(start, end),
  };
}

/** Concatenates bars of the same series; the result must still be strictly increasing in time (validate if unsure). */
export function concatBars(parts: readonly Bars[]): Bars {
  const first = parts[0];
  if (!first) throw new InvalidParameterError('parts', parts, 'need at least one Bars to concatenate');
  const total = parts.reduce((n, part) => n + barsLength(part), 0);
  const out = emptyBars(first.symbol, first.timeframe, total);
  let offset = 0;
  for (const part of parts) {
    for (const field of ['time', ...OHLCV_FIELDS] as const) out[field].set(part[field], offset);
    offset += barsLength(part);
  }
  return out;
}

/** The candle at row `i` as an object (for edges and streaming; not for hot loops). */
export function candleAt(bars: Bars, i: number): Candle {
  return {
    time: bars.time[i]!,
    open: bars.open[i]!,
    high: bars.high[i]!,
    low: bars.low[i]!,
    close: bars.close[i]!,
    volume: bars.volume[i]!,
  };
}

/** Index of the first bar with `time >= t` (binary search; `length` when none). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bars with `start <= time < end`, as views. */
export function barsBetween(bars: Bars, start: number, end: number): Bars {
  return sliceBars(bars, lowerBound(bars.time, start), lowerBound(bars.time, end));
}

/** What is wrong with one candle's values (OHLC order, finiteness); empty when nothing is. */
export function candleIssues(
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const prices = { open, high, low, close };
  for (const [field, value] of Object.entries(prices)) {
    if (!Number.isFinite(value)) issues.push({ field, reason: `${field} is ${value}, expected a finite number` });
    else if (value <= 0) issues.push({ field, reason: `${field} is ${value}, expected a positive price` });
  }
  if (!Number.isFinite(volume))
    issues.push({ field: 'volume', reason: `volume is ${volume}, expected a finite number` });
  else if (volume < 0) issues.push({ field: 'volume', reason: `volume is ${volume}, expected >= 0` });
  if (issues.length === 0) {
    if (high < low) issues.push({ field: 'high', reason: `high ${high} < low ${low}` });
    if (low > Math.min(open, close))
      issues.push({ field: 'low', reason: `low ${low} > min(open, close) ${Math.min(open, close)}` });
    if (high < Math.max(open, close))
      issues.push({ field: 'high', reason: `high ${high} < max(open, close) ${Math.max(open, close)}` });
  }
  return issues;
}

export interface BarsValidationOptions {
  /** Stop collecting after this many issues (default 100). The validator still reports that more exist. */
  maxIssues?: number;
  /** Also require every time to be a bar open of the series' timeframe (default false). */
  requireAligned?: boolean;
}

export interface BarsValidationReport {
  valid: boolean;
  issues: ValidationIssue[];
  /** True when collection stopped at `maxIssues`. */
  truncated: boolean;
}

/**
 * Checks bars row by row without allocating per row (millions of rows per second): equal column
 * lengths, finite positive prices, `low <= min(open, close)`, `high >= max(open, close)`,
 * finite `volume >= 0`, integer strictly increasing times.
 */
export function checkBars(bars: Bars, options: BarsValidationOptions = {}): BarsValidationReport {
  const maxIssues = options.maxIssues ?? 100;
  const issues: ValidationIssue[] = [];
  const { time, open, high, low, close, volume } = bars;
  const n = time.length;
  for (const field of OHLCV_FIELDS) {
    if (bars[field].length !== n) {
      issues.push({ field, reason: `column has ${bars[field].length} values, time has ${n}` });
    }
  }
  if (issues.length > 0) return { valid: false, issues, truncated: false };
  let truncated = false;
  const grid = options.requireAligned ? timeframeGrid(bars.timeframe) : undefined;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const v = volume[i]!;
    // Fast path: one combined comparison chain for the common, valid row.
    const ok =
      t > previous &&
      Number.isInteger(t) &&
      o > 0 &&
      c > 0 &&
      l > 0 &&
      h < Number.POSITIVE_INFINITY &&
      l <= o &&
      l <= c &&
      h >= o &&
      h >= c &&
      v >= 0 &&
      v < Number.POSITIVE_INFINITY &&
      (grid === undefined || (t - grid.offset) % grid.ms === 0);
    if (!ok) {
      const rowIssues = candleIssues(o, h, l, c, v);
      if (!Number.isInteger(t))
        rowIssues.push({ field: 'time', reason: `time ${t} is not an integer epoch-ms timestamp` });
      else if (t === previous) rowIssues.push({ field: 'time', reason: `duplicate time ${t} (same as row ${i - 1})` });
      else if (t < previous)
        rowIssues.push({ field: 'time', reason: `time ${t} is before row ${i - 1} (${previous}): not sorted` });
      if (grid !== undefined && (t - grid.offset) % grid.ms !== 0)
        rowIssues.push({ field: 'time', reason: `time ${t} is not a ${bars.timeframe} bar open` });
      for (const issue of rowIssues) {
        if (issues.length >= maxIssues) {
          truncated = true;
          break;
        }
        issues.push({ row: i, ...issue });
      }
      if (truncated) break;
    }
    if (Number.isFinite(t)) previous = Math.max(previous, t);
  }
  return { valid: issues.length === 0, issues, truncated };
}

/** Throws a {@link ValidationError} listing offending rows when {@link checkBars} finds problems; returns `bars` otherwise. */
export function validateBars(bars: Bars, options: BarsValidationOptions = {}): Bars {
  const report = checkBars(bars, options);
  if (!report.valid) {
    throw new ValidationError(`invalid bars for ${bars.symbol} ${bars.timeframe}`, report.issues, {
      truncated: report.truncated,
    });
  }
  return bars;
}

/** Columnar bars from candle objects (validated). */
export function candlesToBars(candles: readonly Candle[], symbol: string, timeframe: Timeframe): Bars {
  const n = candles.length;
  const bars = emptyBars(symbol, timeframe, n);
  for (let i = 0; i < n; i++) {
    const candle = candles[i]!;
    bars.time[i] = candle.time;
    bars.open[i] = candle.open;
    bars.high[i] = candle.high;
    bars.low[i] = candle.low;
    bars.close[i] = candle.close;
    bars.volume[i] = candle.volume;
  }
  return validateBars(bars);
}

/** Candle objects from columnar bars. */
export function barsToCandles(bars: Bars): Candle[] {
  const out: Candle[] = new Array(barsLength(bars));
  for (let i = 0; i < out.length; i++) out[i] = candleAt(bars, i);
  return out;
}

/**
 * Columnar bars from ccxt OHLCV rows (validated). Rows must have six numeric entries;
 * a ccxt `undefined` volume is refused rather than guessed.
 */
export function ohlcvToBars(rows: readonly (readonly unknown[])[], symbol: string, timeframe: Timeframe): Bars {
  const n = rows.length;
  const bars = emptyBars(symbol, timeframe, n);
  const columns = [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume];
  const names = ['time', ...OHLCV_FIELDS];
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (!Array.isArray(row) || row.length < 6) {
      issues.push({ row: i, reason: `expected [time, open, high, low, close, volume], got ${JSON.stringify(row)}` });
      continue;
    }
    for (let j = 0; j < 6; j++) {
      const value = row[j];
      if (typeof value !== 'number')
        issues.push({ row: i, field: names[j]!, reason: `expected a number, got ${JSON.stringify(value)}` });
      else columns[j]![i] = value;
    }
    if (issues.length >= 100) break;
  }
  if (issues.length > 0) throw new ValidationError(`invalid OHLCV rows for ${symbol} ${timeframe}`, issues);
  return validateBars(bars);
}

/** ccxt-style OHLCV rows from columnar bars. */
export function barsToOhlcv(bars: Bars): OhlcvRow[] {
  const out: OhlcvRow[] = new Array(barsLength(bars));
  for (let i = 0; i < out.length; i++) {
    out[i] = [bars.time[i]!, bars.open[i]!, bars.high[i]!, bars.low[i]!, bars.close[i]!, bars.volume[i]!];
  }
  return out;
}
