import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Bars, barsLength, lowerBound, timeframeToMs } from '@candlelab/core';

/**
 * A fake Binance on loopback whose clock the test moves: it serves the klines of `series` that
 * have opened by `now` (the candle containing `now` unfinished, as Binance does), speaking just
 * enough of the public REST API (`exchangeInfo`, `klines`) for a real ccxt `binance` object.
 * Unlike @candlelab/data's test fake (fixed clock), time here is fast-forwarded bar by bar, and the
 * served series can be swapped (to inject a regime shift) or made unreachable (downtime).
 */
export interface FakeExchange {
  url: string;
  /** The exchange's clock, epoch ms. */
  now: number;
  /** The klines served, one series per symbol. */
  series: Bars[];
  /** While true every klines request fails with HTTP 503. */
  down: boolean;
  /** Delay before each klines answer, ms (a realistic round trip). */
  latencyMs: number;
  klinesRequests: number;
  close(): Promise<void>;
}

export async function startFakeExchange(series: Bars[], now: number): Promise<FakeExchange> {
  const state: FakeExchange = {
    url: '',
    now,
    series,
    down: false,
    latencyMs: 0,
    klinesRequests: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v3/exchangeInfo') return json(200, exchangeInfo(state.series.map((b) => b.symbol)));
    if (url.pathname !== '/api/v3/klines') return json(404, { code: -1, msg: 'not served' });
    state.klinesRequests++;
    if (state.down) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      return res.end('injected downtime');
    }
    const bars = state.series.find((b) => b.symbol.replace('/', '') === url.searchParams.get('symbol'));
    if (bars === undefined || url.searchParams.get('interval') !== bars.timeframe)
      return json(400, { code: -1121, msg: 'Invalid symbol.' });
    const tfMs = timeframeToMs(bars.timeframe);
    const n = barsLength(bars);
    const start = Number(url.searchParams.get('startTime') ?? 0);
    const end = url.searchParams.has('endTime') ? Number(url.searchParams.get('endTime')) : Number.POSITIVE_INFINITY;
    const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 500));
    const rows: unknown[][] = [];
    for (let i = lowerBound(bars.time, start); i < n && rows.length < limit; i++) {
      const t = bars.time[i]!;
      if (t > end || t > state.now) break;
      const unfinished = t + tfMs > state.now;
      const close = unfinished ? bars.open[i]! : bars.close[i]!;
      const high = unfinished ? Math.max(bars.open[i]!, close) : bars.high[i]!;
      const low = unfinished ? Math.min(bars.open[i]!, close) : bars.low[i]!;
      const volume = unfinished ? bars.volume[i]! / 7 : bars.volume[i]!;
      rows.push([
        t,
        `${bars.open[i]}`,
        `${high}`,
        `${low}`,
        `${close}`,
        `${volume}`,
        t + tfMs - 1,
        '0',
        1,
        '0',
        '0',
        '0',
      ]);
    }
    if (state.latencyMs > 0) setTimeout(() => json(200, rows), state.latencyMs);
    else json(200, rows);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

function exchangeInfo(symbols: string[]): unknown {
  return {
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [],
    exchangeFilters: [],
    symbols: symbols.map((symbol) => {
      const [base, quote] = symbol.split('/') as [string, string];
      return {
        symbol: `${base}${quote}`,
        status: 'TRADING',
        baseAsset: base,
        baseAssetPrecision: 8,
        quoteAsset: quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        orderTypes: ['LIMIT', 'MARKET'],
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000.00', tickSize: '0.01' },
          { filterType: 'LOT_SIZE', minQty: '0.00001', maxQty: '9000.00', stepSize: '0.00001' },
        ],
        permissions: ['SPOT'],
        permissionSets: [['SPOT']],
      };
    }),
  };
}

/** A real ccxt `binance` object whose public REST API is the fake exchange. */
export async function fakeExchangeClient(url: string) {
  const { default: ccxt } = await import('ccxt');
  const exchange = new ccxt.binance({
    enableRateLimit: true,
    rateLimit: 1,
    timeout: 2000,
    options: { fetchMarkets: { types: ['spot'] } },
  });
  (exchange.urls as { api: Record<string, string> }).api.public = `${url}/api/v3`;
  return exchange;
}
