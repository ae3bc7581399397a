import { CandlelabError, InvalidParameterError, StoreError } from '@candlelab/core';
import type { PostgresPoolOptions } from '@candlelab/data';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { decidePromotion } from './decidePromotion.js';
import { decodeMetrics, decodeModel } from './decodeModel.js';
import {
  type BestOptions,
  compareManifests,
  type GateInput,
  type LoadedModel,
  type ModelFilter,
  type ModelStore,
  newestManifest,
  type PromoteOptions,
  type PromotionResult,
  type RegisterInput,
  type RegistryProblem,
  type ScanResult,
  warnProblem,
} from './ModelStore.js';
import { type Manifest, parseManifest, type StageChange, type StoredGates } from './manifest.js';
import { METRICS_FILE, normalizeGates, prepareRegistration } from './prepareRegistration.js';
import { type Stage, StageSchema } from './stages.js';

export interface PostgresRegistryOptions {
  /** Connection string, e.g. `postgres://postgres@127.0.0.1:5432/test`. Default: libpq environment variables (`PGHOST`, …). */
  connectionString?: string;
  /** Extra `pg` pool settings (host, user, database, max, …). Default `{}`. */
  pool?: PostgresPoolOptions;
  /** Schema holding the tables (created when missing). Default `public`. */
  schema?: string;
  /**
   * Prefix of the four tables (`<prefix>models`, `<prefix>model_files`, `<prefix>stage_history`,
   * `<prefix>versions`); lowercase letters, digits and `_`. Default `candlelab_`.
   */
  tablePrefix?: string;
  /** Registry-level gates per target stage, evaluated with each model's stored gates. Default `{}`. */
  gates?: Readonly<Partial<Record<Stage, readonly GateInput[]>>>;
  /** Called for each unreadable row that `list`, `latest` and `best` skip. Default: a process warning. */
  onProblem?: (problem: RegistryProblem) => void;
}

const PREFIX_PATTERN = /^[a-z_][a-z0-9_]{0,40}$/;

interface ModelRow {
  id: string;
  strategy: string;
  symbol: string;
  timeframe: string;
  version: number;
  created_at: string;
  model_kind: string;
  stage: string;
  meta: Record<string, unknown>;
}

interface HistoryRow {
  model_id: string;
  from_stage: string | null;
  to_stage: string;
  at: string;
  reason: string;
  forced: boolean;
  by: string | null;
  gates: unknown;
  metrics: unknown;
}

/**
 * The model registry on PostgreSQL, for several machines: every worker and every `serve` process
 * sees the same models. Same semantics as the file `ModelRegistry`: model metadata, the stage
 * and the stage history live in tables, artifacts as `bytea` checked against the sha256 in the
 * manifest on every read; versions are allocated atomically (a per-series counter row updated in
 * the registering transaction), and promotions evaluate the stored gates under a row lock.
 */
