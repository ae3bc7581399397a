import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Action, InvalidParameterError, StoreError, type Timeframe } from '@candlelab/core';
import type {
  AggregateInput,
  CommitResult,
  LogBatch,
  LogKind,
  LogQuery,
  LogRecord,
  PredictionLog,
} from './PredictionLog.js';

/** The little a SQL database must do for the log: parameterised statements ($1 …) and transactions. */
interface SqlClient {
  readonly location: string;
  /** `reuse`: the same text runs again and again (keep it prepared where that saves planning). */
  all(sql: string, params: readonly unknown[], reuse?: boolean): Promise<unknown[][]>;
  /** Runs `fn` in one transaction on one connection (rolled back when it throws). */
  transaction<T>(fn: (all: SqlClient['all']) => Promise<T>): Promise<T>;
  /**
   * Inserts `rows` ({@link COLUMNS} order) with `all`, skips known keys and returns the new ones
   * (one per result row), when the database has a faster way than {@link insertValues} for these
   * rows (else undefined). `standalone`: the insert is a transaction of its own, so a failed
   * statement leaves nothing behind and nothing to roll back.
   */
  insertNew?(
    all: SqlClient['all'],
    table: string,
    rows: readonly unknown[][],
    standalone: boolean,
  ): Promise<unknown[][]> | undefined;
  close(): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function identifier(option: string, name: string): string {
  if (!IDENTIFIER.test(name)) throw new InvalidParameterError(option, name, 'letters, digits and _ (a SQL identifier)');
  return `"${name}"`;
}

/** The log table's columns: name, SQL type (the same in DuckDB and PostgreSQL), constraint. */
const TABLE_COLUMNS: ReadonlyArray<readonly [name: string, type: string, constraint?: string]> = [
  ['key', 'TEXT', 'PRIMARY KEY'],
  ['kind', 'TEXT', 'NOT NULL'],
  ['symbol', 'TEXT', 'NOT NULL'],
  ['timeframe', 'TEXT', 'NOT NULL'],
  ['bar_time', 'BIGINT', 'NOT NULL'],
  ['decided_at', 'BIGINT', 'NOT NULL'],
  ['source', 'TEXT', 'NOT NULL'],
  ['model_version', 'INTEGER'],
  ['inputs_fingerprint', 'TEXT'],
  ['probabilities', 'TEXT'],
  ['inputs', 'TEXT'],
  ['action', 'TEXT', 'NOT NULL'],
  ['confidence', 'FLOAT8', 'NOT NULL'],
  ['size', 'FLOAT8'],
  ['outcome_due', 'BIGINT', 'NOT NULL'],
  ['outcome_return', 'FLOAT8'],
  ['outcome_known_at', 'BIGINT'],
];
const COLUMNS = TABLE_COLUMNS.map(([name]) => name).join(', ');
const COLUMN_COUNT = TABLE_COLUMNS.length;
/** Rows per INSERT statement (17 parameters each). */
const INSERT_CHUNK = 200;

/** A record as the statement parameters of one row, in {@link COLUMNS} order. */
function rowParams(r: LogRecord): unknown[] {
  return [
    r.key,
    r.kind,
    r.symbol,
    r.timeframe,
    r.barTime,
    r.decidedAt,
    r.source,
    r.modelVersion,
    r.inputsFingerprint,
    r.probabilities === null ? null : JSON.stringify(r.probabilities),
    r.inputs === null ? null : JSON.stringify(r.inputs),
    r.action,
    r.confidence,
    r.size,
    r.outcomeDue,
    r.outcomeReturn,
    r.outcomeKnownAt,
  ];
}

/** `INSERT … VALUES ($1, …), (…) ON CONFLICT (key) DO NOTHING RETURNING key`: one parameter per value. */
function insertValues(all: SqlClient['all'], table: string, rows: readonly unknown[][]): Promise<unknown[][]> {
  const values = rows
    .map((_, i) => `(${Array.from({ length: COLUMN_COUNT }, (_, j) => `$${i * COLUMN_COUNT + j + 1}`).join(', ')})`)
    .join(', ');
  return all(
    `INSERT INTO ${table} (${COLUMNS}) VALUES ${values} ON CONFLICT (key) DO NOTHING RETURNING key`,
    rows.flat(),
  );
}

/** The rows of one INSERT as DuckDB's type of a JSON array of objects, in {@link COLUMNS} order. */
const DUCKDB_ROWS_TYPE = `STRUCT(${TABLE_COLUMNS.map(([column, type]) => `${column} ${type}`).join(', ')})[]`;

/**
 * DuckDB binds each parameter separately: a 50-row batch as 850 parameters costs about twice the
 * whole INSERT of the same rows passed as one JSON parameter and unnested (measured 10–12 vs
 * 5.4 ms). A non-finite number has no JSON form (undefined: such rows take the parameter form).
 */
function duckDbRowsJson(rows: readonly unknown[][]): string | undefined {
  if (rows.some((row) => row.some((value) => typeof value === 'number' && !Number.isFinite(value)))) return undefined;
  return JSON.stringify(rows.map((row) => Object.fromEntries(TABLE_COLUMNS.map(([column], j) => [column, row[j]]))));
}

/** The INSERT of {@link duckDbRowsJson}'s rows, returning the inserted keys. */
function duckDbJsonInsert(table: string, onConflict: 'fail' | 'skip'): string {
  const skip = onConflict === 'skip' ? ' ON CONFLICT (key) DO NOTHING' : '';
  return `INSERT INTO ${table} (${COLUMNS}) SELECT unnest(CAST($1 AS JSON)::${DUCKDB_ROWS_TYPE}, recursive := true)${skip} RETURNING key`;
}

/** DuckDB's error for an INSERT that meets a key already in the table. */
function isDuplicateKey(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('Constraint Error: Duplicate key');
}

const SELECT_COLUMNS =
  'key, kind, symbol, timeframe, CAST(bar_time AS FLOAT8), CAST(decided_at AS FLOAT8), source, model_version, inputs_fingerprint, probabilities, inputs, action, confidence, size, CAST(outcome_due AS FLOAT8), outcome_return, CAST(outcome_known_at AS FLOAT8)';

/** The predictions log over any {@link SqlClient}: one table keyed by the record key. */
class SqlPredictionLog implements PredictionLog {
  private constructor(
    private readonly client: SqlClient,
    private readonly table: string,
  ) {}

