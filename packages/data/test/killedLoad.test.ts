import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barsLength, copyBars } from '@candlelab/core';
import { loadFixtureBars } from '@candlelab/test-utils';
import { fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { startSourceProcess } from '@candlelab/test-utils/sourceProcess';
import { afterAll, expect, it } from 'vitest';
import { CcxtSource } from '../src/CcxtSource.js';
import { DuckDbStore } from '../src/DuckDbStore.js';
import { loadBars } from '../src/loadBars.js';

const fixture = copyBars(loadFixtureBars('ohlcv/binance-btc-multi/BTC_USDT-1h.json.gz'));
const n = barsLength(fixture);
const HOUR = 3_600_000;
const start = fixture.time[0]!;
const end = fixture.time[n - 1]! + HOUR;
const now = end + HOUR;
const dir = mkdtempSync(join(tmpdir(), 'candlelab-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const child = fileURLToPath(new URL('./loadChild.ts', import.meta.url));

it('a load SIGKILLed mid-fetch resumes with no duplicate and no missing bar', async () => {
  const fake = await startFakeExchange({ series: [fixture], now, latencyMs: 30 });
  const path = join(dir, 'killed.duckdb');
  const run = startSourceProcess(child, [path, fake.url, String(start), String(end), String(now)]);
  // Kill it once a few pages are committed and it is waiting on the next one.
  await run.waitForLines(3);
  run.proc.kill('SIGKILL');
  expect((await run.exit).signal).toBe('SIGKILL');
  const requestsByChild = fake.klinesRequests;
  expect(requestsByChild).toBeLessThan(Math.ceil(n / 40));

  const store = await DuckDbStore.open({ path });
  const partial = await store.read({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', start, end });
  expect(barsLength(partial)).toBeGreaterThanOrEqual(120);
  expect(barsLength(partial)).toBeLessThan(n);
  const source = new CcxtSource({ exchange: await fakeExchangeClient(fake.url), pageLimit: 40, now: () => now });
  const result = await loadBars(
    { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', start, end },
    { store, source, now: () => now },
  );
  await store.close();
  await fake.close();
  expect(result.report.fromStore).toBe(barsLength(partial));
  expect(result.report.fetched).toBe(n - barsLength(partial));
  expect(result.report.gaps).toEqual([]);
  for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
    expect(Array.from(result.bars[column]), column).toEqual(Array.from(fixture[column]));
  }
});
