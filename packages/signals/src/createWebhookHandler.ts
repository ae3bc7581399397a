import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidParameterError, type Signal } from '@candlelab/core';
import { type IdempotencyStore, MemoryIdempotencyStore } from './IdempotencyStore.js';
import { alertToSignal, type TradingViewAlert, TradingViewAlertSchema } from './tradingViewAlert.js';

/**
 * How a webhook proves it comes from you.
 * - `secret`: the body carries a shared secret in `field` (default `'secret'`), as TradingView
 *   alerts must (they cannot set headers).
 * - `hmac`: header `header` (default `'x-signature'`) holds the hex HMAC-SHA256 of the raw body,
 *   optionally prefixed `sha256=`.
 * Both compare in constant time (`crypto.timingSafeEqual` over SHA-256 digests).
 */
export type WebhookAuth =
  | { kind: 'secret'; secret: string; field?: string }
  | { kind: 'hmac'; secret: string; header?: string };

/** Why a request was refused (also the `error` field of the JSON answer). */
export type WebhookRejection =
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'request_timeout'
  | 'malformed_json'
  | 'unauthorized'
  | 'invalid_alert'
  | 'duplicate'
  | 'processing_failed';

export interface WebhookHandlerOptions {
  auth: WebhookAuth;
  /** Receives every authentic, valid, first-seen alert (the aggregator's `submit`, a queue, …). */
  onSignal: (signal: Signal, alert: TradingViewAlert) => void | Promise<void>;
  /** Idempotency store. Default: a `MemoryIdempotencyStore` (24 h TTL). */
  store?: IdempotencyStore;
  /** Largest accepted body in bytes. Default 16,384. */
  maxBodyBytes?: number;
  /**
   * The answer is sent within this many ms (TradingView gives up after 3 s). A body still
   * arriving then gets 408; a valid alert whose `onSignal` is still running gets 202. Default 3,000.
   */
  timeoutMs?: number;
  /** Signal source prefix. Default `'tradingview'`. */
  source?: string;
  /** Confidence for alerts without one. Default 1. */
  defaultConfidence?: number;
  /** Called for each refused request (logging, metrics). Default: nothing. */
  onReject?: (status: number, reason: WebhookRejection, detail: string) => void;
}

const STATUS: Record<WebhookRejection, number> = {
  method_not_allowed: 405,
  payload_too_large: 413,
  request_timeout: 408,
  malformed_json: 400,
  unauthorized: 401,
  invalid_alert: 422,
  duplicate: 409,
  processing_failed: 500,
};

function digest(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time string equality (lengths hidden by comparing SHA-256 digests). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Hex HMAC-SHA256 of a raw body: what a sender puts in the signature header. */
export function signBody(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * A ready `node:http` request handler for TradingView (or any) alert webhooks. Checks, in order:
 * method (405), size (413), authentication for HMAC (401), JSON (400), shared secret (401), schema
 * (422), idempotency (409 for a replay), then hands the signal to `onSignal` (200; 500 if it
 * throws, releasing the key so a retry can pass). Nothing refused ever reaches `onSignal`, and
 * the secret field is removed from the alert first.
 */
export function createWebhookHandler(
  options: WebhookHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { auth, onSignal } = options;
  if (typeof auth.secret !== 'string' || auth.secret.length < 8)
    throw new InvalidParameterError('auth.secret', '***', 'expected a secret of at least 8 characters');
  const store = options.store ?? new MemoryIdempotencyStore();
  const maxBodyBytes = options.maxBodyBytes ?? 16_384;
  const timeoutMs = options.timeoutMs ?? 3000;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new InvalidParameterError('maxBodyBytes', maxBodyBytes, 'expected an integer >= 1');
  if (!(timeoutMs > 0)) throw new InvalidParameterError('timeoutMs', timeoutMs, 'expected a number > 0');
  const secretField = auth.kind === 'secret' ? (auth.field ?? 'secret') : '';
  const secretDigest = digest(auth.secret);
  const signatureHeader = auth.kind === 'hmac' ? (auth.header ?? 'x-signature').toLowerCase() : '';
  const convert = { source: options.source ?? 'tradingview', defaultConfidence: options.defaultConfidence ?? 1 };

  return (req, res) => {
    let answered = false;
    let bodyDone = false;
    const answer = (status: number, payload: Record<string, unknown>, close = false): void => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      const text = JSON.stringify(payload);
      const headers: Record<string, string | number> = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      };
      if (close) headers.connection = 'close';
      res.writeHead(status, headers);
      res.end(text);
    };
    const reject = (reason: WebhookRejection, detail: string, close = false): void => {
      if (answered) return;
      options.onReject?.(STATUS[reason], reason, detail);
      answer(STATUS[reason], { ok: false, error: reason, detail }, close);
    };
    const timer = setTimeout(() => {
      if (bodyDone) answer(202, { ok: true, status: 'processing' });
      else {
        res.once('finish', () => req.destroy());
        reject('request_timeout', `body not received within ${timeoutMs} ms`, true);
      }
    }, timeoutMs);

    if (req.method !== 'POST') {
      bodyDone = true;
      req.resume();
      reject('method_not_allowed', `method ${req.method} not allowed; use POST`);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBodyBytes) {
      bodyDone = true;
      reject('payload_too_large', `body of ${declared} bytes exceeds ${maxBodyBytes}`, true);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (answered) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject('payload_too_large', `body exceeds ${maxBodyBytes} bytes`, true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => clearTimeout(timer));
    req.on('end', () => {
      bodyDone = true;
      if (answered) return;
      void processBody(Buffer.concat(chunks), req).catch((error: unknown) =>
        reject('processing_failed', error instanceof Error ? error.message : String(error)),
      );
    });

    const processBody = async (raw: Buffer, request: IncomingMessage): Promise<void> => {
      if (auth.kind === 'hmac') {
        const header = request.headers[signatureHeader];
        const given = typeof header === 'string' ? header.replace(/^sha256=/, '') : '';
        if (!constantTimeEqual(given, signBody(auth.secret, raw)))
          return reject('unauthorized', 'bad or missing signature');
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        return reject('malformed_json', 'body is not valid JSON');
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json))
        return reject('invalid_alert', 'body must be a JSON object');
      const record = json as Record<string, unknown>;
      if (auth.kind === 'secret') {
        const given = record[secretField];
        if (typeof given !== 'string' || !timingSafeEqual(digest(given), secretDigest)) {
          return reject('unauthorized', 'bad or missing secret');
        }
        delete record[secretField];
      }
      const parsed = TradingViewAlertSchema.safeParse(record);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        return reject('invalid_alert', detail);
      }
      const alert = parsed.data;
      const key = alert.id ?? digest(raw).toString('hex');
      if (!(await store.claim(key))) return reject('duplicate', `alert ${key} was already processed`);
      const signal = alertToSignal(alert, { ...convert, now: Date.now() });
      try {
        await onSignal(signal, alert);
      } catch (error) {
        await store.release(key);
        throw error;
      }
      answer(200, { ok: true, id: key, signal });
    };
  };
}
