import { type Bars, barsLength, CandlelabError, emptyBars, InvalidParameterError, StoreError } from '@candlelab/core';
import type { CustomTypesConfig, Pool, PoolClient, PoolConfig } from 'pg';
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
  type TableSchema,
  toRecordValue,
} from './recordChecks.js';
import { checkRangeQuery, checkSeriesKey, checkWrite, sqlIdentifier } from './storeChecks.js';

/**
 * Settings passed to `pg`'s `Pool` (see node-postgres' `PoolConfig`; any other `pg` setting is
 * passed through too). Declared here so that the published types do not need `@types/pg`.
 */
export interface PostgresPoolOptions {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** Most connections the pool opens (pg's default 10). */
  max?: number;
  idleTimeoutMillis?: number;
  connectionTimeoutMillis?: number;
  /** `true` or TLS options (`{ rejectUnauthorized, ca, … }`). */
  ssl?: boolean | Record<string, unknown>;
  application_name?: string;
  statement_timeout?: number;
  [setting: string]: unknown;
}

export interface PostgresStoreOptions {
  /** Connection string, e.g. `postgres://postgres@127.0.0.1:5432/test`. Default: libpq environment variables (`PGHOST`, …). */
  connectionString?: string;
  /** Extra `pg` pool settings (host, user, database, max, …). Default `{}`. */
  pool?: PostgresPoolOptions;
  /** Schema holding the tables (created when missing). Default `'public'`. */
  schema?: string;
  /** Bars table name (the coverage table is `<table>_coverage`). Default `'market_data'`. */
  table?: string;
  /** Rows per `INSERT … SELECT FROM unnest(arrays)` statement (one array parameter per column). Default 50,000. */
  batchRows?: number;
}

/**
 * A {@link CandleStore} on PostgreSQL through `pg`: `market_data` keyed by (exchange, symbol,
 * timeframe, time) plus a coverage table. Each write is one transaction of batched multi-row
 * inserts (`INSERT … SELECT FROM unnest(column arrays) ON CONFLICT DO NOTHING`, one array parameter
 * per column) and the coverage row; concurrent writers of
 * overlapping bars are safe (the key decides, nothing is lost or doubled).
 *
 * Record tables ({@link RecordStore}) live in the same schema, and {@link query} runs plain SQL
 * through the store's pool.
 */
export class PostgresStore implements CandleStore, RecordStore {
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    /** Schema name as given. */
    private readonly schemaName: string,
    /** Bars table name as given. */
    private readonly tableName: string,
    private readonly table: string,
    private readonly coverageTable: string,
    private readonly batchRows: number,
    /** pg's type parsers, with `BIGINT` read as a number (within ±2^53) instead of a string. */
    private readonly types: CustomTypesConfig,
  ) {}

