import { DataSourceError, StoreError } from '@candlelab/core';
import { describe, expect, it, vi } from 'vitest';
import { CcxtSource } from './CcxtSource.js';
import { DuckDbStore } from './DuckDbStore.js';
import { loadPeer } from './loadPeer.js';
import { PostgresStore } from './PostgresStore.js';

// As if an npm user installed @candlelab/data alone: the optional peers cannot be imported.
for (const missing of ['pg', '@duckdb/node-api', 'ccxt']) {
  vi.doMock(missing, () => {
    throw new Error(`Cannot find package '${missing}'`);
  });
}

/** What a failed call threw. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('missing optional peer dependencies', () => {
  it('PostgresStore says how npm, pnpm and yarn users install pg', async () => {
    const error = await failure(PostgresStore.open({ connectionString: 'postgres://nowhere/none' }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain('PostgresStore needs the optional peer dependency pg');
    expect(error.message).toContain('npm install pg');
    expect(error.message).toMatch(/pnpm add pg.*yarn add pg/);
    expect(error.message).toContain('which could not be loaded (');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('DuckDbStore says how to install @duckdb/node-api', async () => {
    const error = await failure(DuckDbStore.open({ path: ':memory:' }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain('npm install @duckdb/node-api');
  });

  it('CcxtSource says how to install ccxt (a non-retryable DataSourceError)', async () => {
    const source = new CcxtSource({ exchange: 'binance' });
    const pages = source.fetch({ symbol: 'BTC/USDT', timeframe: '1h', start: 0, end: 3_600_000 });
    const error = await failure(pages[Symbol.asyncIterator]().next());
    expect(error).toBeInstanceOf(DataSourceError);
    expect((error as DataSourceError).retryable).toBe(false);
    expect(error.message).toContain('npm install ccxt');
  });

  it('loadPeer returns the module when it loads', async () => {
    await expect(loadPeer('X', 'y', async () => 42, StoreError)).resolves.toBe(42);
  });
});