  get location(): string {
    return this.client.location;
  }

  /** Creates the table when missing; `name` is the table's quoted (and qualified) SQL name. */
  static async open(client: SqlClient, name: string): Promise<SqlPredictionLog> {
    try {
      await client.all(
        `CREATE TABLE IF NOT EXISTS ${name} (${TABLE_COLUMNS.map(([column, type, constraint]) => [column, type, constraint].filter(Boolean).join(' ')).join(', ')})`,
        [],
      );
    } catch (error) {
      await client.close();
      throw new StoreError(`cannot create the predictions log table ${name} in ${client.location}`, { cause: error });
    }
    return new SqlPredictionLog(client, name);
  }

  async commit(batch: LogBatch): Promise<CommitResult> {
    const records = batch.records ?? [];
    const outcomes = batch.outcomes ?? [];
    for (const o of outcomes)
      if (!Number.isFinite(o.realizedReturn))
        throw new InvalidParameterError(`outcome ${o.key}.realizedReturn`, o.realizedReturn, 'a finite number');
    if (records.length === 0 && outcomes.length === 0) return { inserted: [], recorded: 0 };
    // One multi-row INSERT per chunk (a statement costs far more than a row); a key repeated
    // within the batch is kept once, like a key already in the table.
    const seen = new Set<string>();
    const unique = records.filter((r) => !seen.has(r.key) && seen.add(r.key));
    // A batch that is one statement is atomic on its own: no BEGIN/COMMIT round trips (the webhook
    // path commits a batch of alerts this way).
    const oneStatement = outcomes.length === 0 && unique.length <= INSERT_CHUNK;
    const write = async (all: SqlClient['all']): Promise<CommitResult> => {
      const insertedKeys = new Set<string>();
      for (let start = 0; start < unique.length; start += INSERT_CHUNK) {
        const chunk = unique.slice(start, start + INSERT_CHUNK).map(rowParams);
        const rows = await (this.client.insertNew?.(all, this.table, chunk, oneStatement) ??
          insertValues(all, this.table, chunk));
        for (const [key] of rows) insertedKeys.add(key as string);
      }
      const inserted = unique.filter((r) => insertedKeys.has(r.key)).map((r) => r.key);
      let recorded = 0;
      for (const o of outcomes) {
        const rows = await all(
          `UPDATE ${this.table} SET outcome_return = $1, outcome_known_at = $2 WHERE key = $3 AND outcome_return IS NULL RETURNING key`,
          [o.realizedReturn, o.knownAt, o.key],
        );
        recorded += rows.length;
      }
      return { inserted, recorded };
    };
    return oneStatement ? write(this.client.all) : this.client.transaction(write);
  }

