import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import {
  type Bars,
  barsBetween,
  copyBars,
  DataSourceError,
  InvalidParameterError,
  type Timeframe,
} from '@candlelab/core';
import type { CandleSource, FetchOptions, FetchRequest, SourceCapabilities, SourcePage } from './CandleSource.js';
import { parseCsvBars } from './parseCsvBars.js';
import { parseJsonBars } from './parseJsonBars.js';
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
}

/**
 * Candles from a CSV or JSON file (see `parseCsvBars` / `parseJsonBars`), read and validated once
 * (times must be bar opens of the timeframe), then served by range. The file is the whole truth:
 * a fetched range is covered whether or not it holds bars.
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
    const { path, symbol, timeframe } = this.options;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      this.bars = undefined;
      throw new DataSourceError(`cannot read ${path}`, { cause: error, retryable: false });
    }
    const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    const format = this.options.format ?? (/\.json(\.gz)?$/i.test(path) ? 'json' : 'csv');
    const options = { symbol, timeframe, requireAligned: true };
    return format === 'json' ? parseJsonBars(text, options) : parseCsvBars(text, options);
  }
}
