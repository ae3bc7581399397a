import { type Bars, barsBetween, barsLength, copyBars, emptyBars, OHLCV_FIELDS, StoreError } from '@candlelab/core';
import type {
  CandleStore,
  RangeQuery,
  SeriesKey,
  StoreWriteOptions,
  StoreWriteResult,
  TimeRange,
} from './CandleStore.js';
import { mergeRanges } from './ranges.js';
import { checkRangeQuery, checkSeriesKey, checkWrite } from './storeChecks.js';

interface Series {
  bars: Bars;
  coverage: TimeRange[];
}

/**
 * An in-process {@link CandleStore} for tests and short-lived sessions: the same contract as the
 * database stores (validated, idempotent, atomic writes; coverage), nothing persisted.
 */
export class MemoryStore implements CandleStore {
  private readonly series = new Map<string, Series>();
  private closed = false;

  async write(bars: Bars, options: StoreWriteOptions): Promise<StoreWriteResult> {
    this.checkOpen();
    checkWrite(bars, options);
    const key = { exchange: options.exchange, symbol: bars.symbol, timeframe: bars.timeframe };
    const entry = this.entry(key);
    const before = barsLength(entry.bars);
    entry.bars = mergeSorted(entry.bars, bars);
    if (options.coverage) entry.coverage = mergeRanges([...entry.coverage, options.coverage]);
    return { inserted: barsLength(entry.bars) - before };
  }

  async read(query: RangeQuery): Promise<Bars> {
    this.checkOpen();
    checkRangeQuery(query);
    const entry = this.series.get(seriesId(query));
    if (!entry) return emptyBars(query.symbol, query.timeframe);
    return copyBars(barsBetween(entry.bars, query.start, query.end));
  }

  async readCoverage(key: SeriesKey): Promise<TimeRange[]> {
    this.checkOpen();
    checkSeriesKey(key);
    return (this.series.get(seriesId(key))?.coverage ?? []).map((r) => ({ ...r }));
  }

  async writeCoverage(key: SeriesKey, ranges: readonly TimeRange[]): Promise<void> {
    this.checkOpen();
    checkSeriesKey(key);
    const entry = this.entry(key);
    entry.coverage = mergeRanges([...entry.coverage, ...ranges]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.series.clear();
  }

  private entry(key: SeriesKey): Series {
    const id = seriesId(key);
    let entry = this.series.get(id);
    if (!entry) {
      entry = { bars: emptyBars(key.symbol, key.timeframe), coverage: [] };
      this.series.set(id, entry);
    }
    return entry;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('MemoryStore is closed');
  }
}

function seriesId(key: SeriesKey): string {
  return `${key.exchange}\u0000${key.symbol}\u0000${key.timeframe}`;
}

/** Merge of two sorted, unique-time bar sets; on equal times the existing row wins (`DO NOTHING`). */
function mergeSorted(existing: Bars, incoming: Bars): Bars {
  const n = barsLength(existing);
  const m = barsLength(incoming);
  if (m === 0) return existing;
  const out = emptyBars(existing.symbol, existing.timeframe, n + m);
  let i = 0;
  let j = 0;
  let k = 0;
  const columns = ['time', ...OHLCV_FIELDS] as const;
  while (i < n || j < m) {
    const a = i < n ? existing.time[i]! : Number.POSITIVE_INFINITY;
    const b = j < m ? incoming.time[j]! : Number.POSITIVE_INFINITY;
    const fromExisting = a <= b;
    const source = fromExisting ? existing : incoming;
    const row = fromExisting ? i : j;
    for (const column of columns) out[column][k] = source[column][row]!;
    k++;
    if (fromExisting) {
      i++;
      if (a === b) j++;
    } else j++;
  }
  return copyBars(out, 0, k);
}