  async query(query: LogQuery = {}): Promise<LogRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const match = (column: string, op: string, value: unknown) => {
      params.push(value);
      where.push(`${column} ${op} $${params.length}`);
    };
    if (query.kind !== undefined) match('kind', '=', query.kind);
    if (query.symbol !== undefined) match('symbol', '=', query.symbol);
    if (query.timeframe !== undefined) match('timeframe', '=', query.timeframe);
    if (query.source !== undefined) match('source', '=', query.source);
    if (query.from !== undefined) match('decided_at', '>=', query.from);
    if (query.to !== undefined) match('decided_at', '<=', query.to);
    if (query.dueBy !== undefined) match('outcome_due', '<=', query.dueBy);
    if (query.settled !== undefined) where.push(`outcome_return IS ${query.settled ? 'NOT ' : ''}NULL`);
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const newest = query.limit !== undefined && query.newest === true;
    const order = newest ? 'decided_at DESC, key DESC' : 'decided_at, key';
    const limit = query.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    const rows = await this.client.all(
      `SELECT ${SELECT_COLUMNS} FROM ${this.table}${filter} ORDER BY ${order}${limit}`,
      params,
    );
    const records = rows.map(toRecord);
    return newest ? records.reverse() : records;
  }

  async barTimeRange(
    source: string,
    symbol: string,
    timeframe: Timeframe,
  ): Promise<{ first: number; last: number } | undefined> {
    const rows = await this.client.all(
      `SELECT CAST(MIN(bar_time) AS FLOAT8), CAST(MAX(bar_time) AS FLOAT8) FROM ${this.table} WHERE source = $1 AND symbol = $2 AND timeframe = $3`,
      [source, symbol, timeframe],
    );
    const [first, last] = rows[0] ?? [];
    return first === null || first === undefined ? undefined : { first: Number(first), last: Number(last) };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toRecord(row: unknown[]): LogRecord {
  const [key, kind, symbol, timeframe, barTime, decidedAt, source, modelVersion, fingerprint, proba, inputs] = row;
  const [action, confidence, size, outcomeDue, outcomeReturn, outcomeKnownAt] = row.slice(11);
  return {
    key: String(key),
    kind: String(kind) as LogKind,
    symbol: String(symbol),
    timeframe: String(timeframe) as Timeframe,
    barTime: Number(barTime),
    decidedAt: Number(decidedAt),
    source: String(source),
    modelVersion: nullableNumber(modelVersion),
    inputsFingerprint: fingerprint === null ? null : String(fingerprint),
    probabilities: proba === null ? null : (JSON.parse(String(proba)) as (number | null)[]),
    inputs: inputs === null ? null : (JSON.parse(String(inputs)) as AggregateInput[]),
    action: String(action) as Action,
    confidence: Number(confidence),
    size: nullableNumber(size),
    outcomeDue: Number(outcomeDue),
    outcomeReturn: nullableNumber(outcomeReturn),
    outcomeKnownAt: nullableNumber(outcomeKnownAt),
  };
}

/**
 * The rows of a finished DuckDB statement. Read from its chunks in memory: a result reader fetches
 * each chunk (and the empty one after the last) as a job on the thread pool, and every such round
 * trip waits for a turn of the event loop, which on a busy server delays every batch.
 */
function materializedRows(result: import('@duckdb/node-api').DuckDBMaterializedResult): unknown[][] {
  const rows: unknown[][] = [];
  for (let i = 0; i < result.chunkCount; i++) rows.push(...result.getChunk(i).getRows());
  return rows;
}

export interface DuckDbPredictionLogOptions {
  /** Database file (its folder is created); `':memory:'` for none. Default `.candlelab/serve.duckdb`. */
  path?: string;
  /** Table name. Default `predictions`. */
  table?: string;
  /**
   * Checkpoint the write-ahead log into the file once the log has run no statement for this long
   * (ms) and the WAL holds at least `idleCheckpointWalBytes`. Default 250; 0 leaves checkpoints to
   * DuckDB, which runs one when the WAL reaches 16 MB, inside whichever batch crosses it (that batch
   * then waits 150–400 ms, more as the table grows).
   */
  idleCheckpointMs?: number;
  /** WAL size (bytes) from which an idle log checkpoints. Default 1 MiB. */
  idleCheckpointWalBytes?: number;
}

/** The embedded predictions log: a DuckDB file. Needs the `@duckdb/node-api` peer dependency. */
export async function openDuckDbPredictionLog(options: DuckDbPredictionLogOptions = {}): Promise<PredictionLog> {
  const path = options.path ?? '.candlelab/serve.duckdb';
  let duckdb: typeof import('@duckdb/node-api');
  try {
    duckdb = await import('@duckdb/node-api');
  } catch (error) {
    throw new StoreError('the DuckDB predictions log needs the peer dependency @duckdb/node-api', { cause: error });
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let instance: import('@duckdb/node-api').DuckDBInstance;
  try {
    // One thread: the log's statements are small, and DuckDB's worker threads would compete with
    // the server's own thread for the cores (webhook p99 65 → 55 ms at 50 concurrent, 2 cores).
    instance = await duckdb.DuckDBInstance.create(path, { threads: '1' });
  } catch (error) {
    throw new StoreError(`cannot open the predictions log ${path}`, { cause: error });
  }
  const connection = await instance.connect();
  let queue: Promise<unknown> = Promise.resolve();
  const idleMs = options.idleCheckpointMs ?? 250;
  const minWalBytes = options.idleCheckpointWalBytes ?? 1024 * 1024;
  let idleTimer: NodeJS.Timeout | undefined;
  let closed = false;
  /**
   * Checkpoints while nobody waits: after `idleMs` without a statement, a WAL over `minWalBytes`
   * goes into the file, so DuckDB's own checkpoint at 16 MB does not land inside a webhook's batch.
   */
  const armIdleCheckpoint = () => {
    if (idleMs <= 0 || path === ':memory:' || closed) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      const wal = `${path}.wal`;
      if (closed || !existsSync(wal) || statSync(wal).size < minWalBytes) return;
      void serial(() => connection.run('CHECKPOINT')).catch(() => undefined); // DuckDB's own checkpoint still runs later
    }, idleMs);
    idleTimer.unref();
  };
  /** One statement or transaction at a time on the one connection. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    void next.finally(armIdleCheckpoint).catch(() => undefined);
    return next;
  };
  /** The statements run with `reuse` (the log's few fixed INSERTs), prepared once. */
  const prepared = new Map<string, import('@duckdb/node-api').DuckDBPreparedStatement>();
  const all: SqlClient['all'] = async (sql, params, reuse) => {
    if (!reuse) return materializedRows(await connection.run(sql, params as never));
    let statement = prepared.get(sql);
    if (statement === undefined) {
      statement = await connection.prepare(sql);
      prepared.set(sql, statement);
    }
    statement.bind(params as never);
    return materializedRows(await statement.run());
  };
  const client: SqlClient = {
    location: path,
    all: (sql, params, reuse) => serial(() => all(sql, params, reuse)),
    insertNew: (run, table, rows, standalone) => {
      const json = duckDbRowsJson(rows);
      if (json === undefined) return undefined;
      if (!standalone) return run(duckDbJsonInsert(table, 'skip'), [json], true);
      // ON CONFLICT … DO NOTHING costs DuckDB about as much again as the INSERT itself, and
      // replays are rare: try the plain INSERT, which fails whole (and alone) on a known key.
      return run(duckDbJsonInsert(table, 'fail'), [json], true).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
        return run(duckDbJsonInsert(table, 'skip'), [json], true);
      });
    },
    transaction: (fn) =>
      serial(async () => {
        await connection.run('BEGIN TRANSACTION');
        try {
          const result = await fn(all);
          await connection.run('COMMIT');
          return result;
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    close: () =>
      serial(async () => {
        closed = true;
        clearTimeout(idleTimer);
        connection.closeSync();
        instance.closeSync();
      }),
  };
  return SqlPredictionLog.open(client, identifier('table', options.table ?? 'predictions'));
}

export interface PostgresPredictionLogOptions {
  /** Default `postgres://postgres@127.0.0.1:5432/test`. */
  connectionString?: string;
  /** Schema (created when missing). Default `public`. */
  schema?: string;
  /** Table name. Default `candlelab_predictions`. */
  table?: string;
}

/** The predictions log in PostgreSQL (several servers may share it). Needs the `pg` peer dependency. */
export async function openPostgresPredictionLog(options: PostgresPredictionLogOptions = {}): Promise<PredictionLog> {
  const connectionString = options.connectionString ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = identifier('schema', options.schema ?? 'public');
  let pg: typeof import('pg');
  try {
    pg = await import('pg');
  } catch (error) {
    throw new StoreError('the PostgreSQL predictions log needs the peer dependency pg', { cause: error });
  }
  const pool = new pg.Pool({ connectionString, max: 4 });
  const url = new URL(connectionString);
  url.password = '';
  const location = `${url.toString()}#${options.schema ?? 'public'}`;
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    await pool.end();
    throw new StoreError(`cannot open the predictions log at ${location}`, { cause: error });
  }
  const client: SqlClient = {
    location,
    all: async (sql, params) => (await pool.query({ text: sql, values: params as unknown[], rowMode: 'array' })).rows,
    transaction: async (fn) => {
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await fn(
          async (sql, params) =>
            (await connection.query({ text: sql, values: params as unknown[], rowMode: 'array' })).rows,
        );
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
  return SqlPredictionLog.open(client, `${schema}.${identifier('table', options.table ?? 'candlelab_predictions')}`);
}
