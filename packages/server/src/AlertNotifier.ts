import type { ServeConfig } from './serveConfig.js';

/** What a health alert is about. */
export type HealthAlertKind =
  | 'drift'
  | 'stale-data'
  | 'data-gap'
  | 'error-rate'
  | 'remediation'
  | 'performance'
  | 'retrain';

/** A structured health alert, as POSTed in the `json` format. */
export interface HealthAlert {
  kind: HealthAlertKind;
  severity: 'warning' | 'critical';
  /** What it is about: a model id or `SYMBOL timeframe`. Alerts with the same kind and subject are de-duplicated. */
  subject: string;
  message: string;
  /** Epoch ms when it was raised. */
  time: number;
  /** Kind-specific details (drifted columns with PSI and KS, gap ranges …). */
  details: Record<string, unknown>;
}

type Sink = ServeConfig['alerts']['sinks'][number];

export interface AlertNotifierOptions {
  sinks: readonly Sink[];
  /** The same kind + subject is sent at most once per this many ms. Default 3,600,000. */
  dedupMs?: number;
  /** At most this many alerts per minute per sink. Default 10. */
  maxPerMinute?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Per-request timeout, ms. Default 5,000. */
  timeoutMs?: number;
  /** Called when a POST fails (logging). Default nothing. */
  onError?: (sink: string, error: unknown) => void;
}

/** Counts of what the notifier did, for `/health`. */
export interface AlertNotifierStats {
  sent: number;
  deduplicated: number;
  rateLimited: number;
  failed: number;
}

/** The body a sink receives in its format. */
export function alertBody(alert: HealthAlert, sink: Sink): unknown {
  const text = `[${alert.severity.toUpperCase()}] ${alert.kind} — ${alert.subject}: ${alert.message}`;
  switch (sink.format) {
    case 'slack':
      return { text };
    case 'telegram':
      return { chat_id: sink.chatId, text };
    case 'json':
      return alert;
  }
}

/**
 * Sends health alerts as JSON POSTs to webhook URLs: the same kind + subject at most once per
 * `dedupMs`, at most `maxPerMinute` per sink (a sliding minute), failures counted and reported but
 * never thrown (alerting must not stop serving). Keeps the recent alerts for `/health`.
 */
export class AlertNotifier {
  readonly stats: AlertNotifierStats = { sent: 0, deduplicated: 0, rateLimited: 0, failed: 0 };
  /** The last 100 alerts raised (sent or not), oldest first. */
  readonly recent: HealthAlert[] = [];
  readonly #lastSent = new Map<string, number>();
  readonly #sentTimes = new Map<string, number[]>();
  readonly #options: Required<Omit<AlertNotifierOptions, 'onError'>> & Pick<AlertNotifierOptions, 'onError'>;

  constructor(options: AlertNotifierOptions) {
    this.#options = {
      sinks: options.sinks,
      dedupMs: options.dedupMs ?? 3_600_000,
      maxPerMinute: options.maxPerMinute ?? 10,
      now: options.now ?? Date.now,
      timeoutMs: options.timeoutMs ?? 5000,
      onError: options.onError,
    };
  }

  /** Raises an alert; resolves once every sink has answered (or failed). Returns whether it was sent anywhere. */
  async notify(alert: HealthAlert): Promise<boolean> {
    const { dedupMs, maxPerMinute, now, sinks, timeoutMs } = this.#options;
    this.recent.push(alert);
    if (this.recent.length > 100) this.recent.shift();
    const key = `${alert.kind}\u0000${alert.subject}`;
    const at = now();
    const last = this.#lastSent.get(key);
    if (last !== undefined && at - last < dedupMs) {
      this.stats.deduplicated++;
      return false;
    }
    this.#lastSent.set(key, at);
    let sentAnywhere = false;
    await Promise.all(
      sinks.map(async (sink) => {
        const times = (this.#sentTimes.get(sink.url) ?? []).filter((t) => at - t < 60_000);
        if (times.length >= maxPerMinute) {
          this.#sentTimes.set(sink.url, times);
          this.stats.rateLimited++;
          return;
        }
        times.push(at);
        this.#sentTimes.set(sink.url, times);
        try {
          const response = await fetch(sink.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(alertBody(alert, sink)),
            signal: AbortSignal.timeout(timeoutMs),
          });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          this.stats.sent++;
          sentAnywhere = true;
        } catch (error) {
          this.stats.failed++;
          this.#options.onError?.(sink.url, error);
        }
      }),
    );
    return sentAnywhere;
  }
}
