import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { TEST_POSTGRES_URL, testPostgresUp } from '@candlelab/test-utils/postgres';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { LogRecord, PredictionLog } from './PredictionLog.js';
import { openDuckDbPredictionLog, openPostgresPredictionLog } from './SqlPredictionLog.js';

const url = TEST_POSTGRES_URL;
const schema = `candlelab_serve_${process.pid}_${Date.now().toString(36)}`;
const pgUp = await testPostgresUp('PostgreSQL predictions log tests');

const dir = mkdtempSync(join(tmpdir(), 'candlelab-serve-log-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (pgUp) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
});

function record(overrides: Partial<LogRecord> & { key: string }): LogRecord {
  return {
    kind: 'prediction',
    symbol: 'BTC/USDT',
    timeframe: '1h',
    barTime: 3_600_000,
    decidedAt: 7_200_000,
    source: 'model-a',
    modelVersion: 3,
    inputsFingerprint: 'abc',
    probabilities: [0.3, 0.7],
    inputs: null,
    action: 'buy',
    confidence: 0.7,
    size: 1,
    outcomeDue: 18_000_000,
    outcomeReturn: null,
    outcomeKnownAt: null,
    ...overrides,
  };
}

const implementations: Array<{ name: string; skip: boolean; open: (id: string) => Promise<PredictionLog> }> = [
  { name: 'DuckDB', skip: false, open: (id) => openDuckDbPredictionLog({ path: join(dir, `${id}.duckdb`) }) },
  {
    name: 'PostgreSQL',
    skip: !pgUp,
    open: (id) => openPostgresPredictionLog({ connectionString: url, schema, table: `log_${id}` }),
  },
];

