import { type Bars, barsLength, CancelledError, copyBars, DataSourceError, sliceBars } from '@candlelab/core';
import { loadFixtureBars } from '@candlelab/test-utils';
import {
  type FakeExchange,
  fakeExchangeClient,
  type KlinesFault,
  startFakeExchange,
} from '@candlelab/test-utils/fakeExchange';
import { afterEach, describe, expect, it } from 'vitest';
import { CcxtSource } from '../src/CcxtSource.js';
import { loadBars } from '../src/loadBars.js';
import { MemoryStore } from '../src/MemoryStore.js';

// Real Binance BTC/USDT 1h klines (fixtures/ohlcv/binance-btc-multi), served by a local fake Binance.
const fixture = copyBars(loadFixtureBars('ohlcv/binance-btc-multi/BTC_USDT-1h.json.gz'));
const HOUR = 3_600_000;
const n = barsLength(fixture);
const request = {
  exchange: 'binance',
  symbol: 'BTC/USDT',
  timeframe: '1h' as const,
  start: fixture.time[0]!,
  end: fixture.time[n - 1]! + HOUR,
};
const afterLast = fixture.time[n - 1]! + 2 * HOUR;

let fake: FakeExchange | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(faults: KlinesFault[] = [], options: { timeoutMs?: number; series?: Bars[]; now?: number } = {}) {
  fake = await startFakeExchange({ series: options.series ?? [fixture], faults, now: options.now ?? afterLast });
  const exchange = await fakeExchangeClient(fake.url, { timeoutMs: options.timeoutMs ?? 2000 });
  const source = new CcxtSource({
    exchange,
    pageLimit: 100,
    backoffMs: 10,
    maxBackoffMs: 2000,
    maxRetries: 3,
    now: () => options.now ?? afterLast,
  });
  return { source, store: new MemoryStore(), fake };
}

function expectSameBars(actual: Bars, expected: Bars): void {
  expect(barsLength(actual)).toBe(barsLength(expected));
  for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
    expect(Array.from(actual[column]), column).toEqual(Array.from(expected[column]));
  }
}

