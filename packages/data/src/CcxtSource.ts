import {
  alignTime,
  type Bars,
  barsLength,
  CancelledError,
  type Candle,
  candleAt,
  DataSourceError,
  InvalidParameterError,
  isTimeframe,
  ohlcvToBars,
  type Timeframe,
  timeframeToMs,
  validateBars,
} from '@candlelab/core';
import type { CandleSource, FetchOptions, FetchRequest, SourceCapabilities, SourcePage } from './CandleSource.js';
import { loadPeer } from './loadPeer.js';
import { checkRange } from './ranges.js';
import { sleep, throwIfAborted } from './sleep.js';

/** The part of a ccxt `Exchange` this source uses (structural, so ccxt's types are not needed to compile against). */
export interface CcxtExchange {
  id: string;
  rateLimit?: number | undefined;
  timeframes?: Record<string, unknown>;
  last_response_headers?: Record<string, string> | undefined;
  loadMarkets(): Promise<unknown>;
  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<unknown[]>;
}

export interface CcxtSourceOptions {
  /** A ccxt exchange id (`'binance'`, `'kraken'`, …; any of `ccxt.exchanges`) or a ready ccxt exchange object. */
  exchange: string | CcxtExchange;
  /** Constructor options when `exchange` is an id. Default `{ enableRateLimit: true }`. */
  exchangeOptions?: Record<string, unknown>;
  /** Bars asked per request. Default 1,000. */
  pageLimit?: number;
  /** Retries of one request on retryable errors before giving up. Default 5. */
  maxRetries?: number;
  /** First back-off delay, ms; doubles each retry. Default 1,000. */
  backoffMs?: number;
  /** Longest back-off (and longest honoured `Retry-After`), ms. Default 60,000. */
  maxBackoffMs?: number;
  /** The clock deciding which candle is still forming. Default `Date.now`. */
  now?: () => number;
}

/** ccxt error classes worth retrying: the request may succeed later. */
const RETRYABLE = [
  'RequestTimeout',
  'RateLimitExceeded',
  'DDoSProtection',
  'ExchangeNotAvailable',
  'NetworkError',
] as const;

type CcxtModule = Record<string, unknown> & { exchanges?: string[] };

/**
 * Candles from any ccxt exchange: `fetchOHLCV` paged from `start` to `end`, the exchange's rate
 * limit honoured (ccxt's throttle, `enableRateLimit`), only retryable errors (network, timeout,
 * rate limit, exchange unavailable, DDoS protection) retried with exponential back-off and
 * `Retry-After`; short pages continue from the last bar; the still-forming last candle is dropped;
 * duplicated rows are removed; every page is validated. Needs the `ccxt` peer dependency.
 */
