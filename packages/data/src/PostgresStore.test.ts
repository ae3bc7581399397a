import { storeContract } from '@candlelab/test-utils/storeContract';
import pg from 'pg';
import { PostgresStore } from './PostgresStore.js';

/** Override with CANDLELAB_PG_URL; the default is the local test server. */
const url = process.env.CANDLELAB_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `candlelab_test_${process.pid}_${Date.now().toString(36)}`;

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const up = await reachable();
if (!up) {
  console.warn(
    `PostgresStore tests skipped: PostgreSQL is not reachable at ${url}. Start PostgreSQL with a 'test' database (user postgres, trust auth) or set CANDLELAB_PG_URL to enable them.`,
  );
}

storeContract({
  name: 'PostgresStore',
  skipReason: up ? undefined : `PostgreSQL unreachable at ${url}`,
  open: (id) => PostgresStore.open({ connectionString: url, schema, table: `bars_${id}`, batchRows: 150 }),
  teardown: async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  },
});
