import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { canonicalJson, InvalidParameterError, type Signal, zodIssues } from '@candlelab/core';
import { constantTimeEqual, signBody } from './signBody.js';
import { alertTime, alertToSignal, type TradingViewAlert, TradingViewAlertSchema } from './tradingViewAlert.js';
import { WebhookRejectedError } from './WebhookRejectedError.js';

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

export interface AlertReaderOptions {
  auth: WebhookAuth;
  /**
   * Oldest accepted alert: its `time` may be at most this many ms before receipt. Default 300,000
   * (5 min), for alerts stamped with `{{timenow}}`; alerts stamped with the bar's open time
   * `{{time}}` need at least one bar length.
   */
  maxAgeMs?: number;
  /** Clock skew allowed: an alert's `time` may be at most this many ms after receipt. Default 30,000. */
  maxFutureSkewMs?: number;
  /**
   * Refuse alerts without `time`. Their freshness cannot be checked (they are stamped with the
   * receipt time), so a replay is caught only while the idempotency store remembers it. Default false.
   */
  requireTime?: boolean;
  /** Signal source prefix; `:<strategy>` is appended when the alert names one. Default `'tradingview'`. */
  source?: string;
  /** Confidence for alerts without one. Default 1. */
  defaultConfidence?: number;
  /** Clock in epoch ms, read once per alert as its receipt time. Default `Date.now`. */
  now?: () => number;
}

/** An authentic, valid, fresh alert. */
export interface ReadAlert {
  /** The parsed alert, without its secret field. */
  alert: TradingViewAlert;
  /** The alert as a core Signal; its `time` is the alert's time, never later than `receivedAt`. */
  signal: Signal;
  /**
   * Idempotency key: `id:<alert id>` when the alert has an `id`, else `sha256:<hex>` of the
   * canonical JSON of its parsed fields (see {@link alertReplayKey}).
   */
  replayKey: string;
  /** Receipt time (epoch ms). */
  receivedAt: number;
}

/** Checks one raw webhook body (and its headers) and returns the alert, or throws a {@link WebhookRejectedError}. */
export type AlertReader = (body: Buffer | string, headers?: IncomingHttpHeaders) => ReadAlert;

/**
 * A checker for webhook bodies, in the order: HMAC signature of the raw body (`hmac` mode) → JSON
 * → shared secret (`secret` mode) → schema → freshness (`time` within [receipt − `maxAgeMs`,
 * receipt + `maxFutureSkewMs`]). Every refusal is a {@link WebhookRejectedError} naming the field;
 * nothing else is thrown. Options are checked once, here.
 */
