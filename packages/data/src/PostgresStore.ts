import { type Bars, barsLength, emptyBars, InvalidParameterError, StoreError } from '@candlelab/core';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import type {
  CandleStore,
  RangeQuery,
  SeriesKey,
  StoreWriteOptions,
  StoreWriteResult,
  TimeRange,
} from './CandleStore.js';
import { mergeRanges } from './ranges.js';
import { checkRangeQuery, checkSeriesKey, checkWrite, sqlIdentifier } from './storeChecks.js';

export interface PostgresStoreOptions {
  /** Connection string, e.g. `postgres://postgres@127.0.0.1:5432/test`. Default: libpq environment variables (`PGHOST`, …). */
  connectionString?: string;
  /** Extra `pg` pool settings (host, user, database, max, …). Default `{}`. */
  pool?: PoolConfig;
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
 */
export class PostgresStore implements CandleStore {
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly table: string,
    private readonly coverageTable: string,
    private readonly batchRows: number,
  ) {}

  /** Connects and creates the schema and tables when missing. Needs the `pg` peer dependency. */
  static async open(options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const schema = sqlIdentifier('schema', options.schema ?? 'public');
    const tableName = options.table ?? 'market_data';
    const table = `${schema}.${sqlIdentifier('table', tableName)}`;
    const coverageTable = `${schema}.${sqlIdentifier('table', `${tableName}_coverage`)}`;
    const batchRows = options.batchRows ?? 50_000;
    if (!Number.isInteger(batchRows) || batchRows < 1) {
      throw new InvalidParameterError('batchRows', batchRows, 'expected a positive integer');
    }
    let pg: typeof import('pg');
    try {
      pg = await import('pg');
    } catch (error) {
      throw new StoreError('PostgresStore needs the peer dependency pg: pnpm add pg', { cause: error });
    }
    const config: PoolConfig = { ...options.pool };
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
    return new PostgresStore(pool, table, coverageTable, batchRows);
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

  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
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
      throw new StoreError(`PostgreSQL write failed: ${errorMessage(error)}`, { cause: error });
    } finally {
      client.release();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('PostgresStore is closed');
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
