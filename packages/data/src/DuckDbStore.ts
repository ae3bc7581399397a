import { resolve } from 'node:path';
import {
  type Bars,
  barsLength,
  CandlelabError,
  copyBars,
  emptyBars,
  InvalidParameterError,
  OHLCV_FIELDS,
  StoreError,
  sliceBars,
  timeframeToMs,
} from '@candlelab/core';
import type { DuckDBConnection, DuckDBInstance, DuckDBVector } from '@duckdb/node-api';
import type {
  CandleStore,
  RangeQuery,
  SeriesKey,
  StoreWriteOptions,
  StoreWriteResult,
  TimeRange,
} from './CandleStore.js';
import { loadPeer } from './loadPeer.js';
import type {
  RecordColumnType,
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
  type PreparedRecords,
  planRecordSchema,
  prepareRecords,
  quoteIdentifier,
  type StoredColumn,
  type TableSchema,
  toRecordValue,
} from './recordChecks.js';
import { sortBarsByTime } from './sortBarsByTime.js';
import { checkRangeQuery, checkSeriesKey, checkWrite, sqlIdentifier } from './storeChecks.js';

export interface DuckDbStoreOptions {
  /** Database file; `':memory:'` for an in-memory database. Default `'candlelab.duckdb'`. */
  path?: string;
  /** Bars table name (the coverage table is `<table>_coverage`). Default `'market_data'`. */
  table?: string;
  /** Times a write is retried after a write-write conflict with another connection. Default 5. */
  conflictRetries?: number;
}

/** Largest preallocation of a read before any row has arrived (2^20 bars, 48 MB). */
const INITIAL_READ_CAPACITY = 1 << 20;

/** Rows per DuckDB data chunk (DuckDB's standard vector size). */
const CHUNK_ROWS = 2048;

/**
 * The connection-local staging table of record writes. The hyphen keeps it apart from every record
 * table (their names are checked identifiers), which a temp table of the same name would shadow.
 */
const RECORD_STAGING_NAME = 'record-staging';
const RECORD_STAGING = `"${RECORD_STAGING_NAME}"`;

/** DuckDB's SQL type of each record column type. */
const DUCKDB_TYPES: Record<RecordColumnType, string> = { double: 'DOUBLE', text: 'VARCHAR', boolean: 'BOOLEAN' };

/**
 * The embedded default {@link CandleStore}: one DuckDB file holding `market_data` (primary key
 * exchange, symbol, timeframe, time) and its coverage table. Writes go through DuckDB's appender,
 * straight into the table when the range holds no bar yet (keeping the table in time order), else
 * into a connection-local staging table and then `INSERT … ON CONFLICT DO NOTHING`; the coverage row
 * commits in the same transaction. Reads materialize the result in DuckDB (a parallel scan) and copy
 * its vectors straight into `Float64Array`s.
 * Stores opened on the same path in one process share one DuckDB instance (separate connections;
 * conflicts between them are retried); the last `close` releases the file. DuckDB allows one
 * writing process per file.
 *
 * The same file holds record tables ({@link RecordStore}) in its `main` schema, and {@link query}
 * runs plain SQL on them (or on the candles) through this store's connection.
 */
