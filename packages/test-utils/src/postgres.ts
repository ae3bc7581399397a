import pg from 'pg';

/** The PostgreSQL the tests use: `CANDLELAB_PG_URL`, by default the local test server. */
export const TEST_POSTGRES_URL = process.env.CANDLELAB_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL at `url` accepts a connection (and its database exists) within 2 s. */
export async function postgresReachable(url = TEST_POSTGRES_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the test PostgreSQL is up; when it is not, warns that `what` is skipped and how to
 * enable it, so a suite that needs it can `describe.skipIf(!up)` without hiding why.
 */
export async function testPostgresUp(what: string): Promise<boolean> {
  const up = await postgresReachable();
  if (!up)
    console.warn(
      `${what} skipped: PostgreSQL is not reachable at ${TEST_POSTGRES_URL}. Start PostgreSQL with a 'test' database (user postgres, trust auth) or set CANDLELAB_PG_URL to enable them.`,
    );
  return up;
}
