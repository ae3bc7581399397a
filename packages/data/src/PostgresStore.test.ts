import { InvalidParameterError, StoreError } from '@candlelab/core';
import { TEST_POSTGRES_URL, testPostgresUp } from '@candlelab/test-utils/postgres';
import { storeContract } from '@candlelab/test-utils/storeContract';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { recordStoreContract } from '../test/recordStoreContract.js';
import { PostgresStore } from './PostgresStore.js';

const url = TEST_POSTGRES_URL;
const schema = `candlelab_test_${process.pid}_${Date.now().toString(36)}`;

const up = await testPostgresUp('PostgresStore tests');
const skipReason = up ? undefined : `PostgreSQL unreachable at ${url}`;

async function dropSchema(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

storeContract({
  name: 'PostgresStore',
  skipReason,
  open: (id) => PostgresStore.open({ connectionString: url, schema, table: `bars_${id}`, batchRows: 150 }),
});

// batchRows 700: the contract's 5,000-row write takes several statements.
recordStoreContract({
  name: 'PostgresStore',
  skipReason,
  shared: true,
  open: (id) => PostgresStore.open({ connectionString: url, schema, table: `bars_${id}`, batchRows: 700 }),
});

(up ? describe : describe.skip)('PostgresStore record tables and plain SQL', () => {
  const recordSchema = `${schema}_sql`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${recordSchema}" CASCADE`);
    await client.end();
  });
  const rows = [
    { model: 'm1', entry_time: 1_700_000_000_000, pnl: 0.012, won: true },
    { model: 'm1', entry_time: 1_700_003_600_000, pnl: Number.NaN, won: false },
    { model: 'm2', entry_time: 1_700_000_000_000, pnl: -0.004, won: false },
  ];

  it('keeps record tables in the store schema, queryable with plain SQL through the store and by any client', async () => {
    const store = await PostgresStore.open({ connectionString: url, schema: recordSchema });
    await store.writeRecords('trade_memory', rows, { key: ['model', 'entry_time'] });
    expect(await store.query(`SELECT count(*) AS n FROM "${recordSchema}".trade_memory`)).toEqual([{ n: 3 }]);
    expect(
      await store.query(
        `SELECT model, sum(pnl) AS total FROM "${recordSchema}".trade_memory WHERE won = $1 AND pnl IS NOT NULL GROUP BY model`,
        [false],
      ),
    ).toEqual([{ model: 'm2', total: -0.004 }]);
    await expect(store.query('SELECT * FROM no_such_table')).rejects.toThrow(StoreError);
    for (const table of ['market_data', 'market_data_coverage']) {
      await expect(store.writeRecords(table, [{ exchange: 'x' }], { key: ['exchange'] })).rejects.toBeInstanceOf(
        InvalidParameterError,
      );
    }
    // A database failure (here a CHECK constraint) is a StoreError naming the table; nothing is kept.
    await store.query(`CREATE TABLE "${recordSchema}".checked (id TEXT PRIMARY KEY, x FLOAT8 CHECK (x > 0))`);
    const error = await store
      .writeRecords(
        'checked',
        [
          { id: 'b', x: 2 },
          { id: 'c', x: -1 },
        ],
        { key: ['id'] },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain("table 'checked'");
    expect(await store.readRecords('checked')).toEqual([]);
    await store.close();

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const types = await client.query(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [recordSchema, 'trade_memory'],
      );
      expect(types.rows.map((t) => t.data_type)).toEqual(['text', 'double precision', 'double precision', 'boolean']);
      const stored = await client.query(
        `SELECT model, pnl FROM "${recordSchema}".trade_memory ORDER BY model, entry_time`,
      );
      expect(stored.rows).toEqual([
        { model: 'm1', pnl: 0.012 },
        { model: 'm1', pnl: null },
        { model: 'm2', pnl: -0.004 },
      ]);
      await expect(
        client.query(`INSERT INTO "${recordSchema}".trade_memory VALUES ('m1', 1700000000000, 1, true)`),
      ).rejects.toThrow(/duplicate key/);
    } finally {
      await client.end();
    }
  });
});

afterAll(async () => {
  if (up) await dropSchema();
});