export function createAlertReader(options: AlertReaderOptions): AlertReader {
  const { auth } = options;
  if (typeof auth?.secret !== 'string' || auth.secret.length < 8)
    throw new InvalidParameterError('auth.secret', '***', 'expected a secret of at least 8 characters');
  const maxAgeMs = options.maxAgeMs ?? 300_000;
  const maxFutureSkewMs = options.maxFutureSkewMs ?? 30_000;
  const defaultConfidence = options.defaultConfidence ?? 1;
  if (!(maxAgeMs > 0) || !Number.isFinite(maxAgeMs))
    throw new InvalidParameterError('maxAgeMs', maxAgeMs, 'expected a finite number > 0');
  if (!(maxFutureSkewMs >= 0) || !Number.isFinite(maxFutureSkewMs))
    throw new InvalidParameterError('maxFutureSkewMs', maxFutureSkewMs, 'expected a finite number >= 0');
  if (!(defaultConfidence >= 0 && defaultConfidence <= 1))
    throw new InvalidParameterError('defaultConfidence', defaultConfidence, 'expected a number in [0, 1]');
  const now = options.now ?? Date.now;
  const requireTime = options.requireTime ?? false;
  const secretField = auth.kind === 'secret' ? (auth.field ?? 'secret') : '';
  const signatureHeader = auth.kind === 'hmac' ? (auth.header ?? 'x-signature').toLowerCase() : '';
  const convert = { source: options.source ?? 'tradingview', defaultConfidence };

  return (body, headers = {}) => {
    if (auth.kind === 'hmac') {
      const header = headers[signatureHeader];
      const given = typeof header === 'string' ? header.replace(/^sha256=/, '') : '';
      if (!constantTimeEqual(given, signBody(auth.secret, body)))
        throw new WebhookRejectedError('unauthorized', [
          { field: signatureHeader, reason: 'bad or missing signature' },
        ]);
    }
    let json: unknown;
    try {
      json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    } catch {
      throw new WebhookRejectedError('malformed_json', [{ field: 'body', reason: 'not valid JSON' }]);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new WebhookRejectedError('invalid_alert', [{ field: 'body', reason: 'must be a JSON object' }]);
    const record = json as Record<string, unknown>;
    if (auth.kind === 'secret') {
      const given = record[secretField];
      if (typeof given !== 'string' || !constantTimeEqual(given, auth.secret))
        throw new WebhookRejectedError('unauthorized', [{ field: secretField, reason: 'bad or missing secret' }]);
      delete record[secretField];
    }
    const parsed = TradingViewAlertSchema.safeParse(record);
    if (!parsed.success) throw new WebhookRejectedError('invalid_alert', zodIssues(parsed.error, 'body'));
    const alert = parsed.data;
    const receivedAt = now();
    const signal = alertToSignal(alert, { ...convert, now: receivedAt });
    if (alert.time === undefined) {
      if (requireTime) throw new WebhookRejectedError('invalid_alert', [{ field: 'time', reason: 'required' }]);
    } else {
      checkFreshness(signal.time, receivedAt, maxAgeMs, maxFutureSkewMs);
      signal.time = Math.min(signal.time, receivedAt);
    }
    return { alert, signal, replayKey: alertReplayKey(alert), receivedAt };
  };
}

function checkFreshness(time: number, receivedAt: number, maxAgeMs: number, maxFutureSkewMs: number): void {
  if (!Number.isSafeInteger(time))
    throw new WebhookRejectedError('invalid_alert', [{ field: 'time', reason: `${time} is not a valid epoch ms` }]);
  if (time > receivedAt + maxFutureSkewMs) {
    throw new WebhookRejectedError('future_alert', [
      {
        field: 'time',
        reason: `${time} is ${time - receivedAt} ms after receipt at ${receivedAt}; maxFutureSkewMs is ${maxFutureSkewMs}`,
      },
    ]);
  }
  if (receivedAt - time > maxAgeMs) {
    throw new WebhookRejectedError('stale_alert', [
      {
        field: 'time',
        reason: `${time} is ${receivedAt - time} ms before receipt at ${receivedAt}; maxAgeMs is ${maxAgeMs}`,
      },
    ]);
  }
}

/**
 * The idempotency key of a parsed alert: `id:<id>` when it has one, else `sha256:` + the SHA-256
 * of the canonical JSON (sorted keys) of its normalised fields — ticker, action, price, strategy,
 * timeframe, time (as epoch ms), confidence, size and indicators. Formatting of the body (spaces,
 * `42000.50` vs `42000.5`, quoted numbers, `BUY` vs `buy`, ISO vs epoch time), the secret and
 * free fields do not change it, since none of them changes the signal.
 */
export function alertReplayKey(alert: TradingViewAlert): string {
  if (alert.id !== undefined) return `id:${alert.id}`;
  const fields = {
    ticker: alert.ticker,
    action: alert.action,
    price: alert.price,
    strategy: alert.strategy,
    timeframe: alert.timeframe,
    time: alertTime(alert),
    confidence: alert.confidence,
    size: alert.size,
    indicators: alert.indicators,
  };
  return `sha256:${createHash('sha256').update(canonicalJson(fields)).digest('hex')}`;
}