for (const impl of implementations) {
  describe.skipIf(impl.skip)(`${impl.name} predictions log`, () => {
    it('inserts each key once, round-trips every field, and survives a reopen', async () => {
      const log = await impl.open('roundtrip');
      const a = record({ key: 'prediction:a', probabilities: [null, 1] });
      const b = record({
        key: 'aggregate:b',
        kind: 'aggregate',
        source: 'aggregate',
        modelVersion: null,
        probabilities: null,
        inputs: [{ source: 'model-a', action: 'buy', confidence: 0.7, time: 7_200_000 }],
        decidedAt: 7_200_001,
      });
      expect((await log.commit({ records: [a, b] })).inserted).toEqual(['prediction:a', 'aggregate:b']);
      expect((await log.commit({ records: [a, record({ key: 'prediction:c', decidedAt: 9e6 })] })).inserted).toEqual([
        'prediction:c',
      ]);
      await log.close();
      const reopened = await impl.open('roundtrip');
      const rows = await reopened.query();
      expect(rows.map((r) => r.key)).toEqual(['prediction:a', 'aggregate:b', 'prediction:c']);
      expect(rows[0]).toEqual(a);
      expect(rows[1]).toEqual(b);
      expect(await reopened.query({ kind: 'aggregate' })).toEqual([b]);
      expect((await reopened.query({ limit: 2, newest: true })).map((r) => r.key)).toEqual([
        'aggregate:b',
        'prediction:c',
      ]);
      await reopened.commit({ records: [record({ key: 'prediction:d', barTime: 7_200_000 })] });
      expect(await reopened.barTimeRange('model-a', 'BTC/USDT', '1h')).toEqual({ first: 3_600_000, last: 7_200_000 });
      expect(await reopened.barTimeRange('nobody', 'BTC/USDT', '1h')).toBeUndefined();
      await reopened.close();
    });

    it('stores a non-finite number as it is (NaN has no JSON form: DuckDB takes the parameter form)', async () => {
      const log = await impl.open('nonfinite');
      const rows = [record({ key: 'prediction:nan', size: Number.NaN }), record({ key: 'prediction:one', size: 1 })];
      expect((await log.commit({ records: rows })).inserted).toEqual(['prediction:nan', 'prediction:one']);
      expect((await log.query()).map((r) => r.size)).toEqual([Number.NaN, 1]);
      await log.close();
    });

    it('records an outcome once; pending rows are found by due time', async () => {
      const log = await impl.open('outcomes');
      await log.commit({ records: [record({ key: 'p1', outcomeDue: 100 }), record({ key: 'p2', outcomeDue: 200 })] });
      expect((await log.query({ settled: false, dueBy: 150 })).map((r) => r.key)).toEqual(['p1']);
      expect(await log.commit({ outcomes: [{ key: 'p1', realizedReturn: 0.01, knownAt: 100 }] })).toEqual({
        inserted: [],
        recorded: 1,
      });
      expect((await log.commit({ outcomes: [{ key: 'p1', realizedReturn: 0.5, knownAt: 101 }] })).recorded).toBe(0);
      const [p1] = await log.query({ settled: true });
      expect(p1).toMatchObject({ key: 'p1', outcomeReturn: 0.01, outcomeKnownAt: 100 });
      await expect(log.commit({ outcomes: [{ key: 'p2', realizedReturn: Number.NaN, knownAt: 1 }] })).rejects.toThrow(
        /realizedReturn/,
      );
      await log.close();
    });

    it('a large batch (several INSERT chunks) with a key repeated inside it inserts each key once, in order', async () => {
      const log = await impl.open('batch');
      await log.commit({ records: [record({ key: 'k0000' })] });
      const keys = Array.from({ length: 450 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      const batch = [...keys, 'k0007', 'k0300'].map((key) => record({ key }));
      expect((await log.commit({ records: batch })).inserted).toEqual(keys.slice(1));
      expect((await log.query()).map((r) => r.key)).toEqual(keys);
      await log.close();
    });

    it('a replayed key in a one-statement batch is skipped exactly, also after a reopen; other errors still fail', async () => {
      const log = await impl.open('replay');
      const first = record({ key: 'alert:x', confidence: 0.9 });
      expect((await log.commit({ records: [first] })).inserted).toEqual(['alert:x']);
      const replay = record({ key: 'alert:x', confidence: 0.1 });
      const mixed = [record({ key: 'alert:y' }), replay, record({ key: 'alert:z' })];
      expect((await log.commit({ records: mixed })).inserted).toEqual(['alert:y', 'alert:z']);
      expect((await log.commit({ records: [replay] })).inserted).toEqual([]);
      await log.close();
      const reopened = await impl.open('replay');
      expect((await reopened.commit({ records: [replay, record({ key: 'alert:w' })] })).inserted).toEqual(['alert:w']);
      const bad = record({ key: 'alert:bad', action: null as never });
      await expect(reopened.commit({ records: [record({ key: 'alert:v' }), bad] })).rejects.toThrow();
      await expect(reopened.commit({ records: [replay, bad] })).rejects.toThrow();
      expect((await reopened.query()).map((r) => [r.key, r.confidence])).toEqual([
        ['alert:w', 0.7],
        ['alert:x', 0.9],
        ['alert:y', 0.7],
        ['alert:z', 0.7],
      ]);
      await reopened.close();
    });

    it('a failed batch writes nothing: records and outcomes commit together', async () => {
      const log = await impl.open('atomic');
      await log.commit({ records: [record({ key: 'first' })] });
      const bad = record({ key: 'bad', action: null as never });
      await expect(
        log.commit({
          records: [record({ key: 'good' }), bad],
          outcomes: [{ key: 'first', realizedReturn: 0.1, knownAt: 1 }],
        }),
      ).rejects.toThrow();
      expect(await log.query()).toEqual([record({ key: 'first' })]);
      await log.close();
    });
  });
}

describe('DuckDB predictions log: checkpoints while idle', () => {
  const walBytes = (path: string) => (existsSync(`${path}.wal`) ? statSync(`${path}.wal`).size : 0);
  const rows = Array.from({ length: 200 }, (_, i) => record({ key: `alert:idle:${i}` }));

  it('moves the WAL into the file once no statement ran for idleCheckpointMs, losing nothing', async () => {
    const path = join(dir, 'idle.duckdb');
    const log = await openDuckDbPredictionLog({ path, idleCheckpointMs: 50, idleCheckpointWalBytes: 1 });
    await log.commit({ records: rows });
    expect(walBytes(path)).toBeGreaterThan(0);
    await vi.waitFor(() => expect(walBytes(path)).toBe(0), { timeout: 5000, interval: 25 });
    await log.close();
    const reopened = await openDuckDbPredictionLog({ path });
    expect((await reopened.query()).map((r) => r.key).sort()).toEqual(rows.map((r) => r.key).sort());
    await reopened.close();
  });

  it('leaves the WAL to DuckDB with idleCheckpointMs 0, and below idleCheckpointWalBytes', async () => {
    for (const [name, options] of [
      ['off', { idleCheckpointMs: 0 }],
      ['small', { idleCheckpointMs: 50, idleCheckpointWalBytes: 1e9 }],
    ] as const) {
      const path = join(dir, `idle-${name}.duckdb`);
      const log = await openDuckDbPredictionLog({ path, ...options });
      await log.commit({ records: rows });
      await setTimeout(300);
      expect(walBytes(path), name).toBeGreaterThan(0);
      await log.close();
    }
  });
});
