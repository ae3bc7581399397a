import type { Bars, Candle, Timeframe } from '@candlelab/core';
import type { TimeRange } from './CandleStore.js';

/** What a source can do, so a loader or UI can plan requests without trying them. */
export interface SourceCapabilities {
  /** Where the candles come from. */
  kind: 'file' | 'synthetic' | 'exchange';
  /** Timeframes served natively; `'any'` for generators that produce every timeframe. */
  timeframes: readonly Timeframe[] | 'any';
  /** Most bars one request returns (exchanges page through longer ranges). */
  maxLimit?: number;
  /** Minimum delay between requests the source honours, ms. */
  rateLimitMs?: number;
  /** True when the series is still growing: its last candle may be forming and is never returned. */
  live: boolean;
}

/** Bars of one series wanted for `[start, end)`. */
export interface FetchRequest extends TimeRange {
  symbol: string;
  timeframe: Timeframe;
}

/** Progress of a fetch, reported after each page. */
export interface FetchProgress {
  symbol: string;
  timeframe: Timeframe;
  /** Bars delivered so far. */
  fetched: number;
  /** Everything before this time has been fetched. */
  cursor: number;
  /** Fraction of the requested range done, in [0, 1]. */
  fraction: number;
}

export interface FetchOptions {
  /** Cancels the fetch between pages and during back-off waits (rejects with core's `CancelledError`). */
  signal?: AbortSignal;
  /** Called after each page. */
  onProgress?: (progress: FetchProgress) => void;
}

/**
 * One page of a fetch: validated bars plus the range the source vouches for — every bar that
 * exists in `covered` is in `bars`; a part of `covered` without bars was fetched and found empty.
 */
export interface SourcePage {
  bars: Bars;
  covered: TimeRange;
}

/**
 * Anything that yields candles: files, the synthetic generator, exchanges. `fetch` yields pages in
 * time order; each page's bars have passed core's `validateBars`.
 */
export interface CandleSource {
  /** Id used as the store's `exchange` key (e.g. `binance`, `synthetic`, `file`). */
  readonly id: string;
  readonly capabilities: SourceCapabilities;
  fetch(request: FetchRequest, options?: FetchOptions): AsyncIterable<SourcePage>;
  /**
   * Live sources: the candle still forming now (open time = the current bar's), as the exchange
   * reports it at this moment, or undefined when it has none yet. Never stored: it changes until
   * its bar closes, when `fetch` returns the final version.
   */
  fetchForming?(
    symbol: string,
    timeframe: Timeframe,
    options?: Pick<FetchOptions, 'signal'>,
  ): Promise<Candle | undefined>;
}
