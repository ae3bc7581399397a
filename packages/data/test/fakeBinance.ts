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

export interface FakeBinanceOptions {
  /** The klines served, one series per symbol (`BTC/USDT` is served as `BTCUSDT`), all of one timeframe. */
  series: Bars[];
  /** The exchange's clock: the candle containing `now` is served unfinished. Default: two bars after the last bar. */
  now?: number;
  /** Faults for successive klines requests. Default none. */
  faults?: KlinesFault[];
  /** Delay before every klines response, ms (a realistic round trip). Default 0. */
  latencyMs?: number;
}

export interface FakeBinance {
  /** Base URL `http://127.0.0.1:<port>`. */
  url: string;
  /** Number of klines requests served (faulty ones included). */
  klinesRequests: number;
  close(): Promise<void>;
}

const BINANCE_INTERVALS: Record<string, string> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1h': '1h',
  '4h': '4h',
  '1d': '1d',
};

/**
 * A local HTTP server speaking just enough of Binance's public REST API (`/api/v3/exchangeInfo`,
 * `/api/v3/klines`) for a real ccxt `binance` object, with injectable faults.
 */
export async function startFakeBinance(options: FakeBinanceOptions): Promise<FakeBinance> {
  const bySymbol = new Map(options.series.map((bars) => [bars.symbol.replace('/', ''), bars]));
  const timeframe = options.series[0]!.timeframe;
  const tfMs = timeframeToMs(timeframe);
  const lastTime = Math.max(...options.series.map((bars) => bars.time[barsLength(bars) - 1] ?? 0));
  const now = options.now ?? lastTime + 2 * tfMs;
  const faults = [...(options.faults ?? [])];
  const hanging: ServerResponse[] = [];
  const state = { klinesRequests: 0 };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/v3/exchangeInfo') {
      json(res, 200, exchangeInfo([...bySymbol.values()].map((bars) => bars.symbol)));
      return;
    }
    if (url.pathname !== '/api/v3/klines') {
      json(res, 404, { code: -1, msg: `not served: ${url.pathname}` });
      return;
    }
    state.klinesRequests++;
    const fault = faults.shift() ?? { kind: 'ok' };
    const respond = () => {
      if (fault.kind === 'hang') {
        hanging.push(res);
        return;
      }
      if (fault.kind === 'status') {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
        if (fault.status === 429) json(res, 429, { code: -1003, msg: 'injected: too many requests' }, headers);
        else if (fault.status === 400) json(res, 400, { code: -1121, msg: 'Invalid symbol.' }, headers);
        else {
          res.writeHead(fault.status, { 'Content-Type': 'text/plain', ...headers });
          res.end(`injected HTTP ${fault.status}`);
        }
        return;
      }
      const bars = bySymbol.get(url.searchParams.get('symbol') ?? '');
      if (bars === undefined || url.searchParams.get('interval') !== BINANCE_INTERVALS[timeframe]) {
        json(res, 400, { code: -1121, msg: 'Invalid symbol.' });
        return;
      }
      const n = barsLength(bars);
      const startTime = Number(url.searchParams.get('startTime') ?? 0);
      const endTime = url.searchParams.has('endTime')
        ? Number(url.searchParams.get('endTime'))
        : Number.POSITIVE_INFINITY;
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 500));
      const rows: unknown[][] = [];
      for (let i = lowerBound(bars.time, startTime); i < n && rows.length < limit; i++) {
        const t = bars.time[i]!;
        if (t > endTime || t > now) break;
        const unfinished = t + tfMs > now;
        const close = unfinished ? bars.open[i]! : bars.close[i]!;
        const high = unfinished ? Math.max(bars.open[i]!, close) : bars.high[i]!;
        const low = unfinished ? Math.min(bars.open[i]!, close) : bars.low[i]!;
        const volume = unfinished ? bars.volume[i]! / 7 : bars.volume[i]!;
        rows.push([t, s(bars.open[i]!), s(high), s(low), s(close), s(volume), t + tfMs - 1, '0', 1, '0', '0', '0']);
      }
      let body = rows;
      if (fault.kind === 'short') body = rows.slice(0, fault.rows);
      if (fault.kind === 'duplicate' && rows.length > 2)
        body = [rows[0]!, ...rows.slice(0, 2), rows[1]!, ...rows.slice(1)];
      json(res, 200, body);
    };
    if (options.latencyMs) setTimeout(respond, options.latencyMs);
    else respond();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get klinesRequests() {
      return state.klinesRequests;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function s(value: number): string {
  return String(value);
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

/** A real ccxt `binance` object whose public REST API is the fake server at `url`. */
export async function fakeBinanceExchange(url: string, options: { timeoutMs?: number; rateLimitMs?: number } = {}) {
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
