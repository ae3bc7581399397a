import { type Bars, barsBetween, barsLength, copyBars, emptyBars, OHLCV_FIELDS, StoreError } from '@candlelab/core';
import type {
  CandleStore,
  RangeQuery,
  SeriesKey,
  StoreWriteOptions,
  StoreWriteResult,
  TimeRange,
} from './CandleStore.js';
import type {
  RecordFilter,
  RecordRow,
  RecordRowInput,
  RecordStore,
  RecordValue,
  WriteRecordsOptions,
  WriteRecordsResult,
} from './RecordStore.js';
import { mergeRanges } from './ranges.js';
import {
  checkRecordFilter,
  checkRecordTable,
  compareKeys,
  planRecordSchema,
  prepareRecords,
  type StoredColumn,
} from './recordChecks.js';
import { checkRangeQuery, checkSeriesKey, checkWrite } from './storeChecks.js';

interface Series {
  bars: Bars;
  coverage: TimeRange[];
}

interface MemoryTable {
  schema: { columns: Map<string, StoredColumn>; key: readonly string[] };
  /** Rows by the JSON of their key values. */
  rows: Map<string, Map<string, RecordValue>>;
}

/**
 * An in-process {@link CandleStore} and {@link RecordStore} for tests and short-lived sessions: the
 * same contract as the database stores (validated, idempotent, atomic writes; coverage; record
 * tables with the same types, checks and upsert rules), nothing persisted.
 */
export class MemoryStore implements CandleStore, RecordStore {
  private readonly series = new Map<string, Series>();
  private readonly tables = new Map<string, MemoryTable>();
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

  async writeRecords<Row extends RecordRowInput<Row>>(
    table: string,
    rows: readonly Row[],
    options: WriteRecordsOptions<keyof Row & string>,
  ): Promise<WriteRecordsResult> {
    this.checkOpen();
    const prepared = prepareRecords(table, rows, options);
    if (prepared.rows.length === 0) return { inserted: 0, updated: 0 };
    const existing = this.tables.get(table);
    const added = planRecordSchema(prepared, existing?.schema);
    // Every check has passed: nothing below can fail, so the write is all or nothing.
    const target = existing ?? { schema: { columns: new Map(), key: prepared.key }, rows: new Map() };
    for (const column of added) target.schema.columns.set(column.name, { sqlType: column.type!, type: column.type });
    let inserted = 0;
    let updated = 0;
    const keyWidth = prepared.key.length;
    // Rows are identified in the table's key order, which may differ from this write's.
    const keyColumns = target.schema.key.map((name) => prepared.key.indexOf(name));
    for (const values of prepared.rows) {
      const id = JSON.stringify(keyColumns.map((c) => values[c]));
      const row = target.rows.get(id);
      if (row === undefined) {
        target.rows.set(id, new Map(prepared.columns.map((column, c) => [column.name, values[c]!])));
        inserted++;
        continue;
      }
      let changed = false;
      for (let c = keyWidth; c < prepared.columns.length; c++) {
        const name = prepared.columns[c]!.name;
        if ((row.get(name) ?? null) !== values[c]) {
          row.set(name, values[c]!);
          changed = true;
        }
      }
      if (changed) updated++;
    }
    this.tables.set(table, target);
    return { inserted, updated };
  }

  async readRecords(table: string, where?: RecordFilter): Promise<RecordRow[]> {
    this.checkOpen();
    checkRecordTable(table);
    const stored = this.tables.get(table);
    if (stored === undefined) return [];
    const filter = checkRecordFilter(table, where, stored.schema);
    const names = [...stored.schema.columns.keys()];
    const matching = [...stored.rows.values()].filter((row) =>
      filter.every(([name, value]) => row.get(name) === value),
    );
    const keyOf = (row: Map<string, RecordValue>) => stored.schema.key.map((name) => row.get(name)!);
    matching.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
    return matching.map((row) => Object.fromEntries(names.map((name) => [name, row.get(name) ?? null])));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.series.clear();
    this.tables.clear();
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
