import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, createConnection } from 'node:net';
import type { Signal } from '@candlelab/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookAuth } from './createAlertReader.js';
import { createWebhookHandler } from './createWebhookHandler.js';
import { MemoryIdempotencyStore } from './IdempotencyStore.js';
import { SignalAggregator } from './SignalAggregator.js';
import { signBody } from './signBody.js';

const SECRET = 'correct horse battery staple';
/** The server's clock in these tests: 5 s after the alerts' time. */
const ALERT_TIME = '2024-01-02T03:04:05Z';
const NOW = Date.parse(ALERT_TIME) + 5_000;

interface Harness {
  server: Server;
  port: number;
  received: Signal[];
  store: MemoryIdempotencyStore;
  aggregator: SignalAggregator;
}

async function start(auth: WebhookAuth, extra: { slow?: boolean } = {}): Promise<Harness> {
  const received: Signal[] = [];
  const store = new MemoryIdempotencyStore();
  const aggregator = new SignalAggregator();
  const handler = createWebhookHandler({
    auth,
    store,
    maxBodyBytes: 1024,
    timeoutMs: extra.slow ? 200 : 3000,
    now: () => NOW,
    onSignal: async (signal) => {
      if (extra.slow) await new Promise((r) => setTimeout(r, 400));
      received.push(signal);
      aggregator.submit(signal);
    },
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received, store, aggregator };
}

function post(
  port: number,
  body: string,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: '/webhook',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Writes a whole request on a raw socket before reading anything (as curl without
 * `Expect: 100-continue` does), then returns everything the server sent.
 */
function rawExchange(port: number, body: Buffer, framing: 'content-length' | 'chunked'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received).toString('utf8')));
    const head =
      framing === 'chunked'
        ? 'POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
        : `POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`;
    socket.write(head);
    if (framing === 'chunked') socket.write(`${body.length.toString(16)}\r\n`);
    socket.write(body);
    if (framing === 'chunked') socket.end('\r\n0\r\n\r\n');
    else socket.end();
  });
}

const alert = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    ticker: 'BINANCE:BTCUSDT',
    action: 'BUY',
    price: '42000.5',
    strategy: 'ema-cross',
    timeframe: '60',
    time: ALERT_TIME,
    secret: SECRET,
    indicators: { rsi: '28.1' },
    note: 'free field',
    ...extra,
  });

