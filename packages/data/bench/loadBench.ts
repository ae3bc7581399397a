// Benchmark of the database-first loader (issue 4): reading 1,000,000 1-minute bars from DuckDB and
// from PostgreSQL into columnar Bars, and a 30-day 1m range loaded through the exchange path (a real
// ccxt binance object against the local fake Binance serving real klines, with Binance's ccxt rate
// limit and a simulated round trip) versus the same range served DB-first. Run: pnpm bench
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bars, barsLength, copyBars, lowerBound } from '@candlelab/core';
import { loadFixtureBars } from '@candlelab/test-utils';
import { fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import pg from 'pg';
import type { CandleStore } from '../src/CandleStore.js';
import { CcxtSource } from '../src/CcxtSource.js';
import { DuckDbStore } from '../src/DuckDbStore.js';
import { generateSyntheticBars } from '../src/generateSyntheticBars.js';
import { loadBars } from '../src/loadBars.js';
import { PostgresStore } from '../src/PostgresStore.js';

const N = 1_000_000;
const RUNS = 7;
const ROUND_TRIP_MS = 100; // simulated network round trip per request to the fake exchange
const pgUrl = process.env.CANDLELAB_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'candlelab-bench-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeReads(store: CandleStore, bars: Bars): Promise<{ median: number; best: number; all: number[] }> {
  const query = {
    exchange: 'bench',
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    start: bars.time[0]!,
    end: bars.time[N - 1]! + 60_000,
  };
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const got = await store.read(query);
    times.push(performance.now() - t0);
    if (barsLength(got) !== N || got.close[N - 1] !== bars.close[N - 1]) throw new Error('read back wrong bars');
  }
  return { median: median(times), best: Math.min(...times), all: times };
}

function row(name: string, ms: number, count: number, note = ''): void {
  const rate = count / (ms / 1000);
  console.log(
    `${name.padEnd(44)} ${ms.toFixed(1).padStart(10)} ms ${Math.round(rate).toLocaleString('en-US').padStart(14)} bars/s  ${note}`,
  );
}

console.log(`candlelab data benchmark — ${new Date().toISOString()}, node ${process.version}`);
console.log('(shared 2-core machine: absolute times are noisy; medians of', RUNS, 'runs)\n');

let t0 = 0;
const bars = generateSyntheticBars({
  symbol: 'BENCH/USD',
  timeframe: '1m',
  count: N,
  seed: 1,
  start: Date.UTC(2021, 0, 1),
});

// 0. Floor and load gauge: copying the same 1M bars' columns in memory (what any read must at least do).
const copies: number[] = [];
for (let run = 0; run < RUNS; run++) {
  t0 = performance.now();
  copyBars(bars);
  copies.push(performance.now() - t0);
}
row(
  'in-memory copy of 1M bars (floor, load gauge)',
  median(copies),
  N,
  'fresh 48 MB columns + copy: what any read into new Bars pays',
);

// 1. DuckDB: 1M bars read into Bars.
const duck = await DuckDbStore.open({ path: join(dir, 'bench.duckdb') });
t0 = performance.now();
await duck.write(bars, { exchange: 'bench' });
const duckWrite = performance.now() - t0;
const duckRead = await timeReads(duck, bars);
row('DuckDB write 1M bars (appender, 1 txn)', duckWrite, N);
row(
  'DuckDB read 1M bars → Bars (median)',
  duckRead.median,
  N,
  `best ${duckRead.best.toFixed(1)} ms; target ≤ 100 ms; reads in order: ${duckRead.all.map((t) => t.toFixed(0)).join(' ')} ms`,
);
await duck.close();

// 2. PostgreSQL: the same.
let pgRead: { median: number; best: number; all: number[] } | undefined;
const schema = `candlelab_bench_${process.pid}`;
try {
  const store = await PostgresStore.open({ connectionString: pgUrl, schema });
  t0 = performance.now();
  await store.write(bars, { exchange: 'bench' });
  row('PostgreSQL write 1M bars (unnest batches, 1 txn)', performance.now() - t0, N);
  pgRead = await timeReads(store, bars);
  row('PostgreSQL read 1M bars → Bars (median)', pgRead.median, N, `best ${pgRead.best.toFixed(1)} ms`);
  await store.close();
} catch (error) {
  console.log(`PostgreSQL skipped: ${(error as Error).message} (set CANDLELAB_PG_URL)`);
} finally {
  const client = new pg.Client({ connectionString: pgUrl });
  await client
    .connect()
    .then(() => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
    .then(() => client.end())
    .catch(() => undefined);
}

// 3. Exchange path vs DB-first for 30 days of real Binance 1m klines.
const oneMinute = copyBars(loadFixtureBars('ohlcv/binance-btc-multi/BTC_USDT-1m.json.gz'));
const start = oneMinute.time[0]!;
const end = start + 30 * 86_400_000;
const expected = lowerBound(oneMinute.time, end);
const now = oneMinute.time[barsLength(oneMinute) - 1]! + 120_000;
const fake = await startFakeExchange({ series: [oneMinute], now, latencyMs: ROUND_TRIP_MS });
const exchange = await fakeExchangeClient(fake.url, { rateLimitMs: 50, timeoutMs: 10_000 }); // ccxt's binance rateLimit is 50 ms
const source = new CcxtSource({ exchange, pageLimit: 1000, now: () => now });
const store = await DuckDbStore.open({ path: join(dir, 'exchange.duckdb') });
const request = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m' as const, start, end };
t0 = performance.now();
const cold = await loadBars(request, { store, source, now: () => now });
const exchangeMs = performance.now() - t0;
if (barsLength(cold.bars) !== expected)
  throw new Error(`exchange path returned ${barsLength(cold.bars)} bars, expected ${expected}`);
const warmTimes: number[] = [];
for (let run = 0; run < RUNS; run++) {
  t0 = performance.now();
  const warm = await loadBars(request, { store, source, now: () => now });
  warmTimes.push(performance.now() - t0);
  if (warm.report.fetched !== 0 || barsLength(warm.bars) !== expected) throw new Error('DB-first load fetched again');
}
const dbFirstMs = median(warmTimes);
row(
  `exchange path, 30 days 1m (${fake.klinesRequests} requests)`,
  exchangeMs,
  expected,
  `rateLimit 50 ms + ${ROUND_TRIP_MS} ms round trip`,
);
row(
  'DB-first (DuckDB), same 30 days (median)',
  dbFirstMs,
  expected,
  `loads in order: ${warmTimes.map((t) => t.toFixed(1)).join(' ')} ms`,
);
await store.close();
await fake.close();
rmSync(dir, { recursive: true, force: true });

console.log('\nsummary');
console.log(
  `  DuckDB 1M read: ${duckRead.median.toFixed(1)} ms (target ≤ 100 ms) ${duckRead.median <= 100 ? 'MET' : 'MISSED'}`,
);
if (pgRead)
  console.log(
    `  PostgreSQL 1M read: ${pgRead.median.toFixed(1)} ms (${(pgRead.median / duckRead.median).toFixed(1)}× DuckDB)`,
  );
const ratio = exchangeMs / dbFirstMs;
console.log(
  `  DB-first vs exchange path: ${ratio.toFixed(0)}× faster (target ≥ 360×) ${ratio >= 360 ? 'MET' : 'MISSED'}`,
);
