import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidParameterError, type Signal } from '@candlelab/core';
import { type AlertReaderOptions, createAlertReader, type ReadAlert } from './createAlertReader.js';
import { type IdempotencyStore, MemoryIdempotencyStore } from './IdempotencyStore.js';
import type { TradingViewAlert } from './tradingViewAlert.js';
import { WEBHOOK_REJECTION_STATUS, WebhookRejectedError, type WebhookRejection } from './WebhookRejectedError.js';

export interface WebhookHandlerOptions extends AlertReaderOptions {
  /** Receives every authentic, valid, fresh, first-seen alert (the aggregator's `submit`, a queue, …). */
  onSignal: (signal: Signal, alert: TradingViewAlert) => void | Promise<void>;
  /**
   * Idempotency store. Default: a `MemoryIdempotencyStore` (24 h TTL). Its TTL must exceed
   * `maxAgeMs + maxFutureSkewMs`, or a replay of a still-fresh alert would pass once forgotten.
   */
  store?: IdempotencyStore;
  /** Largest accepted body in bytes. Default 16,384. */
  maxBodyBytes?: number;
  /**
   * The answer is sent within this many ms of the request's headers (TradingView gives up after
   * 3 s). A body still arriving then gets 408 and the connection is closed; a valid alert whose
   * `onSignal` is still running gets 202. Default 3,000.
   */
  timeoutMs?: number;
  /**
   * After a 413, the rest of the body is read and discarded — up to this many bytes and for at most
   * `timeoutMs` — so that a client that sends its whole body before reading can read the 413
   * instead of meeting a connection reset; beyond either bound the connection is closed.
   * Default 33,554,432 (32 MiB).
   */
  maxDiscardBytes?: number;
  /** Called for each refused request (logging, metrics). Default: nothing. */
  onReject?: (status: number, reason: WebhookRejection, detail: string) => void;
}

/**
 * A ready `node:http` request handler for TradingView (or any) alert webhooks. Checks, in order:
 * method (405), size (413), then the body with {@link createAlertReader} — HMAC signature (401),
 * JSON (400), shared secret (401), schema (422 `invalid_alert`), freshness (422 `stale_alert` /
 * `future_alert`) — then idempotency on the alert's replay key (409 for a replay), and hands the
 * signal to `onSignal` (200; 500 if it throws, releasing the key so a retry can pass). Nothing
 * refused ever reaches `onSignal`, and the secret field is removed from the alert first.
 * Serve it with {@link createWebhookServer}, which also bounds how long headers may take.
 */
export function createWebhookHandler(
  options: WebhookHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { onSignal } = options;
  const readAlert = createAlertReader(options);
  const store = options.store ?? new MemoryIdempotencyStore();
  const maxBodyBytes = options.maxBodyBytes ?? 16_384;
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxDiscardBytes = options.maxDiscardBytes ?? 33_554_432;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new InvalidParameterError('maxBodyBytes', maxBodyBytes, 'expected an integer >= 1');
  if (!(timeoutMs > 0)) throw new InvalidParameterError('timeoutMs', timeoutMs, 'expected a number > 0');
  if (!Number.isInteger(maxDiscardBytes) || maxDiscardBytes < 0)
    throw new InvalidParameterError('maxDiscardBytes', maxDiscardBytes, 'expected an integer >= 0');

  return (req, res) => {
    let answered = false;
    let bodyDone = false;
    let oversized = false;
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
      options.onReject?.(WEBHOOK_REJECTION_STATUS[reason], reason, detail);
      answer(WEBHOOK_REJECTION_STATUS[reason], { ok: false, error: reason, detail }, close);
    };
    const timer = setTimeout(() => {
      if (bodyDone) answer(202, { ok: true, status: 'processing' });
      else {
        res.once('finish', () => req.destroy());
        reject('request_timeout', `body not received within ${timeoutMs} ms`, true);
      }
    }, timeoutMs);
    /**
     * Answers 413 on a connection kept open while the rest of the body is discarded: closing it
     * with unread bytes would make the kernel reset it and lose the answer.
     */
    const refuseOversized = (detail: string): void => {
      oversized = true;
      bodyDone = true;
      reject('payload_too_large', detail);
      const linger = setTimeout(() => req.destroy(), timeoutMs);
      req.once('close', () => clearTimeout(linger));
      req.once('end', () => clearTimeout(linger));
    };

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (oversized) {
        if (size > maxBodyBytes + maxDiscardBytes) req.destroy();
        return;
      }
      if (answered) return;
      if (size > maxBodyBytes) {
        refuseOversized(`body exceeds ${maxBodyBytes} bytes`);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => clearTimeout(timer));
    req.on('end', () => {
      bodyDone = true;
      if (answered) return;
      void processBody(Buffer.concat(chunks)).catch((error: unknown) =>
        reject('processing_failed', error instanceof Error ? error.message : String(error)),
      );
    });

    if (req.method !== 'POST') {
      bodyDone = true;
      reject('method_not_allowed', `method ${req.method} not allowed; use POST`);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBodyBytes) refuseOversized(`body of ${declared} bytes exceeds ${maxBodyBytes}`);

    const processBody = async (raw: Buffer): Promise<void> => {
      let read: ReadAlert;
      try {
        read = readAlert(raw, req.headers);
      } catch (error) {
        if (error instanceof WebhookRejectedError) return reject(error.reason, error.detail);
        throw error;
      }
      const key = read.replayKey;
      if (!(await store.claim(key))) return reject('duplicate', `alert ${key} was already processed`);
      try {
        await onSignal(read.signal, read.alert);
      } catch (error) {
        await store.release(key);
        throw error;
      }
      answer(200, { ok: true, id: key, signal: read.signal });
    };
  };
}