describe('exchange path: real ccxt binance against a local fake exchange', () => {
  it('loads the whole range page by page, writes it back, and serves it from the store next time', async () => {
    const { source, store, fake } = await setup();
    const progress: number[] = [];
    const first = await loadBars(request, {
      store,
      source,
      onProgress: (p) => progress.push(p.fraction),
      now: () => afterLast,
    });
    expectSameBars(first.bars, fixture);
    expect(first.report).toMatchObject({ fromStore: 0, fetched: n, gaps: [] });
    expect(fake.klinesRequests).toBe(Math.ceil(n / 100));
    expect(progress.at(-1)).toBe(1);
    const second = await loadBars(request, { store, source, now: () => afterLast });
    expectSameBars(second.bars, fixture);
    expect(second.report).toMatchObject({ fromStore: n, fetched: 0, requested: [] });
    expect(fake.klinesRequests).toBe(Math.ceil(n / 100));
  });

  it('fetches only the missing tail when the store already holds the head', async () => {
    const { source, store, fake } = await setup();
    await loadBars({ ...request, end: fixture.time[300]! }, { store, source, now: () => afterLast });
    const before = fake.klinesRequests;
    const result = await loadBars(request, { store, source, now: () => afterLast });
    expectSameBars(result.bars, fixture);
    expect(result.report.fromStore).toBe(300);
    expect(result.report.requested).toEqual([{ start: fixture.time[300]!, end: request.end }]);
    expect(fake.klinesRequests - before).toBe(Math.ceil((n - 300) / 100));
  });

  it('waits out HTTP 429 with Retry-After and retries', async () => {
    const { source, store, fake } = await setup([
      { kind: 'ok' },
      { kind: 'status', status: 429, retryAfterSeconds: 1 },
    ]);
    const t0 = performance.now();
    const result = await loadBars(request, { store, source, now: () => afterLast });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950); // Retry-After honoured, not the 10 ms back-off
    expectSameBars(result.bars, fixture);
    expect(fake.klinesRequests).toBe(Math.ceil(n / 100) + 1);
  });

  it('retries HTTP 500s and timeouts', async () => {
    const faults: KlinesFault[] = [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
      { kind: 'ok' },
      { kind: 'hang' },
    ];
    const { source, store } = await setup(faults, { timeoutMs: 300 });
    const result = await loadBars(request, { store, source, now: () => afterLast });
    expectSameBars(result.bars, fixture);
  });

  it('continues after short pages and removes duplicated candles', async () => {
    const faults: KlinesFault[] = [
      { kind: 'short', rows: 7 },
      { kind: 'duplicate' },
      { kind: 'short', rows: 1 },
      { kind: 'duplicate' },
    ];
    const { source, store } = await setup(faults);
    const result = await loadBars(request, { store, source, now: () => afterLast });
    expectSameBars(result.bars, fixture);
  });

  it('drops the still-forming last candle and reports it as not closed', async () => {
    const now = fixture.time[n - 1]! + 20 * 60_000; // 20 minutes into the last hour
    const { source, store } = await setup([], { now });
    const result = await loadBars(request, { store, source, now: () => now });
    expectSameBars(result.bars, sliceBars(fixture, 0, n - 1));
    expect(result.report.gaps).toEqual([{ start: fixture.time[n - 1]!, end: request.end, reason: 'not-closed' }]);
    // Once it has closed, only that bar is fetched.
    const later = await loadBars(request, {
      store,
      source: new CcxtSource({ exchange: await fakeExchangeClient(fake!.url), now: () => afterLast }),
      now: () => afterLast,
    });
    expect(later.report.requested).toEqual([{ start: fixture.time[n - 1]!, end: request.end }]);
  });

  it('records exchange downtime as fetched-and-empty and does not fetch it again', async () => {
    const withHole = copyBars(fixture);
    const keep = (i: number) => i < 200 || i >= 230;
    const series = { ...withHole };
    for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
      series[column] = Float64Array.from(Array.from(withHole[column]).filter((_, i) => keep(i)));
    }
    const { source, store, fake } = await setup([], { series: [series] });
    const result = await loadBars(request, { store, source, now: () => afterLast });
    expectSameBars(result.bars, series);
    expect(result.report.gaps).toEqual([
      { start: fixture.time[200]!, end: fixture.time[230]!, reason: 'no-data-at-source' },
    ]);
    const requests = fake.klinesRequests;
    const again = await loadBars(request, { store, source, now: () => afterLast });
    expect(again.report.gaps).toEqual(result.report.gaps);
    expect(fake.klinesRequests).toBe(requests);
  });

  it('does not retry non-retryable errors and keeps the pages already written', async () => {
    const { source, store } = await setup([{ kind: 'ok' }, { kind: 'status', status: 400 }]);
    const error = await loadBars(request, { store, source, now: () => afterLast }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataSourceError);
    expect((error as DataSourceError).retryable).toBe(false);
    expect(barsLength(await store.read(request))).toBe(100);
  });

  it('gives up after maxRetries retryable failures with a retryable DataSourceError', async () => {
    const faults: KlinesFault[] = Array.from({ length: 4 }, () => ({ kind: 'status', status: 502 }) as const);
    const { source, store } = await setup(faults);
    const error = await loadBars(request, { store, source, now: () => afterLast }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataSourceError);
    expect((error as DataSourceError).retryable).toBe(true);
  });

  it('stops on abort and resumes later without duplicates', async () => {
    const { source, store } = await setup();
    const controller = new AbortController();
    const error = await loadBars(request, {
      store,
      source,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.fetched >= 300) controller.abort();
      },
      now: () => afterLast,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(barsLength(await store.read(request))).toBe(300);
    const resumed = await loadBars(request, { store, source, now: () => afterLast });
    expectSameBars(resumed.bars, fixture);
    expect(resumed.report).toMatchObject({ fromStore: 300, fetched: n - 300 });
  });

  it('loads several symbols concurrently into one store', async () => {
    const btc = copyBars(loadFixtureBars('ohlcv/binance-1h/BTC_USDT-1h.json.gz', { last: 250 }));
    const eth = copyBars(loadFixtureBars('ohlcv/binance-1h/ETH_USDT-1h.json.gz', { last: 250 }));
    const now = btc.time[249]! + 2 * HOUR;
    const { source, store } = await setup([{ kind: 'status', status: 500 }], { series: [btc, eth], now });
    const range = { exchange: 'binance', timeframe: '1h' as const, start: btc.time[0]!, end: btc.time[249]! + HOUR };
    const [a, b] = await Promise.all([
      loadBars({ ...range, symbol: 'BTC/USDT' }, { store, source, now: () => now }),
      loadBars({ ...range, symbol: 'ETH/USDT' }, { store, source, now: () => now }),
    ]);
    expectSameBars(a.bars, btc);
    expectSameBars(b.bars, eth);
  });

  it('fetchForming returns the candle still forming, as the exchange reports it now, and nothing once none has opened', async () => {
    const i = n - 20;
    const open = fixture.time[i]!;
    // 20 minutes into bar i: the fake exchange reports it unfinished (close = open so far).
    const { source } = await setup([], { now: open + 20 * 60_000 });
    const forming = await source.fetchForming('BTC/USDT', '1h');
    expect(forming).toEqual({
      time: open,
      open: fixture.open[i]!,
      high: fixture.open[i]!,
      low: fixture.open[i]!,
      close: fixture.open[i]!,
      volume: fixture.volume[i]! / 7,
    });
    await fake!.close();
    // After the fixture's last bar nothing is forming.
    const after = await setup([], { now: afterLast + 3 * HOUR });
    expect(await after.source.fetchForming('BTC/USDT', '1h')).toBeUndefined();
  });
});
