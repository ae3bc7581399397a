import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Bars, barsLength, lowerBound, timeframeToMs } from '@candlelab/core';

/** A fault injected into one `/api/v3/klines` response (consumed in order, one per request). */
export type KlinesFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'hang' }
  | { kind: 'short'; rows: number }
  | { kind: 'duplicate' }
  | { kind: 'ok' };

export interface FakeExchangeOptions {
  /** The klines served, one series per symbol (`BTC/USDT` is served as `BTCUSDT` at its own timeframe). */
  series: Bars[];
  /** The exchange's clock, epoch ms: the candle containing it is served unfinished. Default: two bars after the last bar. */
  now?: number;
  /** Faults for successive klines requests. Default none. */
  faults?: KlinesFault[];
  /** Delay before every klines answer, ms (a realistic round trip). Default 0. */
  latencyMs?: number;
}

/** A running fake exchange; every field but `url` and `klinesRequests` can be changed while it runs. */
export interface FakeExchange {
  /** Base URL `http://127.0.0.1:<port>`. */
  url: string;
  /** The exchange's clock, epoch ms (move it to fast-forward bar by bar). */
  now: number;
  /** The klines served (swap them to inject a regime shift). */
  series: Bars[];
  /** While true every klines request fails with HTTP 503 (downtime). */
  down: boolean;
  /** Delay before each klines answer, ms. */
  latencyMs: number;
  /** Faults still to be served, in order. */
  faults: KlinesFault[];
  /** Klines requests served (faulty ones included). */
  klinesRequests: number;
  close(): Promise<void>;
}

/**
 * A local HTTP server speaking just enough of Binance's public REST API (`/api/v3/exchangeInfo`,
 * `/api/v3/klines` with `startTime`/`endTime`/`limit` paging) for a real ccxt `binance` object:
 * it serves the klines that have opened by `now` (the candle containing `now` unfinished, as
 * Binance does), with a movable clock, swappable series, downtime and injectable faults.
 */
export async function startFakeExchange(options: FakeExchangeOptions): Promise<FakeExchange> {
  const lastOpen = Math.max(
    ...options.series.map((bars) => (bars.time[barsLength(bars) - 1] ?? 0) + 2 * timeframeToMs(bars.timeframe)),
  );
  const hanging: ServerResponse[] = [];
  const state: FakeExchange = {
    url: '',
    now: options.now ?? lastOpen,
    series: options.series,
    down: false,
    latencyMs: options.latencyMs ?? 0,
    faults: [...(options.faults ?? [])],
    klinesRequests: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/v3/exchangeInfo')
      return json(res, 200, exchangeInfo(state.series.map((bars) => bars.symbol)));
    if (url.pathname !== '/api/v3/klines') return json(res, 404, { code: -1, msg: `not served: ${url.pathname}` });
    state.klinesRequests++;
    const fault = state.faults.shift() ?? { kind: 'ok' };
    const respond = () => {
      if (state.down) {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        return res.end('injected downtime');
      }
      if (fault.kind === 'hang') return void hanging.push(res);
      if (fault.kind === 'status') {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
        if (fault.status === 429) return json(res, 429, { code: -1003, msg: 'injected: too many requests' }, headers);
        if (fault.status === 400) return json(res, 400, { code: -1121, msg: 'Invalid symbol.' }, headers);
        res.writeHead(fault.status, { 'Content-Type': 'text/plain', ...headers });
        return res.end(`injected HTTP ${fault.status}`);
      }
      const bars = state.series.find((b) => b.symbol.replace('/', '') === url.searchParams.get('symbol'));
      if (bars === undefined || url.searchParams.get('interval') !== bars.timeframe)
        return json(res, 400, { code: -1121, msg: 'Invalid symbol.' });
      const rows = klines(bars, url.searchParams, state.now);
      let body = rows;
      if (fault.kind === 'short') body = rows.slice(0, fault.rows);
      if (fault.kind === 'duplicate' && rows.length > 2)
        body = [rows[0]!, ...rows.slice(0, 2), rows[1]!, ...rows.slice(1)];
      return json(res, 200, body);
    };
    if (state.latencyMs > 0) setTimeout(respond, state.latencyMs);
    else respond();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** Binance kline rows of `bars` opened by `now`, from `startTime`, at most `limit` (≤ 1,000). */
function klines(bars: Bars, params: URLSearchParams, now: number): unknown[][] {
  const tfMs = timeframeToMs(bars.timeframe);
  const n = barsLength(bars);
  const start = Number(params.get('startTime') ?? 0);
  const end = params.has('endTime') ? Number(params.get('endTime')) : Number.POSITIVE_INFINITY;
  const limit = Math.min(1000, Number(params.get('limit') ?? 500));
  const rows: unknown[][] = [];
  for (let i = lowerBound(bars.time, start); i < n && rows.length < limit; i++) {
    const t = bars.time[i]!;
    if (t > end || t > now) break;
    const unfinished = t + tfMs > now;
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
  return rows;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
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
        icebergAllowed: true,
        ocoAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000.00', tickSize: '0.01' },
          { filterType: 'LOT_SIZE', minQty: '0.00001', maxQty: '9000.00', stepSize: '0.00001' },
        ],
        permissions: ['SPOT'],
        permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'NONE',
        allowedSelfTradePreventionModes: ['NONE'],
      };
    }),
  };
}

/**
 * The ccxt `binance` options that point a client built elsewhere (a serve config's
 * `exchange.options`, a child process) at the fake exchange at `url`: public REST API on loopback,
 * spot markets only, no rate-limit wait.
 */
export function fakeExchangeCcxtOptions(url: string): Record<string, unknown> {
  return { rateLimit: 1, urls: { api: { public: `${url}/api/v3` } }, options: { fetchMarkets: { types: ['spot'] } } };
}

/** A real ccxt `binance` object whose public REST API is the fake exchange at `url`. */
export async function fakeExchangeClient(url: string, options: { timeoutMs?: number; rateLimitMs?: number } = {}) {
  const { default: ccxt } = await import('ccxt');
  const exchange = new ccxt.binance({
    enableRateLimit: true,
    rateLimit: options.rateLimitMs ?? 1,
    timeout: options.timeoutMs ?? 2000,
    options: { fetchMarkets: { types: ['spot'] } },
  });
  (exchange.urls as { api: Record<string, string> }).api.public = `${url}/api/v3`;
  return exchange;
}