describe('TradingView webhook over a real local server (shared secret)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start({ kind: 'secret', secret: SECRET });
  });
  afterAll(() => new Promise<void>((r) => h.server.close(() => r())));
  beforeEach(() => {
    h.received.length = 0;
  });

  it('accepts a valid alert once and converts it to a core Signal', async () => {
    const ok = await post(h.port, alert({ id: 'a-1' }));
    expect(ok.status).toBe(200);
    expect(h.received).toEqual([
      {
        time: Date.parse(ALERT_TIME),
        symbol: 'BINANCE:BTCUSDT',
        action: 'buy',
        confidence: 1,
        source: 'tradingview:ema-cross',
      },
    ]);
    const replay = await post(h.port, alert({ id: 'a-1' }));
    expect(replay.status).toBe(409);
    expect(replay.json.error).toBe('duplicate');
    expect(h.received).toHaveLength(1);
    // same alert without id is keyed by the hash of its parsed fields
    expect((await post(h.port, alert({ confidence: 0.7 }))).status).toBe(200);
    expect((await post(h.port, alert({ confidence: 0.7 }))).status).toBe(409);
    expect(h.received).toHaveLength(2);
  });

  it.each([
    ['forged secret', alert({ secret: 'wrong secret value', id: 'f1' }), 401, 'unauthorized'],
    ['missing secret', JSON.stringify({ ticker: 'X', action: 'buy', price: 1, id: 'f2' }), 401, 'unauthorized'],
    ['malformed JSON', '{"ticker": "X", "action": ', 400, 'malformed_json'],
    ['unknown action', alert({ action: 'moon', id: 'f3' }), 422, 'invalid_alert'],
    ['bad price', alert({ price: 'abc', id: 'f4' }), 422, 'invalid_alert'],
    ['oversized body', alert({ padding: 'x'.repeat(2000), id: 'f5' }), 413, 'payload_too_large'],
    ['alert from the future', alert({ time: '2999-01-01T00:00:00Z', id: 'f6' }), 422, 'future_alert'],
    ['alert from 2001', alert({ time: '2001-01-01T00:00:00Z', id: 'f7' }), 422, 'stale_alert'],
    ['impossible epoch', alert({ time: 1e300, id: 'f8' }), 422, 'invalid_alert'],
  ])('%s → %i, nothing recorded', async (_name, body, status, error) => {
    const before = h.store.size;
    const seen = h.aggregator.signals('BINANCE:BTCUSDT', NOW).length;
    const r = await post(h.port, body);
    expect(r.status).toBe(status);
    expect(r.json.error).toBe(error);
    expect(h.received).toHaveLength(0);
    expect(h.store.size).toBe(before);
    expect(h.aggregator.signals('BINANCE:BTCUSDT', NOW)).toHaveLength(seen);
  });

  it('limits a chunked body without content-length too', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: h.port, method: 'POST', path: '/', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(alert({ id: 'c1' }).slice(0, -1));
      req.write(`,"padding":"${'y'.repeat(1500)}"}`);
      req.end();
    });
    expect(status).toBe(413);
    expect(h.received).toHaveLength(0);
  });

  it('keys replays on the parsed alert: reformatting the body does not make a new alert', async () => {
    const base = { ticker: 'ETHUSDT', action: 'sell', price: 2000.5, time: ALERT_TIME, secret: SECRET };
    expect((await post(h.port, JSON.stringify(base))).status).toBe(200);
    const variants = [
      JSON.stringify(base).replace('2000.5', '2000.50'),
      JSON.stringify({ ...base, price: '2000.5' }),
      JSON.stringify({ ...base, action: ' SELL' }),
      JSON.stringify(base, null, 2),
      JSON.stringify({
        secret: SECRET,
        time: Date.parse(ALERT_TIME),
        price: 2000.5,
        action: 'sell',
        ticker: 'ETHUSDT',
      }),
      JSON.stringify({ ...base, time: '2024-01-02T03:04:05.000Z', note: 'free fields do not change the signal' }),
    ];
    for (const body of variants) {
      const r = await post(h.port, body);
      expect(r.status, body).toBe(409);
      expect(r.json.error).toBe('duplicate');
    }
    expect((await post(h.port, JSON.stringify({ ...base, price: 2000.25 }))).status).toBe(200);
    expect(h.received).toHaveLength(2);
  });

  it('accepts an alert within the clock skew, dated at its receipt', async () => {
    const r = await post(h.port, alert({ time: NOW + 10_000, id: 'skew-1' }));
    expect(r.status).toBe(200);
    expect(h.received.map((s) => s.time)).toEqual([NOW]);
  });

  it('answers 413 to a client that sends a 10 MB body before reading', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 0x20);
    for (const framing of ['content-length', 'chunked'] as const) {
      const answer = await rawExchange(h.port, body, framing);
      expect(answer, framing).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toContain('"error":"payload_too_large"');
    }
    expect(h.received).toHaveLength(0);
  });

  it('refuses other methods with 405', async () => {
    expect((await post(h.port, '', {}, 'GET')).status).toBe(405);
  });
});

describe('HMAC-signed webhook and the 3-second answer', () => {
  it('checks the HMAC-SHA256 of the raw body', async () => {
    const h = await start({ kind: 'hmac', secret: SECRET });
    try {
      const body = JSON.stringify({ ticker: 'ETHUSDT', action: 'sell', price: 2000, id: 'h1' });
      expect((await post(h.port, body, { 'x-signature': `sha256=${signBody(SECRET, body)}` })).status).toBe(200);
      expect((await post(h.port, body.replace('2000', '2001'), { 'x-signature': signBody(SECRET, body) })).status).toBe(
        401,
      );
      expect((await post(h.port, body, { 'x-signature': signBody('another secret!', body) })).status).toBe(401);
      expect((await post(h.port, body)).status).toBe(401);
      expect(h.received).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => h.server.close(() => r()));
    }
  });

  it('answers 500 when the sink throws and lets the retry through', async () => {
    let calls = 0;
    const handler = createWebhookHandler({
      auth: { kind: 'secret', secret: SECRET },
      now: () => NOW,
      onSignal: () => {
        calls++;
        if (calls === 1) throw new Error('queue down');
      },
    });
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      expect((await post(port, alert({ id: 'r1' }))).status).toBe(500);
      expect((await post(port, alert({ id: 'r1' }))).status).toBe(200);
      expect((await post(port, alert({ id: 'r1' }))).status).toBe(409);
      expect(calls).toBe(2);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('answers 202 before a slow sink finishes', async () => {
    const h = await start({ kind: 'secret', secret: SECRET }, { slow: true });
    try {
      const stalled = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: h.port, method: 'POST', path: '/', headers: { 'content-length': 500 } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('{"ticker":"X",'); // and never the rest
      });
      expect(stalled).toBe(408);
      const r = await post(h.port, alert({ id: 's1' }));
      expect(r.status).toBe(202);
      expect(h.received).toHaveLength(0); // answered while the sink was still running
      await new Promise((res) => setTimeout(res, 400));
      expect(h.received).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => h.server.close(() => r()));
    }
  });
});
