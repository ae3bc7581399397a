import { alignTime, barsBetween, copyBars, InvalidParameterError, type Seed, timeframeToMs } from '@candlelab/core';
import type { CandleSource, FetchOptions, FetchRequest, SourceCapabilities, SourcePage } from './CandleSource.js';
import { generateSyntheticBars, type SyntheticOptions } from './generateSyntheticBars.js';
import { checkRange } from './ranges.js';
import { throwIfAborted } from './sleep.js';

export interface SyntheticSourceOptions
  extends Omit<SyntheticOptions, 'symbol' | 'timeframe' | 'start' | 'count' | 'seed'> {
  /** Seed; each (symbol, timeframe) gets its own stream derived from it. Default 0. */
  seed?: Seed;
  /** Time of the first bar of every series; a series is the same whatever range is fetched. Default 2020-01-01T00:00Z. */
  origin?: number;
  /** Bars per page yielded. Default 10,000. */
  pageSize?: number;
  /** Store key. Default `'synthetic'`. */
  id?: string;
}

/**
 * The seeded synthetic generator as a {@link CandleSource}: every (symbol, timeframe) is a fixed
 * series starting at `origin`, so any range fetched is a slice of the same bars. Series of
 * different timeframes are independent; to get consistent timeframes, generate the finest and
 * `resample` it.
 */
export class SyntheticSource implements CandleSource {
  readonly id: string;
  readonly capabilities: SourceCapabilities = { kind: 'synthetic', timeframes: 'any', live: false };
  private readonly origin: number;
  private readonly pageSize: number;
  private readonly seed: Seed;
  private readonly generator: Omit<SyntheticOptions, 'symbol' | 'timeframe' | 'start' | 'count' | 'seed'>;

  constructor(options: SyntheticSourceOptions = {}) {
    const { origin, pageSize, id, seed, ...generator } = options;
    this.id = id ?? 'synthetic';
    this.origin = origin ?? Date.UTC(2020, 0, 1);
    this.pageSize = pageSize ?? 10_000;
    this.seed = seed ?? 0;
    this.generator = generator;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) {
      throw new InvalidParameterError('pageSize', this.pageSize, 'expected a positive integer');
    }
  }

  async *fetch(request: FetchRequest, options: FetchOptions = {}): AsyncGenerator<SourcePage> {
    const { symbol, timeframe, start, end } = request;
    checkRange(start, end);
    const tfMs = timeframeToMs(timeframe);
    const first = alignTime(this.origin, timeframe);
    const count = Math.max(0, Math.ceil((end - first) / tfMs));
    const all = generateSyntheticBars({
      ...this.generator,
      symbol,
      timeframe,
      start: first,
      count,
      seed: `${this.seed}|${symbol}|${timeframe}`,
    });
    const bars = barsBetween(all, start, end);
    const n = bars.time.length;
    let cursor = start;
    for (let offset = 0; offset < n || cursor < end; offset += this.pageSize) {
      throwIfAborted(options.signal, `generating ${symbol} ${timeframe}`);
      const stop = Math.min(n, offset + this.pageSize);
      const page = copyBars(bars, offset, stop);
      const coveredEnd = stop < n ? bars.time[stop]! : end;
      yield { bars: page, covered: { start: cursor, end: coveredEnd } };
      cursor = coveredEnd;
      options.onProgress?.({ symbol, timeframe, fetched: stop, cursor, fraction: (cursor - start) / (end - start) });
    }
  }
}