export class PostgresModelRegistry implements ModelStore {
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    readonly location: string,
    private readonly tables: {
      models: string;
      files: string;
      history: string;
      versions: string;
      registrations: string;
    },
    private readonly gates: StoredGates,
    private readonly onProblem: (problem: RegistryProblem) => void,
  ) {}

  /** Connects and creates the schema and tables when missing. Needs the `pg` peer dependency. */
  static async open(options: PostgresRegistryOptions = {}): Promise<PostgresModelRegistry> {
    const schemaName = options.schema ?? 'public';
    const prefix = options.tablePrefix ?? 'candlelab_';
    if (!PREFIX_PATTERN.test(schemaName))
      throw new InvalidParameterError('schema', schemaName, 'expected lowercase letters, digits and "_"');
    if (!PREFIX_PATTERN.test(prefix))
      throw new InvalidParameterError('tablePrefix', prefix, 'expected lowercase letters, digits and "_"');
    const gates = normalizeGates(options.gates ?? {});
    let pg: typeof import('pg').default;
    try {
      pg = (await import('pg')).default;
    } catch (error) {
      throw new StoreError('PostgresModelRegistry needs the peer dependency pg: npm install pg', { cause: error });
    }
    const schema = pg.escapeIdentifier(schemaName);
    const table = (name: string) => `${schema}.${pg.escapeIdentifier(`${prefix}${name}`)}`;
    const tables = {
      models: table('models'),
      files: table('model_files'),
      history: table('stage_history'),
      versions: table('versions'),
      registrations: table('registrations'),
    };
    const config: PoolConfig = { ...(options.pool as PoolConfig) };
    if (options.connectionString !== undefined) config.connectionString = options.connectionString;
    const pool = new pg.Pool(config);
    const registry = new PostgresModelRegistry(
      pool,
      `${describeConnection(config)}/${schemaName}.${prefix}`,
      tables,
      gates,
      options.onProblem ?? warnProblem,
    );
    try {
      await registry.transaction(async (client) => {
        // Concurrent `open` calls must not race on CREATE … IF NOT EXISTS.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `candlelab-registry:${schemaName}.${prefix}`,
        ]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${tables.models} (id TEXT PRIMARY KEY, strategy TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL, series_key TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, model_kind TEXT NOT NULL, stage TEXT NOT NULL, meta JSONB NOT NULL, UNIQUE (strategy, series_key, version))`,
        );
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${tables.files} (model_id TEXT NOT NULL REFERENCES ${tables.models} (id) ON DELETE CASCADE, name TEXT NOT NULL, content BYTEA NOT NULL, PRIMARY KEY (model_id, name))`,
        );
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${tables.history} (model_id TEXT NOT NULL REFERENCES ${tables.models} (id) ON DELETE CASCADE, seq INTEGER NOT NULL, from_stage TEXT, to_stage TEXT NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL, forced BOOLEAN NOT NULL DEFAULT FALSE, by TEXT, gates JSONB, metrics JSONB, PRIMARY KEY (model_id, seq))`,
        );
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${tables.versions} (strategy TEXT NOT NULL, series_key TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (strategy, series_key))`,
        );
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${tables.registrations} (strategy TEXT NOT NULL, key TEXT NOT NULL, model_id TEXT NOT NULL REFERENCES ${tables.models} (id) ON DELETE CASCADE, PRIMARY KEY (strategy, key))`,
        );
      });
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return registry;
  }

  async register(input: RegisterInput): Promise<Manifest> {
    this.checkOpen();
    const prepared = prepareRegistration(input);
    const key = input.registrationKey;
    return this.transaction(async (client) => {
      if (key !== undefined) {
        // Registrations under one key queue on this lock; a later one finds the first one's model.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `${this.tables.registrations}|${prepared.strategy}|${key}`,
        ]);
        const existing = await client.query<{ model_id: string }>(
          `SELECT model_id FROM ${this.tables.registrations} WHERE strategy = $1 AND key = $2`,
          [prepared.strategy, key],
        );
        if (existing.rows[0]) return this.manifestOf(client, existing.rows[0].model_id, false);
      }
      // The counter row stays locked until commit: concurrent registrations of a series queue here.
      const counter = await client.query<{ last: number }>(
        `INSERT INTO ${this.tables.versions} (strategy, series_key, last) VALUES ($1, $2, 1) ON CONFLICT (strategy, series_key) DO UPDATE SET last = ${this.tables.versions}.last + 1 RETURNING last`,
        [prepared.strategy, prepared.seriesKey],
      );
      const manifest = prepared.manifestFor(counter.rows[0]!.last);
      const { id, strategy, symbol, timeframe, version, createdAt, modelKind, stage, stageHistory, ...meta } = manifest;
      await client.query(
        `INSERT INTO ${this.tables.models} (id, strategy, symbol, timeframe, series_key, version, created_at, model_kind, stage, meta) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [id, strategy, symbol, timeframe, prepared.seriesKey, version, createdAt, modelKind, stage, meta],
      );
      for (const [name, content] of Object.entries(prepared.files)) {
        await client.query(`INSERT INTO ${this.tables.files} (model_id, name, content) VALUES ($1, $2, $3)`, [
          id,
          name,
          Buffer.from(content.buffer, content.byteOffset, content.byteLength),
        ]);
      }
      for (const change of stageHistory) await this.insertChange(client, id, 0, change);
      if (key !== undefined)
        await client.query(`INSERT INTO ${this.tables.registrations} (strategy, key, model_id) VALUES ($1, $2, $3)`, [
          strategy,
          key,
          id,
        ]);
      return manifest;
    });
  }

  async scan(filter: ModelFilter = {}): Promise<ScanResult> {
    this.checkOpen();
    const where: string[] = [];
    const values: unknown[] = [];
    for (const [column, value] of [
      ['strategy', filter.strategy],
      ['symbol', filter.symbol],
      ['timeframe', filter.timeframe],
      ['stage', filter.stage],
    ] as const) {
      if (value === undefined) continue;
      values.push(value);
      where.push(`${column} = $${values.length}`);
    }
    const rows = await this.query<ModelRow>(
      `SELECT id, strategy, symbol, timeframe, version, created_at, model_kind, stage, meta FROM ${this.tables.models}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`,
      values,
    );
    const history = await this.historyOf(rows.map((r) => r.id));
    const models: Manifest[] = [];
    const problems: RegistryProblem[] = [];
    for (const row of rows) {
      try {
        models.push(this.toManifest(row, history.get(row.id) ?? []));
      } catch (error) {
        problems.push({ id: row.id, location: `${this.tables.models} row ${row.id}`, error: error as Error });
      }
    }
    return { models: models.sort(compareManifests), problems };
  }

  async list(filter: ModelFilter = {}): Promise<Manifest[]> {
    const { models, problems } = await this.scan(filter);
    for (const problem of problems) this.onProblem(problem);
    return models;
  }

  async latest(filter: ModelFilter = {}): Promise<Manifest | undefined> {
    return newestManifest(await this.list(filter));
  }

  async best(metric: string, options: BestOptions = {}): Promise<Manifest | undefined> {
    const manifests = await this.list(options);
    const contents = new Map(
      (
        await this.query<{ model_id: string; content: Buffer }>(
          `SELECT model_id, content FROM ${this.tables.files} WHERE name = $1 AND model_id = ANY($2)`,
          [METRICS_FILE, manifests.map((m) => m.id)],
        )
      ).map((r) => [r.model_id, r.content]),
    );
    const sign = options.direction === 'min' ? -1 : 1;
    let best: { manifest: Manifest; value: number } | undefined;
    for (const manifest of manifests) {
      let value: unknown;
      try {
        value = decodeMetrics(manifest, this.fileLocation(manifest.id), () => contents.get(manifest.id))[metric];
      } catch (error) {
        this.onProblem({ id: manifest.id, location: this.fileLocation(manifest.id), error: error as Error });
        continue;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (best === undefined || sign * value > sign * best.value) best = { manifest, value };
    }
    return best?.manifest;
  }

  async load(id: string): Promise<LoadedModel> {
    this.checkOpen();
    const manifest = await this.manifestOf(this.pool, id, false);
    const files = new Map(
      (
        await this.query<{ name: string; content: Buffer }>(
          `SELECT name, content FROM ${this.tables.files} WHERE model_id = $1`,
          [id],
        )
      ).map((r) => [r.name, r.content]),
    );
    return decodeModel(manifest, this.fileLocation(id), (name) => files.get(name));
  }

  async promote(id: string, to: Stage, options: PromoteOptions = {}): Promise<PromotionResult> {
    this.checkOpen();
    const target = StageSchema.safeParse(to);
    if (!target.success)
      throw new InvalidParameterError('stage', to, `expected one of ${StageSchema.options.join(', ')}`);
    return this.transaction(async (client) => {
      const manifest = await this.manifestOf(client, id, true);
      const metricsRow = await client.query<{ content: Buffer }>(
        `SELECT content FROM ${this.tables.files} WHERE model_id = $1 AND name = $2`,
        [id, METRICS_FILE],
      );
      const metrics = decodeMetrics(manifest, this.fileLocation(id), () => metricsRow.rows[0]?.content);
      const { result, change } = decidePromotion(manifest, metrics, this.gates, target.data, options);
      if (change) {
        await this.insertChange(client, id, manifest.stageHistory.length, change);
        await client.query(`UPDATE ${this.tables.models} SET stage = $2 WHERE id = $1`, [id, change.to]);
      }
      return result;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async manifestOf(client: Pool | PoolClient, id: string, lock: boolean): Promise<Manifest> {
    const result = await client
      .query<ModelRow>(
        `SELECT id, strategy, symbol, timeframe, version, created_at, model_kind, stage, meta FROM ${this.tables.models} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
        [id],
      )
      .catch((error: unknown) => {
        throw storeError(error);
      });
    const row = result.rows[0];
    if (!row) throw new StoreError(`model ${id} not found in ${this.location}`);
    const history = await this.historyOf([id], client);
    return this.toManifest(row, history.get(id) ?? []);
  }

  private async historyOf(ids: string[], client: Pool | PoolClient = this.pool): Promise<Map<string, StageChange[]>> {
    const out = new Map<string, StageChange[]>();
    if (ids.length === 0) return out;
    const result = await client
      .query<HistoryRow>(
        `SELECT model_id, from_stage, to_stage, at, reason, forced, by, gates, metrics FROM ${this.tables.history} WHERE model_id = ANY($1) ORDER BY model_id, seq`,
        [ids],
      )
      .catch((error: unknown) => {
        throw storeError(error);
      });
    for (const row of result.rows) {
      const change = {
        from: row.from_stage,
        to: row.to_stage,
        at: row.at,
        reason: row.reason,
        ...(row.gates === null ? {} : { gates: row.gates }),
        ...(row.forced ? { forced: true } : {}),
        ...(row.by === null ? {} : { by: row.by }),
        ...(row.metrics === null ? {} : { metrics: row.metrics }),
      } as StageChange;
      const list = out.get(row.model_id) ?? [];
      list.push(change);
      out.set(row.model_id, list);
    }
    return out;
  }

  /** Rebuilds and checks the manifest from a row and its history (a malformed row → {@link ModelFormatError}). */
  private toManifest(row: ModelRow, stageHistory: StageChange[]): Manifest {
    return parseManifest(
      {
        ...row.meta,
        id: row.id,
        strategy: row.strategy,
        symbol: row.symbol,
        timeframe: row.timeframe,
        version: row.version,
        createdAt: row.created_at,
        modelKind: row.model_kind,
        stage: row.stage,
        stageHistory,
      },
      `${this.tables.models} row ${row.id}`,
    );
  }

  private async insertChange(client: PoolClient, id: string, seq: number, change: StageChange): Promise<void> {
    await client.query(
      `INSERT INTO ${this.tables.history} (model_id, seq, from_stage, to_stage, at, reason, forced, by, gates, metrics) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        seq,
        change.from,
        change.to,
        change.at,
        change.reason,
        change.forced ?? false,
        change.by ?? null,
        change.gates === undefined ? null : JSON.stringify(change.gates),
        change.metrics === undefined ? null : JSON.stringify(change.metrics),
      ],
    );
  }

  private fileLocation(id: string): string {
    return `${this.tables.files}[${id}]`;
  }

  private async query<R extends object>(text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      throw storeError(error);
    }
  }

  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new StoreError(`cannot connect to PostgreSQL (${this.location}): ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error instanceof CandlelabError ? error : storeError(error);
    } finally {
      client.release();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError(`the model registry ${this.location} is closed`);
  }
}

function storeError(error: unknown): StoreError {
  return new StoreError(`PostgreSQL model registry: ${(error as Error).message}`, { cause: error });
}

/** `postgres://user@host:port/db` without the password, for messages. */
function describeConnection(config: PoolConfig): string {
  if (config.connectionString) {
    try {
      const url = new URL(config.connectionString);
      url.password = '';
      return url.toString().replace(/\/$/, '');
    } catch {
      return 'postgres://(connection string)';
    }
  }
  return `postgres://${config.user ?? process.env.PGUSER ?? ''}@${config.host ?? process.env.PGHOST ?? 'localhost'}:${config.port ?? process.env.PGPORT ?? 5432}/${config.database ?? process.env.PGDATABASE ?? ''}`;
}
