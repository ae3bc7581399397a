import { gunzipSync } from 'node:zlib';
import { type Bars, DataSourceError, type Timeframe, ValidationError } from '@candlelab/core';
import { parseCsvBars } from './parseCsvBars.js';
import { parseJsonBars } from './parseJsonBars.js';
import type { TimeUnit } from './parseTimestamp.js';

export interface CandleFileOptions {
  /** File name, for the format, the `.gz` suffix and error messages. Required. */
  path: string;
  /** Symbol of the series in the file. Required. */
  symbol: string;
  /** Timeframe of the series in the file. Required. */
  timeframe: Timeframe;
  /** File format. Default: from the extension (`.json[.gz]` → json, else csv). */
  format?: 'csv' | 'json';
  /** Unit of numeric timestamps. Default: detected per value by magnitude (see `parseTimestamp`). */
  timeUnit?: TimeUnit;
  /** Require every time to be a bar open of `timeframe`. Default true (as stores need). */
  requireAligned?: boolean;
}

/**
 * The bars of a candle file's bytes: gunzipped when the name ends in `.gz`, decoded as UTF-8, then
 * parsed by `parseCsvBars` or `parseJsonBars`. A damaged gzip stream is a `DataSourceError`, bad
 * content a `ValidationError`; both name the file. Nothing else escapes (fuzz-tested).
 */
export function parseCandleFile(bytes: Uint8Array, options: CandleFileOptions): Bars {
  const { path, symbol, timeframe } = options;
  let text: string;
  try {
    text = Buffer.from(/\.gz$/i.test(path) ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataSourceError(`cannot decompress ${path} (damaged or not gzip): ${reason}`, {
      cause: error,
      retryable: false,
    });
  }
  const format = options.format ?? (/\.json(\.gz)?$/i.test(path) ? 'json' : 'csv');
  const parseOptions = {
    symbol,
    timeframe,
    requireAligned: options.requireAligned ?? true,
    ...(options.timeUnit === undefined ? {} : { timeUnit: options.timeUnit }),
  };
  try {
    return format === 'json' ? parseJsonBars(text, parseOptions) : parseCsvBars(text, parseOptions);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(`${path} (${format})`, error.issues, { cause: error, truncated: error.truncated });
  }
}