export class DuckDbStore implements CandleStore, RecordStore {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly release: () => void,
    /** Bars table name as given, for the appender. */
    private readonly tableName: string,
    /** Bars table name quoted for SQL. */
    private readonly table: string,
    private readonly coverageTable: string,
    private readonly conflictRetries: number,
    /** Database file as given (`':memory:'` for none), named in every error. */
    private readonly path: string,
  ) {}

  /** Opens (creating when needed) the database file and its tables. Needs the `@duckdb/node-api` peer dependency. */
  static async open(options: DuckDbStoreOptions = {}): Promise<DuckDbStore> {
    const table = options.table ?? 'market_data';
    const tableSql = sqlIdentifier('table', table);
    const coverageSql = sqlIdentifier('table', `${table}_coverage`);
    const conflictRetries = options.conflictRetries ?? 5;
    const path = options.path ?? 'candlelab.duckdb';
    const duckdb = await loadDuckDb();
    const shared = acquireInstance(path, () => duckdb.DuckDBInstance.create(path));
    let connection: DuckDBConnection;
    try {
      connection = await (await shared.instance).connect();
      const ddl = connection;
      await retryOnConflict(conflictRetries, () =>
        ddl.run(
          `CREATE TABLE IF NOT EXISTS ${tableSql} (exchange VARCHAR NOT NULL, symbol VARCHAR NOT NULL, timeframe VARCHAR NOT NULL, time BIGINT NOT NULL, open DOUBLE NOT NULL, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL, volume DOUBLE NOT NULL, PRIMARY KEY (exchange, symbol, timeframe, time))`,
        ),
      );
      await retryOnConflict(conflictRetries, () =>
        ddl.run(
          `CREATE TABLE IF NOT EXISTS ${coverageSql} (exchange VARCHAR NOT NULL, symbol VARCHAR NOT NULL, timeframe VARCHAR NOT NULL, range_start BIGINT NOT NULL, range_end BIGINT NOT NULL)`,
        ),
      );
      await connection.run(
        'CREATE TEMP TABLE IF NOT EXISTS candle_staging (time DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE)',
      );
    } catch (error) {
      shared.release();
      throw new StoreError(`cannot open DuckDB store at ${path}`, { cause: error });
    }
    return new DuckDbStore(connection, shared.release, table, tableSql, coverageSql, conflictRetries, path);
  }

  async write(bars: Bars, options: StoreWriteOptions): Promise<StoreWriteResult> {
    checkWrite(bars, options);
    return this.serial(() => this.withConflictRetry(() => this.writeOnce(bars, options)));
  }

  async read(query: RangeQuery): Promise<Bars> {
    checkRangeQuery(query);
    return this.serialRead(async () => {
      // Materialized: DuckDB scans in parallel into its own buffers in one call; the chunks are then
      // fetched synchronously (a streamed result costs an async round trip per 2,048-row chunk).
      const result = await this.connection.run(
        `SELECT CAST(time AS DOUBLE), open, high, low, close, volume FROM ${this.table} WHERE exchange = $1 AND symbol = $2 AND timeframe = $3 AND time >= $4 AND time < $5`,
        [query.exchange, query.symbol, query.timeframe, BigInt(query.start), BigInt(query.end)],
      );
      // Sized for a gapless range (exact in the common case), grown by doubling when needed.
      const gridCount = Math.ceil((query.end - query.start) / timeframeToMs(query.timeframe));
      let bars = emptyBars(query.symbol, query.timeframe, Math.min(gridCount, INITIAL_READ_CAPACITY));
      let n = 0;
      for (let c = 0; c < result.chunkCount; c++) {
        const chunk = result.getChunk(c);
        const rows = chunk.rowCount;
        if (n + rows > bars.time.length) bars = grow(bars, Math.max(n + rows, 2 * bars.time.length));
        const columns = [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume];
        for (let j = 0; j < 6; j++) copyDoubleVector(chunk.getColumnVector(j), rows, columns[j]!, n);
        n += rows;
      }
      // Trim: a view when little is unused, else a compact copy.
      if (n < bars.time.length) bars = 2 * n >= bars.time.length ? sliceBars(bars, 0, n) : copyBars(bars, 0, n);
      // Parallel inserts and scans interleave row groups: restore time order (O(n) on the grid) when needed.
      return sortBarsByTime(bars);
    });
  }

  async readCoverage(key: SeriesKey): Promise<TimeRange[]> {
    checkSeriesKey(key);
    return this.serialRead(async () => {
      const reader = await this.connection.runAndReadAll(
        `SELECT CAST(range_start AS DOUBLE), CAST(range_end AS DOUBLE) FROM ${this.coverageTable} WHERE exchange = $1 AND symbol = $2 AND timeframe = $3`,
        [key.exchange, key.symbol, key.timeframe],
      );
      return mergeRanges(reader.getRows().map(([start, end]) => ({ start: Number(start), end: Number(end) })));
    });
  }

  async writeCoverage(key: SeriesKey, ranges: readonly TimeRange[]): Promise<void> {
    checkSeriesKey(key);
    const merged = mergeRanges(ranges);
    return this.serial(() =>
      this.withConflictRetry(async () => {
        await this.connection.run('BEGIN TRANSACTION');
        try {
          for (const range of merged) await this.insertCoverage(key, range);
          await this.connection.run('COMMIT');
        } catch (error) {
          await this.rollback();
          throw error;
        }
      }),
    );
  }

  async writeRecords<Row extends RecordRowInput<Row>>(
    table: string,
    rows: readonly Row[],
    options: WriteRecordsOptions<keyof Row & string>,
  ): Promise<WriteRecordsResult> {
    const prepared = prepareRecords(table, rows, options);
    const candleTables = [this.tableName.toLowerCase(), `${this.tableName.toLowerCase()}_coverage`, 'candle_staging'];
    if (candleTables.includes(table)) {
      throw new InvalidParameterError('table', table, 'is a candle table of this store, not a record table');
    }
    if (prepared.rows.length === 0) return { inserted: 0, updated: 0 };
    return this.serial(() => this.withConflictRetry(() => this.writeRecordsOnce(prepared), ` of table '${table}'`));
  }

  async readRecords(table: string, where?: RecordFilter): Promise<RecordRow[]> {
    checkRecordTable(table);
    return this.serialRead(async () => {
      const schema = await this.describeTable(table);
      if (schema === undefined) return [];
      const filter = checkRecordFilter(table, where, schema);
      const conditions = filter.map(([name], i) => `${quoteIdentifier(name)} = $${i + 1}`);
      const reader = await this.connection.runAndReadAll(
        `SELECT * FROM ${quoteIdentifier(table)}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${schema.key.map(quoteIdentifier).join(', ')}`,
        filter.map(([, value]) => value),
      );
      const names = reader.columnNames();
      return reader.getRowsJS().map((row) => {
        const out: RecordRow = {};
        names.forEach((name, c) => {
          out[name] = toRecordValue(row[c], table, name);
        });
        return out;
      });
    });
  }

  /**
   * Runs one SQL statement on this store's connection, after the store's pending writes, and
   * returns its rows as objects: e.g. `query('SELECT count(*) AS n FROM trade_memory')`. Values in
   * `params` are bound to `$1`, `$2`, …; never paste values into `sql`. Results are JavaScript
   * values: integers (`BIGINT`, `count(*)`) as numbers within ±2^53 (else `bigint`), timestamps as
   * `Date`, decimals as numbers. A failing statement is a `StoreError` naming the file.
   */
  async query(sql: string, params: readonly RecordValue[] = []): Promise<Record<string, unknown>[]> {
    return this.serialRead(async () => {
      const reader = await this.connection.runAndReadAll(sql, [...params]);
      return reader.getRowObjectsJS().map((row) => {
        for (const [name, value] of Object.entries(row)) {
          if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) row[name] = Number(value);
        }
        return row;
      });
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.release();
  }

  private async writeOnce(bars: Bars, options: StoreWriteOptions): Promise<StoreWriteResult> {
    const key = { exchange: options.exchange, symbol: bars.symbol, timeframe: bars.timeframe };
    await this.connection.run('BEGIN TRANSACTION');
    try {
      let inserted = 0;
      const n = barsLength(bars);
      if (n > 0) {
        const overlap = await this.connection.runAndReadAll(
          `SELECT count(*) FROM ${this.table} WHERE exchange = $1 AND symbol = $2 AND timeframe = $3 AND time >= $4 AND time <= $5`,
          [key.exchange, key.symbol, key.timeframe, BigInt(bars.time[0]!), BigInt(bars.time[n - 1]!)],
        );
        if (Number(overlap.getRows()[0]?.[0] ?? 0) === 0) {
          // Nothing to skip: append straight into the table, which keeps it in time order (a
          // concurrent writer of the same bars makes the commit fail and the retry take the other path).
          await this.append(bars, key);
          inserted = n;
        } else {
          await this.connection.run('DELETE FROM candle_staging');
          await this.append(bars);
          const result = await this.connection.run(
            `INSERT INTO ${this.table} SELECT $1, $2, $3, CAST(time AS BIGINT), open, high, low, close, volume FROM candle_staging ON CONFLICT DO NOTHING`,
            [key.exchange, key.symbol, key.timeframe],
          );
          inserted = result.rowsChanged;
        }
      }
      if (options.coverage) await this.insertCoverage(key, options.coverage);
      await this.connection.run('COMMIT');
      return { inserted };
    } catch (error) {
      await this.rollback();
      throw error;
    }
  }

  /**
   * Appends bars through DuckDB's appender, one data chunk at a time: into the staging table (six
   * DOUBLE columns) or, with `key`, straight into the bars table.
   */
  private async append(bars: Bars, key?: SeriesKey): Promise<void> {
    const duckdb = await loadDuckDb();
    const appender =
      key === undefined
        ? await this.connection.createAppender('candle_staging', 'main', 'temp')
        : await this.connection.createAppender(this.tableName);
    const prices = [bars.open, bars.high, bars.low, bars.close, bars.volume];
    const types =
      key === undefined
        ? [duckdb.DOUBLE, ...prices.map(() => duckdb.DOUBLE)]
        : [duckdb.VARCHAR, duckdb.VARCHAR, duckdb.VARCHAR, duckdb.BIGINT, ...prices.map(() => duckdb.DOUBLE)];
    const first = key === undefined ? 1 : 4;
    const n = barsLength(bars);
    try {
      for (let offset = 0; offset < n; offset += CHUNK_ROWS) {
        const rows = Math.min(CHUNK_ROWS, n - offset);
        const chunk = duckdb.DuckDBDataChunk.create(types, rows);
        if (key !== undefined) {
          const ids = [key.exchange, key.symbol, key.timeframe];
          for (let j = 0; j < 3; j++) {
            const vector = chunk.getColumnVector(j);
            for (let r = 0; r < rows; r++) vector.setItem(r, ids[j]!);
            vector.flush();
          }
          const time = chunk.getColumnVector(3);
          for (let r = 0; r < rows; r++) time.setItem(r, BigInt(bars.time[offset + r]!));
          time.flush();
        } else {
          const time = chunk.getColumnVector(0);
          for (let r = 0; r < rows; r++) time.setItem(r, bars.time[offset + r]!);
          time.flush();
        }
        for (let j = 0; j < prices.length; j++) {
          const vector = chunk.getColumnVector(first + j);
          const column = prices[j]!;
          for (let r = 0; r < rows; r++) vector.setItem(r, column[offset + r]!);
          vector.flush();
        }
        appender.appendDataChunk(chunk);
      }
    } finally {
      appender.closeSync();
    }
  }

  /**
   * One record write in one transaction: create the table or add its new columns, append the rows
   * through DuckDB's appender into a connection-local staging table, count the keys already present
   * (within the transaction's snapshot), then one `INSERT … SELECT … ON CONFLICT (key) DO UPDATE …
   * WHERE changed`, whose changed-row count less the new keys is the updated rows.
   */
  private async writeRecordsOnce(prepared: PreparedRecords): Promise<WriteRecordsResult> {
    const duckdb = await loadDuckDb();
    const table = quoteIdentifier(prepared.table);
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const schema = await this.describeTable(prepared.table);
      const added = planRecordSchema(prepared, schema);
      const definitions = added.map((c) => `${quoteIdentifier(c.name)} ${DUCKDB_TYPES[c.type!]}`);
      if (schema === undefined) {
        await this.connection.run(
          `CREATE TABLE IF NOT EXISTS ${table} (${definitions.join(', ')}, PRIMARY KEY (${prepared.key.map(quoteIdentifier).join(', ')}))`,
        );
      } else {
        for (const definition of definitions) {
          await this.connection.run(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${definition}`);
        }
      }
      // A column NULL in every row (so untyped here) already exists in the table: stage it with that type.
      const types = prepared.columns.map((c) => c.type ?? schema?.columns.get(c.name)?.type ?? 'text');
      const columns = prepared.columns.map((c) => quoteIdentifier(c.name));
      await this.connection.run(
        `CREATE OR REPLACE TEMP TABLE ${RECORD_STAGING} (${columns.map((c, i) => `${c} ${DUCKDB_TYPES[types[i]!]}`).join(', ')})`,
      );
      const appender = await this.connection.createAppender(RECORD_STAGING_NAME, 'main', 'temp');
      const chunkTypes = types.map(
        (type) => ({ double: duckdb.DOUBLE, text: duckdb.VARCHAR, boolean: duckdb.BOOLEAN })[type],
      );
      try {
        for (let offset = 0; offset < prepared.rows.length; offset += CHUNK_ROWS) {
          const rows = prepared.rows.slice(offset, offset + CHUNK_ROWS);
          const chunk = duckdb.DuckDBDataChunk.create(chunkTypes, rows.length);
          chunk.setRows(rows);
          appender.appendDataChunk(chunk);
        }
      } finally {
        appender.closeSync();
      }
      const keys = columns.slice(0, prepared.key.length);
      const others = columns.slice(prepared.key.length);
      const present = await this.connection.runAndReadAll(
        `SELECT count(*) FROM ${table} JOIN ${RECORD_STAGING} AS incoming ON ${keys.map((k) => `${table}.${k} = incoming.${k}`).join(' AND ')}`,
      );
      const inserted = prepared.rows.length - Number(present.getRows()[0]?.[0] ?? 0);
      const onConflict =
        others.length === 0
          ? 'DO NOTHING'
          : `DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} WHERE ${others.map((c) => `${table}.${c} IS DISTINCT FROM EXCLUDED.${c}`).join(' OR ')}`;
      const result = await this.connection.run(
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${RECORD_STAGING} ON CONFLICT (${keys.join(', ')}) ${onConflict}`,
      );
      await this.connection.run(`DROP TABLE ${RECORD_STAGING}`);
      await this.connection.run('COMMIT');
      return { inserted, updated: result.rowsChanged - inserted };
    } catch (error) {
      await this.rollback();
      throw error;
    }
  }

  /** The record table's columns and primary key, or `undefined` when it does not exist. */
  private async describeTable(table: string): Promise<TableSchema | undefined> {
    const columns = await this.connection.runAndReadAll(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    const rows = columns.getRows() as [string, string][];
    if (rows.length === 0) return undefined;
    const primary = await this.connection.runAndReadAll(
      "SELECT constraint_column_names FROM duckdb_constraints() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1 AND constraint_type = 'PRIMARY KEY'",
      [table],
    );
    const key = (primary.getRowsJS()[0]?.[0] ?? []) as string[];
    return { columns: new Map(rows.map(([name, sqlType]) => [name, storedColumn(sqlType)])), key };
  }

  private async insertCoverage(key: SeriesKey, range: TimeRange): Promise<void> {
    await this.connection.run(`INSERT INTO ${this.coverageTable} VALUES ($1, $2, $3, $4, $5)`, [
      key.exchange,
      key.symbol,
      key.timeframe,
      BigInt(range.start),
      BigInt(range.end),
    ]);
  }

  private async rollback(): Promise<void> {
    try {
      await this.connection.run('ROLLBACK');
    } catch {
      // DuckDB already rolled the failed transaction back.
    }
  }

  /** Runs a write transaction, retried on conflicts; a database failure is a `StoreError` naming the file and `what`. */
  private async withConflictRetry<T>(fn: () => Promise<T>, what = ''): Promise<T> {
    try {
      return await retryOnConflict(this.conflictRetries, fn);
    } catch (error) {
      if (error instanceof CandlelabError) throw error; // a refused write (bad rows, schema mismatch) as it is
      throw new StoreError(`DuckDB write${what} to ${this.path} failed: ${messageOf(error)}`, { cause: error });
    }
  }

  /**
   * A read through {@link serial} whose failure (e.g. DuckDB's `IO Error: Corrupt database file`
   * found by a block checksum only when the block is read) is a `StoreError` naming the file.
   */
  private serialRead<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial(async () => {
      try {
        return await fn();
      } catch (error) {
        if (error instanceof CandlelabError) throw error; // a refused query (e.g. an unknown column) as it is
        throw new StoreError(`DuckDB read from ${this.path} failed: ${messageOf(error)}`, { cause: error });
      }
    });
  }

  /** One operation at a time on this store's connection (a transaction must not interleave with another). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('DuckDbStore is closed'));
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * Copies a DOUBLE result vector into `out` at `offset`. The columns are NOT NULL, so validity can be
 * ignored and the vector's backing `Float64Array` (DuckDB's own buffer, not part of the typed API)
 * is copied with one `set`; when a future @duckdb/node-api hides it, the per-item path is used.
 */
function copyDoubleVector(vector: DuckDBVector, rows: number, out: Float64Array, offset: number): void {
  const items = (vector as unknown as { items?: unknown }).items;
  if (items instanceof Float64Array && items.length >= rows) {
    out.set(items.subarray(0, rows), offset);
    return;
  }
  for (let r = 0; r < rows; r++) out[offset + r] = vector.getItem(r) as number;
}

interface SharedInstance {
  instance: Promise<DuckDBInstance>;
  refs: number;
}

/** Open DuckDB instances by file path: stores on one file in this process share one instance (one file lock). */
const instances = new Map<string, SharedInstance>();

/**
 * The shared instance for `path` (created on first use) and a release function; the last release
 * closes the instance, which frees the file for other processes. `:memory:` databases are never shared.
 */
function acquireInstance(
  path: string,
  create: () => Promise<DuckDBInstance>,
): { instance: Promise<DuckDBInstance>; release: () => void } {
  const key = path === ':memory:' ? undefined : resolve(path);
  let shared = key === undefined ? undefined : instances.get(key);
  if (!shared) {
    shared = { instance: create(), refs: 0 };
    if (key !== undefined) instances.set(key, shared);
  }
  const entry = shared;
  entry.refs++;
  let released = false;
  return {
    instance: entry.instance,
    release: () => {
      if (released) return;
      released = true;
      entry.refs--;
      if (entry.refs > 0) return;
      if (key !== undefined) instances.delete(key);
      entry.instance.then((instance) => instance.closeSync()).catch(() => undefined);
    },
  };
}

/** A copy of the first rows of `bars` in columns of `capacity` rows. */
function grow(bars: Bars, capacity: number): Bars {
  const out = emptyBars(bars.symbol, bars.timeframe, capacity);
  for (const column of ['time', ...OHLCV_FIELDS] as const) out[column].set(bars[column]);
  return out;
}

/**
 * Runs `fn` again (after 5, 10, 20 … ms) when it failed on a conflict with another connection's
 * transaction: a write-write conflict, or a key inserted and committed by the other writer after
 * this transaction started (DuckDB reports that as a duplicate key even under `DO NOTHING`; once
 * retried, the row is visible and skipped).
 */
async function retryOnConflict<T>(retries: number, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= retries || error instanceof CandlelabError || !/conflict|duplicate/i.test(message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt));
    }
  }
}

function loadDuckDb(): Promise<typeof import('@duckdb/node-api')> {
  return loadPeer('DuckDbStore', '@duckdb/node-api', () => import('@duckdb/node-api'), StoreError);
}

/** A DuckDB column type as a record column type, when it is one. */
function storedColumn(sqlType: string): StoredColumn {
  const type = (Object.keys(DUCKDB_TYPES) as RecordColumnType[]).find((t) => DUCKDB_TYPES[t] === sqlType);
  return { sqlType, type };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
