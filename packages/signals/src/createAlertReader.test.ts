import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CandlelabError, SignalSchema } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertReplayKey, createAlertReader } from './createAlertReader.js';
import { createWebhookHandler } from './createWebhookHandler.js';
import { signBody } from './signBody.js';
import { TradingViewAlertSchema } from './tradingViewAlert.js';
import { WebhookRejectedError } from './WebhookRejectedError.js';

const SECRET = 'correct horse battery staple';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const MAX_AGE = 300_000;
const SKEW = 30_000;

describe('createAlertReader', () => {
  const read = createAlertReader({ auth: { kind: 'secret', secret: SECRET }, now: () => NOW });

  it('refuses with typed errors naming the field', () => {
    const refusal = (body: unknown) => {
      try {
        read(typeof body === 'string' ? body : JSON.stringify(body));
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookRejectedError);
        const e = error as WebhookRejectedError;
        return { reason: e.reason, status: e.status, fields: e.issues.map((i) => i.field) };
      }
      throw new Error('accepted');
    };
    const valid = { ticker: 'BTCUSDT', action: 'buy', price: 1, secret: SECRET };
    expect(refusal('{')).toEqual({ reason: 'malformed_json', status: 400, fields: ['body'] });
    expect(refusal([1])).toEqual({ reason: 'invalid_alert', status: 422, fields: ['body'] });
    expect(refusal({ ...valid, secret: 'nope' })).toEqual({ reason: 'unauthorized', status: 401, fields: ['secret'] });
    expect(refusal({ ...valid, price: -3 })).toEqual({ reason: 'invalid_alert', status: 422, fields: ['price'] });
    expect(refusal({ ...valid, time: NOW + SKEW + 1 })).toEqual({
      reason: 'future_alert',
      status: 422,
      fields: ['time'],
    });
    expect(refusal({ ...valid, time: NOW - MAX_AGE - 1 })).toEqual({
      reason: 'stale_alert',
      status: 422,
      fields: ['time'],
    });
    expect(read(JSON.stringify({ ...valid, time: NOW - MAX_AGE })).signal.time).toBe(NOW - MAX_AGE);
    expect(read(JSON.stringify({ ...valid, time: NOW + SKEW })).signal.time).toBe(NOW);
    const strict = createAlertReader({ auth: { kind: 'secret', secret: SECRET }, requireTime: true, now: () => NOW });
    expect(() => strict(JSON.stringify(valid))).toThrow(/time: required/);
    expect(() => createAlertReader({ auth: { kind: 'secret', secret: SECRET }, maxAgeMs: 0 })).toThrow(/'maxAgeMs'/);
    expect(() => createAlertReader({ auth: { kind: 'hmac', secret: 'short' } })).toThrow(/'auth.secret'/);
  });

  it('replay key: canonical over the parsed fields, blind to formatting, secret and free fields', () => {
    const key = (raw: Record<string, unknown>) => alertReplayKey(TradingViewAlertSchema.parse(raw));
    const a = { ticker: 'BTCUSDT', action: 'buy', price: 42000.5, time: NOW, indicators: { rsi: 30, adx: 20 } };
    const k = key(a);
    expect(k).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(key({ ...a, price: '42000.50', action: 'BUY', indicators: { adx: '20', rsi: 30 } })).toBe(k);
    expect(key({ ...a, time: new Date(NOW).toISOString(), note: 'x', secret: 'y' })).toBe(k);
    expect(key({ ...a, price: 42000.25 })).not.toBe(k);
    expect(key({ ...a, time: NOW + 1 })).not.toBe(k);
    expect(key({ ...a, id: 'tv-1' })).toBe('id:tv-1');
  });
});

