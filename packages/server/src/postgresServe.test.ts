import { rmSync } from 'node:fs';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { TEST_POSTGRES_URL, testPostgresUp } from '@candlelab/test-utils/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTestModel } from '../test/trainedModel.js';
import { createServer } from './createServer.js';
import { parseServeConfig } from './serveConfig.js';

const url = TEST_POSTGRES_URL;
const schema = `candlelab_serve_pg_${process.pid}_${Date.now().toString(36)}`;
const up = await testPostgresUp('PostgreSQL serve tests');

const HOUR = 3_600_000;
const fixture = loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz');
const START = Date.UTC(2022, 8, 20) + 20 * 60_000;

describe.skipIf(!up)('serving with the candle store and the predictions log in PostgreSQL', () => {
  let trained: Awaited<ReturnType<typeof trainTestModel>>;
  let fake: FakeExchange;
  beforeAll(async () => {
    trained = await trainTestModel();
    fake = await startFakeExchange({ series: [fixture], now: START + 10 * HOUR });
  });
  afterAll(async () => {
    await fake?.close();
    if (trained) rmSync(trained.dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('serves, restarts and resumes with every row once', async () => {
    const config = parseServeConfig(
      `server: { apiToken: postgres-test-token-1, logLevel: silent }
registry: models
store: { kind: postgres, connectionString: '${url}', schema: ${schema} }
log: { kind: postgres, connectionString: '${url}', schema: ${schema} }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
`,
      { baseDir: trained.dir },
    );
    const clock = { now: START };
    const run = async (from: number, to: number) => {
      const server = await createServer(config, { exchange: await fakeExchangeClient(fake.url), now: () => clock.now });
      for (let h = from; h <= to; h++) {
        clock.now = START + h * HOUR;
        await server.runtime.tickAll();
      }
      const rows = await server.runtime.log.query({ kind: 'prediction' });
      const bars = await server.runtime.store.read({
        exchange: 'binance',
        symbol: 'BTC/USDT',
        timeframe: '1h',
        start: rows[0]!.barTime,
        end: clock.now,
      });
      await server.close();
      return { rows, bars };
    };
    await run(0, 3);
    const { rows, bars } = await run(6, 8); // down for hours 4 and 5
    expect(rows.map((r) => r.barTime)).toEqual(Array.from({ length: 9 }, (_, k) => rows[0]!.barTime + k * HOUR));
    // 4-bar horizon: bar i settles at the close of bar i + 4, so bars 0 … 4 of 0 … 8 are settled.
    expect(rows.filter((r) => r.outcomeReturn !== null).length).toBe(5);
    const first = fixture.time.indexOf(rows[0]!.barTime);
    expect(Array.from(bars.close)).toEqual(Array.from(fixture.close.subarray(first, first + 9)));
  });
});
