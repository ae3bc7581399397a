import { InvalidParameterError, StoreError } from '@candlelab/core';
import { TEST_POSTGRES_URL, testPostgresUp } from '@candlelab/test-utils/postgres';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { modelStoreContract, registration } from '../test/modelStoreContract.js';
import { openModelStore } from './openModelStore.js';
import { PostgresModelRegistry } from './PostgresModelRegistry.js';

const url = TEST_POSTGRES_URL;
/** One schema per test file run, one table prefix per test: parallel runs never share tables. */
const schema = `candlelab_registry_${process.pid}_${Date.now().toString(36)}`;
let spaces = 0;

async function sql(text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

const up = await testPostgresUp('PostgresModelRegistry tests');
const skipReason = up ? undefined : `PostgreSQL unreachable at ${url}`;

afterAll(async () => {
  if (up) await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

modelStoreContract(
  'PostgresModelRegistry',
  async () => {
    const tablePrefix = `t${++spaces}_`;
    const files = `"${schema}"."${tablePrefix}model_files"`;
    return {
      open: (options = {}) => PostgresModelRegistry.open({ connectionString: url, schema, tablePrefix, ...options }),
      tamper: (id, file, content) =>
        content === undefined
          ? sql(`DELETE FROM ${files} WHERE model_id = $1 AND name = $2`, [id, file])
          : sql(`UPDATE ${files} SET content = $3 WHERE model_id = $1 AND name = $2`, [id, file, Buffer.from(content)]),
      breakManifest: (id) => sql(`UPDATE "${schema}"."${tablePrefix}models" SET meta = '{}' WHERE id = $1`, [id]),
      dispose: async () => undefined,
    };
  },
  skipReason,
);

describe.skipIf(!up)('PostgresModelRegistry', () => {
  it('keeps versions unique across many concurrent registrations from separate pools', async () => {
    const tablePrefix = `race${++spaces}_`;
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        PostgresModelRegistry.open({ connectionString: url, schema, tablePrefix, pool: { max: 4 } }),
      ),
    );
    const manifests = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        stores[i % 4]!.register(
          registration({ symbol: i % 2 === 0 ? 'BTC/USDT' : 'ETH/USDT', model: { kind: 'gbdt', version: 1, i } }),
        ),
      ),
    );
    for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
      const versions = manifests.filter((m) => m.symbol === symbol).map((m) => m.version);
      expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    }
    const listed = await stores[3]!.list();
    expect(listed).toHaveLength(80);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('opens through openModelStore from a URL with schema and tablePrefix, and names a closed store', async () => {
    const tablePrefix = `url${++spaces}_`;
    const store = await openModelStore(`${url}?schema=${schema}&tablePrefix=${tablePrefix}`, {
      gates: { validation: ['sharpe > 2'] },
    });
    expect(store.location).toBe(`${url}/${schema}.${tablePrefix}`);
    const { id } = await store.register(registration());
    expect((await store.promote(id, 'validation')).failed).toEqual(['sharpe > 2']);
    await store.close();
    await expect(store.list()).rejects.toThrow(StoreError);
    await expect(PostgresModelRegistry.open({ connectionString: url, tablePrefix: 'Bad-Prefix' })).rejects.toThrow(
      InvalidParameterError,
    );
  });
});

describe('PostgresModelRegistry failures', () => {
  it('fails with a StoreError naming the server when none listens', async () => {
    await expect(
      PostgresModelRegistry.open({
        connectionString: 'postgres://postgres:secret@127.0.0.1:1/test',
        pool: { connectionTimeoutMillis: 500 },
      }),
    ).rejects.toThrow(
      /cannot connect to PostgreSQL \(postgres:\/\/postgres@127\.0\.0\.1:1\/test\/public\.candlelab_\)/,
    );
  });

  it('names the package to install when the pg peer dependency is missing', async () => {
    vi.resetModules();
    vi.doMock('pg', () => {
      throw new Error("Cannot find package 'pg'");
    });
    try {
      const { PostgresModelRegistry: Fresh } = await import('./PostgresModelRegistry.js');
      await expect(Fresh.open({ connectionString: url })).rejects.toThrow(
        /needs the peer dependency pg: npm install pg/,
      );
    } finally {
      vi.doUnmock('pg');
      vi.resetModules();
    }
  });
});