/** Field values a sender could put in an alert: right, wrong, or absurd. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('buy', 'SELL', ' hold ', 'short', '1e3', '-1', 'NaN', 'Infinity', '', '2026-06-01T12:00:00Z'),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.double(), fc.string({ maxLength: 5 })), { maxKeys: 3 }),
);
/** A valid alert, with up to three of its fields replaced by anything (or removed). */
const alertLike = fc
  .tuple(
    fc.record(
      {
        ticker: fc.constantFrom('BTCUSDT', 'BINANCE:ETHUSDT', ' SOLUSDT '),
        action: fc.constantFrom('buy', 'sell', 'hold', 'Buy', 'SELL'),
        price: fc.oneof(
          fc.double({ min: 1e-6, max: 1e7, noNaN: true }),
          fc.double({ min: 1e-6, max: 1e7, noNaN: true }).map(String),
        ),
        time: fc.oneof(
          fc.integer({ min: NOW - 2 * MAX_AGE, max: NOW + 2 * SKEW }),
          fc.integer({ min: NOW - 2 * MAX_AGE, max: NOW + 2 * SKEW }).map((t) => new Date(t).toISOString()),
        ),
        confidence: fc.double({ min: 0, max: 1, noNaN: true }),
        size: fc.double({ min: 0, max: 1, noNaN: true }),
        strategy: fc.string({ maxLength: 12 }),
        id: fc.string({ minLength: 1, maxLength: 12 }),
        indicators: fc.dictionary(fc.string({ maxLength: 4 }), fc.double({ noNaN: true, noDefaultInfinity: true }), {
          maxKeys: 3,
        }),
        secret: fc.constant(SECRET),
      },
      { requiredKeys: ['ticker', 'action', 'price', 'secret'] },
    ),
    fc.array(
      fc.tuple(
        fc.constantFrom(
          'ticker',
          'action',
          'price',
          'time',
          'confidence',
          'size',
          'strategy',
          'id',
          'indicators',
          'secret',
          'extra',
        ),
        fc.oneof(
          anyValue,
          fc.constantFrom('2999-01-01T00:00:00Z', '2001-01-01T00:00:00Z', '0000-01-01T00:00:00Z', 2 ** 53, -1, 1e300),
        ),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([alert, mutations]) => {
    const out: Record<string, unknown> = { ...alert };
    for (const [field, value] of mutations) out[field] = value;
    return out;
  });
/** A webhook body: a mutated alert, arbitrary JSON, or bytes. */
const bodies = fc.oneof(
  { weight: 6, arbitrary: alertLike.map((a) => JSON.stringify(a)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')) },
);

describe('fuzz: every webhook body gives a typed refusal or a valid signal', () => {
  it('the reader never throws anything but a WebhookRejectedError (seeded, ≈5 s bound)', () => {
    const read = createAlertReader({ auth: { kind: 'secret', secret: SECRET }, now: () => NOW });
    const counts = { inputs: 0, typedErrors: 0, accepted: 0 };
    const reasons: Record<string, number> = {};
    fc.assert(
      fc.property(bodies, (body) => {
        counts.inputs++;
        try {
          const { signal, alert, replayKey } = read(body);
          counts.accepted++;
          expect(SignalSchema.safeParse(signal).success).toBe(true);
          expect(signal.time).toBeGreaterThanOrEqual(NOW - MAX_AGE);
          expect(signal.time).toBeLessThanOrEqual(NOW);
          expect(alert.secret).toBeUndefined();
          expect(replayKey).toMatch(/^(id:.+|sha256:[0-9a-f]{64})$/s);
        } catch (error) {
          if (!(error instanceof WebhookRejectedError)) throw error;
          expect(error).toBeInstanceOf(CandlelabError);
          expect(error.issues.length).toBeGreaterThan(0);
          expect(error.issues.every((i) => typeof i.field === 'string')).toBe(true);
          counts.typedErrors++;
          reasons[error.reason] = (reasons[error.reason] ?? 0) + 1;
        }
      }),
      { seed: 20_261_204, numRuns: 20_000, interruptAfterTimeLimit: 4_000 },
    );
    console.log('webhook reader fuzz', counts, reasons);
    expect(counts.typedErrors + counts.accepted).toBe(counts.inputs);
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.typedErrors).toBeGreaterThan(0);
  });

  it('over HTTP (HMAC), every body gets a 2xx or 4xx JSON answer, never a 500 or a reset', async () => {
    const server = createServer(
      createWebhookHandler({ auth: { kind: 'hmac', secret: SECRET }, now: () => NOW, onSignal: () => {} }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const statuses: Record<number, number> = {};
    try {
      const samples = fc.sample(bodies, { seed: 7, numRuns: 300 });
      for (const body of samples) {
        const answer = await new Promise<{ status: number; json: unknown }>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              agent,
              headers: { 'content-length': Buffer.byteLength(body), 'x-signature': signBody(SECRET, body) },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        expect([200, 400, 401, 409, 413, 422]).toContain(answer.status);
      }
      console.log('webhook HTTP fuzz statuses', statuses);
      expect(statuses[200] ?? 0).toBeGreaterThan(0);
    } finally {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
