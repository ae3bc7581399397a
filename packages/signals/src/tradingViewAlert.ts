import { ActionSchema, type Signal } from '@candlelab/core';
import { z } from 'zod';

/** A number, or a numeric string (TradingView placeholders such as `{{close}}` often arrive quoted). */
const numeric = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'expected a number')
      .transform(Number),
  ])
  .pipe(z.number().finite());

/**
 * The JSON body of a TradingView alert as candlelab accepts it. Put it in the alert's message,
 * e.g. `{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","price":{{close}},
 * "strategy":"ema-cross","timeframe":"{{interval}}","time":"{{timenow}}","secret":"…"}`.
 * Unknown extra fields are kept (free fields); `action` is case-insensitive but must be
 * buy, sell or hold.
 */
export const TradingViewAlertSchema = z
  .object({
    ticker: z.string().trim().min(1).max(64),
    action: z
      .string()
      .transform((a) => a.trim().toLowerCase())
      .pipe(ActionSchema),
    price: numeric.pipe(z.number().positive()),
    strategy: z.string().max(128).optional(),
    /** TradingView interval string such as `60`, `240`, `1D`. */
    timeframe: z.string().max(16).optional(),
    /** Epoch ms or an ISO-8601 string (`{{timenow}}`). Default: the time of receipt. */
    time: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
    /** Confidence in [0, 1]. Default: the handler's `defaultConfidence` (1). */
    confidence: numeric.pipe(z.number().min(0).max(1)).optional(),
    /** Suggested size as a fraction of equity in [0, 1]. */
    size: numeric.pipe(z.number().min(0).max(1)).optional(),
    /** Unique alert id; the idempotency key when present (else a hash of the parsed fields, see `alertReplayKey`). */
    id: z.string().min(1).max(128).optional(),
    /** Shared secret (TradingView cannot set headers, so it travels in the body). */
    secret: z.string().max(256).optional(),
    indicators: z.record(z.string().max(64), numeric).optional(),
  })
  .catchall(z.unknown());

export type TradingViewAlert = z.infer<typeof TradingViewAlertSchema>;

export interface AlertToSignalOptions {
  /** Signal source; `:<strategy>` is appended when the alert names one. Default `'tradingview'`. */
  source?: string;
  /** Confidence when the alert has none. Default 1. */
  defaultConfidence?: number;
  /** Receipt time (ms) used when the alert has no `time`. Default `Date.now()`. */
  now?: number;
}

/** The alert's own time in epoch ms (`NaN` for an impossible date), or undefined when it has none. */
export function alertTime(alert: TradingViewAlert): number | undefined {
  if (alert.time === undefined) return undefined;
  return typeof alert.time === 'number' ? alert.time : Date.parse(alert.time);
}

/** Converts a parsed alert to a core {@link Signal}. */
export function alertToSignal(alert: TradingViewAlert, options: AlertToSignalOptions = {}): Signal {
  const base = options.source ?? 'tradingview';
  const time = alertTime(alert) ?? options.now ?? Date.now();
  const signal: Signal = {
    time,
    symbol: alert.ticker,
    action: alert.action,
    confidence: alert.confidence ?? options.defaultConfidence ?? 1,
    source: alert.strategy ? `${base}:${alert.strategy}` : base,
  };
  if (alert.size !== undefined) signal.size = alert.size;
  return signal;
}
