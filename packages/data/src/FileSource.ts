import { readFile } from 'node:fs/promises';
import {
  type Bars,
  barsBetween,
  copyBars,
  DataSourceError,
  InvalidParameterError,
  type Timeframe,
} from '@candlelab/core';
import type { CandleSource, FetchOptions, FetchRequest, SourceCapabilities, SourcePage } from './CandleSource.js';
import { parseCandleFile } from './parseCandleFile.js';
import type { TimeUnit } from './parseTimestamp.js';
import { checkRange } from './ranges.js';
import { throwIfAborted } from './sleep.js';

export interface FileSourceOptions {
  /** File path: `.csv`, `.json`, optionally gzipped (`.gz`). */
  path: string;
  /** Symbol of the series in the file. Required. */
  symbol: string;
  /** Timeframe of the series in the file. Required. */
  timeframe: Timeframe;
  /** File format. Default: from the extension (`.json[.gz]` → json, else csv). */
  format?: 'csv' | 'json';
  /** Store key for these bars. Default `'file'`. */
  id?: string;
  /**
   * Unit of numeric timestamps (`'s'`, `'ms'`, `'us'`, `'ns'`). Default: detected per value by
   * magnitude; values no unit places in 1990–2100 (e.g. YYYYMMDD dates) are refused.
   */
  timeUnit?: TimeUnit;
}

/**
 * Candles from a CSV or JSON file (see `parseCsvBars` / `parseJsonBars`), read and validated once
 * (times must be bar opens of the timeframe), then served by range. The file is the whole truth:
 * a fetched range is covered whether or not it holds bars. An unreadable file or a damaged gzip
 * stream is a `DataSourceError`, bad content a `ValidationError`; both name the file.
 */
export class FileSource implements CandleSource {
  readonly id: string;
  readonly capabilities: SourceCapabilities;
  private bars: Promise<Bars> | undefined;

  constructor(private readonly options: FileSourceOptions) {
    this.id = options.id ?? 'file';
    this.capabilities = { kind: 'file', timeframes: [options.timeframe], live: false };
  }

  async *fetch(request: FetchRequest, options: FetchOptions = {}): AsyncGenerator<SourcePage> {
    checkRange(request.start, request.end);
    if (request.symbol !== this.options.symbol || request.timeframe !== this.options.timeframe) {
      throw new InvalidParameterError(
        'symbol',
        `${request.symbol} ${request.timeframe}`,
        `this file holds ${this.options.symbol} ${this.options.timeframe}`,
      );
    }
    throwIfAborted(options.signal, `reading ${this.options.path}`);
    this.bars ??= this.load();
    const bars = copyBars(barsBetween(await this.bars, request.start, request.end));
    yield { bars, covered: { start: request.start, end: request.end } };
    options.onProgress?.({
      symbol: request.symbol,
      timeframe: request.timeframe,
      fetched: bars.time.length,
      cursor: request.end,
      fraction: 1,
    });
  }

  private async load(): Promise<Bars> {
    const { path } = this.options;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      this.bars = undefined;
      throw new DataSourceError(`cannot read ${path}`, { cause: error, retryable: false });
    }
    try {
      return parseCandleFile(bytes, this.options);
    } catch (error) {
      this.bars = undefined;
      throw error;
    }
  }
}
