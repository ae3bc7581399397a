// Benchmark of record tables: 20,000 trade-memory rows (8 columns) written with writeRecords (first
// write, then the same rows again: the idempotent rewrite) and read back with readRecords, in DuckDB
// and PostgreSQL, side by side with the floor: the same rows bulk-loaded by the driver alone into a
// plain table without key, checks or upsert (DuckDB's appender; PostgreSQL's INSERT … SELECT FROM
// unnest(arrays)). Run: pnpm bench:records
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DuckDbStore } from '../src/DuckDbStore.js';
import { PostgresStore } from '../src/PostgresStore.js';

const N = 20_000;
const RUNS = 3;
const pgUrl = process.env.CANDLELAB_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'candlelab-records-bench-'));
const schema = `candlelab_records_bench_${process.pid}`;

const rows = Array.from({ length: N }, (_, i) => ({
  model: `m${i % 4}`,
  entry_time: 1_700_000_000_000 + i * 3_600_000,
  side: i % 2 === 0 ? 'long' : 'short',
  pnl: Math.sin(i) / 50,
  mfe: Math.abs(Math.cos(i)) / 40,
  mae: -Math.abs(Math.sin(3 * i)) / 40,
  holding_bars: i % 48,
  won: Math.sin(i) > 0,
}));
const names = Object.keys(rows[0]!) as (keyof (typeof rows)[0])[];

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Line {
  store: string;
  floor: number;
  first: number;
  rewrite: number;
  read: number;
}

async function benchDuckDb(): Promise<Line> {
  const { DuckDBInstance, DOUBLE, VARCHAR, BOOLEAN, DuckDBDataChunk } = await import('@duckdb/node-api');
  const floors: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const instance = await DuckDBInstance.create(join(dir, `floor${run}.duckdb`));
    const connection = await instance.connect();
    await connection.run(
      'CREATE TABLE plain (model VARCHAR, entry_time DOUBLE, side VARCHAR, pnl DOUBLE, mfe DOUBLE, mae DOUBLE, holding_bars DOUBLE, won BOOLEAN)',
    );
    floors.push(
      await time(async () => {
        const appender = await connection.createAppender('plain');
        const types = [VARCHAR, DOUBLE, VARCHAR, DOUBLE, DOUBLE, DOUBLE, DOUBLE, BOOLEAN];
        for (let offset = 0; offset < N; offset += 2048) {
          const part = rows.slice(offset, offset + 2048);
          const chunk = DuckDBDataChunk.create(types, part.length);
          chunk.setRows(part.map((row) => names.map((name) => row[name])));
          appender.appendDataChunk(chunk);
        }
        appender.closeSync();
      }),
    );
    connection.closeSync();
    instance.closeSync();
  }
  const firsts: number[] = [];
  const rewrites: number[] = [];
  const reads: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const store = await DuckDbStore.open({ path: join(dir, `records${run}.duckdb`) });
    firsts.push(await time(() => store.writeRecords('trade_memory', rows, { key: ['model', 'entry_time'] })));
    rewrites.push(await time(() => store.writeRecords('trade_memory', rows, { key: ['model', 'entry_time'] })));
    reads.push(await time(() => store.readRecords('trade_memory')));
    await store.close();
  }
  return {
    store: 'DuckDB',
    floor: median(floors),
    first: median(firsts),
    rewrite: median(rewrites),
    read: median(reads),
  };
}

async function benchPostgres(): Promise<Line | undefined> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    console.log(`PostgreSQL unreachable at ${pgUrl}: its lines are skipped (set CANDLELAB_PG_URL)`);
    return undefined;
  }
  await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  const floors: number[] = [];
  const columns = names.map((name) => rows.map((row) => row[name]));
  for (let run = 0; run < RUNS; run++) {
    await client.query(
      `CREATE TABLE "${schema}".plain${run} (model TEXT, entry_time FLOAT8, side TEXT, pnl FLOAT8, mfe FLOAT8, mae FLOAT8, holding_bars FLOAT8, won BOOLEAN)`,
    );
    floors.push(
      await time(() =>
        client.query(
          `INSERT INTO "${schema}".plain${run} SELECT * FROM unnest($1::text[], $2::float8[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::boolean[])`,
          columns,
        ),
      ),
    );
  }
  const firsts: number[] = [];
  const rewrites: number[] = [];
  const reads: number[] = [];
  const store = await PostgresStore.open({ connectionString: pgUrl, schema });
  for (let run = 0; run < RUNS; run++) {
    const table = `trade_memory_${run}`;
    firsts.push(await time(() => store.writeRecords(table, rows, { key: ['model', 'entry_time'] })));
    rewrites.push(await time(() => store.writeRecords(table, rows, { key: ['model', 'entry_time'] })));
    reads.push(await time(() => store.readRecords(table)));
  }
  await store.close();
  await client.query(`DROP SCHEMA "${schema}" CASCADE`);
  await client.end();
  return {
    store: 'PostgreSQL',
    floor: median(floors),
    first: median(firsts),
    rewrite: median(rewrites),
    read: median(reads),
  };
}

try {
  const lines = [await benchDuckDb(), await benchPostgres()].filter((line) => line !== undefined);
  console.log(`${N.toLocaleString('en')} rows × ${names.length} columns, median of ${RUNS} runs (ms)`);
  console.log('store       driver floor  writeRecords first  ratio  rewrite (idempotent)  readRecords');
  for (const { store, floor, first, rewrite, read } of lines) {
    console.log(
      `${store.padEnd(10)}  ${floor.toFixed(0).padStart(12)}  ${first.toFixed(0).padStart(18)}  ${(first / floor).toFixed(1).padStart(4)}×  ${rewrite.toFixed(0).padStart(20)}  ${read.toFixed(0).padStart(11)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