export class CcxtSource implements CandleSource {
  readonly id: string;
  private exchange: CcxtExchange | undefined;
  private ready: Promise<CcxtExchange> | undefined;
  private readonly pageLimit: number;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CcxtSourceOptions) {
    const exchange = options.exchange;
    if (typeof exchange === 'string') {
      if (!/^[a-z0-9_]+$/.test(exchange))
        throw new InvalidParameterError('exchange', exchange, 'expected a ccxt exchange id');
      this.id = exchange;
    } else {
      this.id = exchange.id;
      this.exchange = exchange;
    }
    this.pageLimit = positiveInteger('pageLimit', options.pageLimit ?? 1000);
    this.maxRetries = nonNegativeInteger('maxRetries', options.maxRetries ?? 5);
    this.backoffMs = nonNegativeInteger('backoffMs', options.backoffMs ?? 1000);
    this.maxBackoffMs = nonNegativeInteger('maxBackoffMs', options.maxBackoffMs ?? 60_000);
    this.now = options.now ?? Date.now;
  }

  /** Timeframes and rate limit are known once the exchange object exists (given, or after the first fetch). */
  get capabilities(): SourceCapabilities {
    const timeframes = this.exchange?.timeframes ? Object.keys(this.exchange.timeframes).filter(isTimeframe) : [];
    return {
      kind: 'exchange',
      timeframes,
      maxLimit: this.pageLimit,
      rateLimitMs: this.exchange?.rateLimit,
      live: true,
    };
  }

  async *fetch(request: FetchRequest, options: FetchOptions = {}): AsyncGenerator<SourcePage> {
    const { symbol, timeframe, start, end } = request;
    checkRange(start, end);
    const tfMs = timeframeToMs(timeframe);
    const signal = options.signal;
    const exchange = await this.withRetry('loadMarkets', signal, async (ex) => {
      await ex.loadMarkets();
      return ex;
    });
    if (exchange.timeframes && !(timeframe in exchange.timeframes)) {
      throw new InvalidParameterError(
        'timeframe',
        timeframe,
        `${this.id} serves ${Object.keys(exchange.timeframes).join(', ')}`,
      );
    }
    // Bars opening at or after `closedEnd` have not closed yet.
    const stop = Math.min(end, alignTime(this.now(), timeframe));
    let cursor = alignTime(start, timeframe) < start ? alignTime(start, timeframe) + tfMs : start;
    let fetched = 0;
    while (cursor < stop) {
      throwIfAborted(signal, `fetching ${symbol} ${timeframe} from ${this.id}`);
      const since = cursor;
      const rows = await this.withRetry(`fetchOHLCV ${symbol} ${timeframe} since ${since}`, signal, (ex) =>
        ex.fetchOHLCV(symbol, timeframe, since, this.pageLimit),
      );
      const page = pageBars(rows, symbol, timeframe, since, stop, this.id);
      const n = barsLength(page);
      // An empty answer means nothing exists from `since` to the end; otherwise everything up to the
      // last bar returned is vouched for (a short page just moves the cursor less far).
      const coveredEnd = n === 0 ? stop : Math.min(stop, page.time[n - 1]! + tfMs);
      fetched += n;
      yield { bars: page, covered: { start: since, end: coveredEnd } };
      options.onProgress?.({
        symbol,
        timeframe,
        fetched,
        cursor: coveredEnd,
        fraction: Math.min(1, (coveredEnd - start) / (end - start)),
      });
      cursor = coveredEnd;
    }
  }

  /**
   * The candle containing now, as the exchange reports it (its close is the last trade so far),
   * validated like every page; undefined when the exchange has no row for the current bar yet.
   */
  async fetchForming(
    symbol: string,
    timeframe: Timeframe,
    options: Pick<FetchOptions, 'signal'> = {},
  ): Promise<Candle | undefined> {
    const open = alignTime(this.now(), timeframe);
    const rows = await this.withRetry(`fetchOHLCV ${symbol} ${timeframe} forming ${open}`, options.signal, (ex) =>
      ex.fetchOHLCV(symbol, timeframe, open, 2),
    );
    const bars = pageBars(rows, symbol, timeframe, open, open + timeframeToMs(timeframe), this.id);
    return barsLength(bars) === 0 ? undefined : candleAt(bars, 0);
  }

  private async withRetry<T>(
    what: string,
    signal: AbortSignal | undefined,
    fn: (ex: CcxtExchange) => Promise<T>,
  ): Promise<T> {
    const exchange = await this.getExchange();
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal, what);
      exchange.last_response_headers = undefined;
      try {
        return await fn(exchange);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        const retryable = isRetryable(error);
        if (!retryable || attempt >= this.maxRetries) {
          const tries = attempt + 1;
          throw new DataSourceError(
            `${this.id} ${what} failed${retryable ? ` after ${tries} attempts` : ''}: ${errorText(error)}`,
            { cause: error, retryable },
          );
        }
        const backoff = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** attempt);
        const retryAfter = retryAfterMs(exchange.last_response_headers);
        await sleep(Math.max(backoff, Math.min(this.maxBackoffMs, retryAfter)), signal, what);
      }
    }
  }

  private getExchange(): Promise<CcxtExchange> {
    if (this.exchange) return Promise.resolve(this.exchange);
    this.ready ??= this.createExchange();
    return this.ready;
  }

  private async createExchange(): Promise<CcxtExchange> {
    const module = (await loadPeer('CcxtSource', 'ccxt', () => import('ccxt'), DataSourceError)) as unknown as {
      default?: CcxtModule;
    } & CcxtModule;
    const ccxt = module.default ?? module;
    const Exchange = ccxt[this.id];
    if (typeof Exchange !== 'function' || !(ccxt.exchanges ?? []).includes(this.id)) {
      throw new InvalidParameterError('exchange', this.id, 'not a ccxt exchange id (see ccxt.exchanges)');
    }
    const Constructor = Exchange as new (config: Record<string, unknown>) => CcxtExchange;
    const exchange = new Constructor({ enableRateLimit: true, ...this.options.exchangeOptions });
    this.exchange = exchange;
    return exchange;
  }
}

/** Rows of one response → validated bars in `[since, stop)`, sorted, duplicates (same time) removed. */
function pageBars(
  rows: unknown[],
  symbol: string,
  timeframe: Timeframe,
  since: number,
  stop: number,
  id: string,
): Bars {
  if (!Array.isArray(rows)) throw new DataSourceError(`${id} returned ${typeof rows} instead of OHLCV rows`);
  const kept: unknown[][] = [];
  let before = 0;
  for (const row of rows) {
    if (!Array.isArray(row)) {
      kept.push(row as unknown[]); // let ohlcvToBars name the malformed row
      continue;
    }
    const t = row[0];
    if (typeof t === 'number' && t < since) before++;
    else if (typeof t !== 'number' || t < stop) kept.push(row);
  }
  // Rows only from before `since` would make the range look empty: the exchange ignored `since`.
  if (before > 0 && kept.length === 0 && before === rows.length) {
    throw new DataSourceError(`${id} answered a request since ${since} with older candles only`, { retryable: false });
  }
  kept.sort((a, b) => Number(a[0]) - Number(b[0]));
  const unique = kept.filter((row, i) => i === 0 || row[0] !== kept[i - 1]![0]);
  return validateBars(ohlcvToBars(unique, symbol, timeframe), { requireAligned: true });
}

function isRetryable(error: unknown): boolean {
  for (
    let proto = error === null || typeof error !== 'object' ? null : Object.getPrototypeOf(error);
    proto;
    proto = Object.getPrototypeOf(proto)
  ) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (name !== undefined && (RETRYABLE as readonly string[]).includes(name)) return true;
  }
  return false;
}

/** `Retry-After` (seconds or an HTTP date) of the last response, in ms; 0 when absent. */
function retryAfterMs(headers: Record<string, string> | undefined): number {
  if (!headers) return 0;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after');
  if (!entry) return 0;
  const seconds = Number(entry[1]);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(entry[1]);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : 0;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidParameterError(name, value, 'expected a positive integer');
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidParameterError(name, value, 'expected a non-negative integer');
  return value;
}