  /** Connects and creates the schema and tables when missing. Needs the `pg` peer dependency. */
  static async open(options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const schemaName = options.schema ?? 'public';
    const schema = sqlIdentifier('schema', schemaName);
    const tableName = options.table ?? 'market_data';
    const table = `${schema}.${sqlIdentifier('table', tableName)}`;
    const coverageTable = `${schema}.${sqlIdentifier('table', `${tableName}_coverage`)}`;
    const batchRows = options.batchRows ?? 50_000;
    if (!Number.isInteger(batchRows) || batchRows < 1) {
      throw new InvalidParameterError('batchRows', batchRows, 'expected a positive integer');
    }
    const pg = await loadPeer('PostgresStore', 'pg', () => import('pg'), StoreError);
    const config: PoolConfig = { ...(options.pool as PoolConfig) };
    if (options.connectionString !== undefined) config.connectionString = options.connectionString;
    const pool = new pg.Pool(config);
    try {
      const client = await pool.connect();
      try {
        // Advisory lock: concurrent `open` calls must not race on CREATE … IF NOT EXISTS.
        await client.query('SELECT pg_advisory_lock(727001)');
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${table} (exchange TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL, time BIGINT NOT NULL, open DOUBLE PRECISION NOT NULL, high DOUBLE PRECISION NOT NULL, low DOUBLE PRECISION NOT NULL, close DOUBLE PRECISION NOT NULL, volume DOUBLE PRECISION NOT NULL, PRIMARY KEY (exchange, symbol, timeframe, time))`,
        );
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${coverageTable} (exchange TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL, range_start BIGINT NOT NULL, range_end BIGINT NOT NULL)`,
        );
        await client.query('SELECT pg_advisory_unlock(727001)');
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreError(`cannot open PostgreSQL store: ${errorMessage(error)}`, { cause: error });
    }
    const types: CustomTypesConfig = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
    };
    return new PostgresStore(pool, schemaName, tableName, table, coverageTable, batchRows, types);
  }

  async write(bars: Bars, options: StoreWriteOptions): Promise<StoreWriteResult> {
    this.checkOpen();
    checkWrite(bars, options);
    const key = { exchange: options.exchange, symbol: bars.symbol, timeframe: bars.timeframe };
    return this.transaction(async (client) => {
      let inserted = 0;
      const n = barsLength(bars);
      for (let offset = 0; offset < n; offset += this.batchRows) {
        const stop = Math.min(n, offset + this.batchRows);
        const column = (values: Float64Array) => Array.from(values.subarray(offset, stop));
        const result = await client.query(
          `INSERT INTO ${this.table} (exchange, symbol, timeframe, time, open, high, low, close, volume) SELECT $1, $2, $3, t::bigint, o, h, l, c, v FROM unnest($4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[]) AS u(t, o, h, l, c, v) ON CONFLICT DO NOTHING`,
          [
            key.exchange,
            key.symbol,
            key.timeframe,
            column(bars.time),
            column(bars.open),
            column(bars.high),
            column(bars.low),
            column(bars.close),
            column(bars.volume),
          ],
        );
        inserted += result.rowCount ?? 0;
      }
      if (options.coverage) await this.insertCoverage(client, key, options.coverage);
      return { inserted };
    });
  }

  async read(query: RangeQuery): Promise<Bars> {
    this.checkOpen();
    checkRangeQuery(query);
    try {
      const result = await this.pool.query<number[]>({
        text: `SELECT time::float8, open, high, low, close, volume FROM ${this.table} WHERE exchange = $1 AND symbol = $2 AND timeframe = $3 AND time >= $4 AND time < $5 ORDER BY time`,
        values: [query.exchange, query.symbol, query.timeframe, query.start, query.end],
        rowMode: 'array',
      });
      const n = result.rows.length;
      const bars = emptyBars(query.symbol, query.timeframe, n);
      const { time, open, high, low, close, volume } = bars;
      for (let i = 0; i < n; i++) {
        const row = result.rows[i]!;
        time[i] = row[0]!;
        open[i] = row[1]!;
        high[i] = row[2]!;
        low[i] = row[3]!;
        close[i] = row[4]!;
        volume[i] = row[5]!;
      }
      return bars;
    } catch (error) {
      throw new StoreError(`PostgreSQL read failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  async readCoverage(key: SeriesKey): Promise<TimeRange[]> {
    this.checkOpen();
    checkSeriesKey(key);
    try {
      const result = await this.pool.query<number[]>({
        text: `SELECT range_start::float8, range_end::float8 FROM ${this.coverageTable} WHERE exchange = $1 AND symbol = $2 AND timeframe = $3`,
        values: [key.exchange, key.symbol, key.timeframe],
        rowMode: 'array',
      });
      return mergeRanges(result.rows.map((row) => ({ start: row[0]!, end: row[1]! })));
    } catch (error) {
      throw new StoreError(`PostgreSQL coverage read failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  async writeCoverage(key: SeriesKey, ranges: readonly TimeRange[]): Promise<void> {
    this.checkOpen();
    checkSeriesKey(key);
    const merged = mergeRanges(ranges);
    await this.transaction(async (client) => {
      for (const range of merged) await this.insertCoverage(client, key, range);
    });
  }

  async writeRecords<Row extends RecordRowInput<Row>>(
    table: string,
    rows: readonly Row[],
    options: WriteRecordsOptions<keyof Row & string>,
  ): Promise<WriteRecordsResult> {
    this.checkOpen();
    const prepared = prepareRecords(table, rows, options);
    if (table === this.tableName || table === `${this.tableName}_coverage`) {
      throw new InvalidParameterError('table', table, 'is a candle table of this store, not a record table');
    }
    if (prepared.rows.length === 0) return { inserted: 0, updated: 0 };
    return this.transaction((client) => this.writeRecordsIn(client, prepared), ` of table '${table}'`);
  }

  async readRecords(table: string, where?: RecordFilter): Promise<RecordRow[]> {
    this.checkOpen();
    checkRecordTable(table);
    const schema = await this.describeTable(this.pool, table).catch((error: unknown) => {
      throw new StoreError(`PostgreSQL read of table '${table}' failed: ${errorMessage(error)}`, { cause: error });
    });
    if (schema === undefined) return [];
    const filter = checkRecordFilter(table, where, schema);
    const conditions = filter.map(([name], i) => `${quoteIdentifier(name)} = $${i + 1}`);
    const order = schema.key.map(
      (k) => `${quoteIdentifier(k)}${schema.columns.get(k)?.type === 'text' ? ' COLLATE "C"' : ''}`,
    );
    try {
      const result = await this.pool.query<Record<string, unknown>>({
        text: `SELECT * FROM ${this.qualified(table)}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${order.join(', ')}`,
        values: filter.map(([, value]) => value),
        types: this.types,
      });
      return result.rows.map((row) => {
        const out: RecordRow = {};
        for (const [name, value] of Object.entries(row)) out[name] = toRecordValue(value, table, name);
        return out;
      });
    } catch (error) {
      if (error instanceof CandlelabError) throw error;
      throw new StoreError(`PostgreSQL read of table '${table}' failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /**
   * Runs one SQL statement through the store's pool and returns its rows as objects: e.g.
   * `query('SELECT count(*) AS n FROM trade_memory')`. Values in `params` are bound to `$1`, `$2`, …;
   * never paste values into `sql`. Results are `pg`'s JavaScript values, except `BIGINT`
   * (`count(*)`), which is a number within ±2^53 (else a `bigint`). Unqualified names resolve through
   * the connection's `search_path` (`public` unless configured), not the store's `schema`. A failing
   * statement is a `StoreError`.
   */
  async query(sql: string, params: readonly RecordValue[] = []): Promise<Record<string, unknown>[]> {
    this.checkOpen();
    try {
      const result = await this.pool.query<Record<string, unknown>>({
        text: sql,
        values: [...params],
        types: this.types,
      });
      return result.rows;
    } catch (error) {
      throw new StoreError(`PostgreSQL query failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async insertCoverage(client: PoolClient, key: SeriesKey, range: TimeRange): Promise<void> {
    await client.query(`INSERT INTO ${this.coverageTable} VALUES ($1, $2, $3, $4, $5)`, [
      key.exchange,
      key.symbol,
      key.timeframe,
      range.start,
      range.end,
    ]);
  }

  /**
   * One record write inside the caller's transaction. A transaction-scoped advisory lock on the
   * table serialises writers of it (so creating it and adding columns cannot race); then each batch
   * is one `INSERT … SELECT FROM unnest(column arrays) ON CONFLICT (key) DO UPDATE … WHERE changed`,
   * whose `RETURNING (xmax = 0)` tells inserted rows from updated ones (unchanged rows are not returned).
   */
  private async writeRecordsIn(client: PoolClient, prepared: PreparedRecords): Promise<WriteRecordsResult> {
    const table = this.qualified(prepared.table);
    await client.query('SELECT pg_advisory_xact_lock(727002, hashtext($1))', [table]);
    const schema = await this.describeTable(client, prepared.table);
    const added = planRecordSchema(prepared, schema);
    const definitions = added.map((c) => `${quoteIdentifier(c.name)} ${POSTGRES_TYPES[c.type!].create}`);
    if (schema === undefined) {
      await client.query(
        `CREATE TABLE ${table} (${definitions.join(', ')}, PRIMARY KEY (${prepared.key.map(quoteIdentifier).join(', ')}))`,
      );
    } else {
      for (const definition of definitions) await client.query(`ALTER TABLE ${table} ADD COLUMN ${definition}`);
    }
    const types = prepared.columns.map((c) => c.type ?? schema?.columns.get(c.name)?.type ?? 'text');
    const columns = prepared.columns.map((c) => quoteIdentifier(c.name));
    const keys = columns.slice(0, prepared.key.length);
    const others = columns.slice(prepared.key.length);
    const onConflict =
      others.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} WHERE ${others.map((c) => `target.${c} IS DISTINCT FROM EXCLUDED.${c}`).join(' OR ')}`;
    const arrays = types.map((type, c) => `$${c + 1}::${POSTGRES_TYPES[type].array}`).join(', ');
    const sql = `INSERT INTO ${table} AS target (${columns.join(', ')}) SELECT * FROM unnest(${arrays}) ON CONFLICT (${keys.join(', ')}) ${onConflict} RETURNING (xmax = 0) AS inserted`;
    let inserted = 0;
    let updated = 0;
    for (let offset = 0; offset < prepared.rows.length; offset += this.batchRows) {
      const chunk = prepared.rows.slice(offset, offset + this.batchRows);
      const result = await client.query<{ inserted: boolean }>(
        sql,
        prepared.columns.map((_, c) => chunk.map((row) => row[c])),
      );
      for (const row of result.rows) {
        if (row.inserted) inserted++;
        else updated++;
      }
    }
    return { inserted, updated };
  }

  /** The record table's columns and primary key (in key order), or `undefined` when it does not exist. */
  private async describeTable(client: Pool | PoolClient, table: string): Promise<TableSchema | undefined> {
    const columns = await client.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [this.schemaName, table],
    );
    if (columns.rows.length === 0) return undefined;
    const primary = await client.query<{ attname: string }>(
      'SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)',
      [this.qualified(table)],
    );
    const stored = columns.rows.map(({ column_name, data_type }) => {
      const type = (Object.keys(POSTGRES_TYPES) as RecordColumnType[]).find(
        (t) => POSTGRES_TYPES[t].name === data_type,
      );
      return [column_name, { sqlType: data_type, type }] as const;
    });
    return { columns: new Map(stored), key: primary.rows.map((row) => row.attname) };
  }

  /** A record table's name, quoted and qualified with the store's schema. */
  private qualified(table: string): string {
    return `${quoteIdentifier(this.schemaName)}.${quoteIdentifier(table)}`;
  }

  /** Runs `fn` in one transaction; a database failure is a `StoreError` naming `what` (e.g. ` of table 'x'`). */
  private async transaction<T>(fn: (client: PoolClient) => Promise<T>, what = ''): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new StoreError(`PostgreSQL connection failed: ${errorMessage(error)}`, { cause: error });
    }
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof CandlelabError) throw error; // a refused write (bad rows, schema mismatch) as it is
      throw new StoreError(`PostgreSQL write${what} failed: ${errorMessage(error)}`, { cause: error });
    } finally {
      client.release();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('PostgresStore is closed');
  }
}

/** PostgreSQL's type of each record column type: its name in `information_schema`, in DDL and as an array cast. */
const POSTGRES_TYPES: Record<RecordColumnType, { name: string; create: string; array: string }> = {
  double: { name: 'double precision', create: 'DOUBLE PRECISION', array: 'float8[]' },
  text: { name: 'text', create: 'TEXT', array: 'text[]' },
  boolean: { name: 'boolean', create: 'BOOLEAN', array: 'boolean[]' },
};

/** PostgreSQL's type id of `BIGINT` (int8). */
const INT8_OID = 20;

/** `BIGINT` text as a number when exact, else as a `bigint`. */
function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
