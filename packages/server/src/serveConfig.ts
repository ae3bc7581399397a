import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, TimeframeSchema, type ValidationIssue } from '@candlelab/core';
import { readConfigFile } from '@candlelab/pipeline';
import { isPostgresLocation, StageSchema } from '@candlelab/registry';
import { Cron } from 'croner';
import { parseDocument } from 'yaml';
import { z } from 'zod';

const StoreSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('duckdb'),
      /** DuckDB file (relative to the config file). Default `.candlelab/candles.duckdb`. */
      path: z.string().min(1).default('.candlelab/candles.duckdb'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('postgres'),
      /** Default the local server `postgres://postgres@127.0.0.1:5432/test`. */
      connectionString: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/test'),
      /** Schema of the tables. Default `public`. */
      schema: z.string().min(1).default('public'),
    })
    .strict(),
  z.object({ kind: z.literal('memory') }).strict(),
]);

const LogSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('duckdb'),
      /**
       * DuckDB file of the predictions log (relative to the config file). A file of its own, since
       * one process opens a DuckDB file once. Default `.candlelab/serve.duckdb`.
       */
      path: z.string().min(1).default('.candlelab/serve.duckdb'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('postgres'),
      /** Default the local server `postgres://postgres@127.0.0.1:5432/test`. */
      connectionString: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/test'),
      /** Schema of the log table. Default `public`. */
      schema: z.string().min(1).default('public'),
    })
    .strict(),
]);

const AlertSinkSchema = z
  .object({
    /** Where alerts are POSTed. */
    url: z.url(),
    /**
     * Body format: `json` (the alert object), `slack` (`{ text }`, an incoming webhook) or
     * `telegram` (`{ chat_id, text }`, the Bot API's sendMessage). Default `json`.
     */
    format: z.enum(['json', 'slack', 'telegram']).default('json'),
    /** Telegram chat id (required with `format: telegram`). */
    chatId: z.string().optional(),
  })
  .strict()
  .refine((sink) => sink.format !== 'telegram' || sink.chatId !== undefined, {
    message: 'chatId is required with format: telegram',
    path: ['chatId'],
  });

/**
 * `serve.yaml`: what `candlelab serve` runs. Every field has a default except `series` and
 * `server.apiToken`; `${NAME}` anywhere in the file is replaced by the environment variable NAME
 * (so secrets stay out of the file).
 */
export const ServeConfigSchema = z
  .object({
    server: z
      .object({
        /** Interface to listen on. Default `127.0.0.1`. */
        host: z.string().min(1).default('127.0.0.1'),
        /** Port. Default 8080 (0 picks a free port). */
        port: z.number().int().min(0).max(65_535).default(8080),
        /** Bearer token every route but the webhook requires (`Authorization: Bearer <token>`). At least 16 characters. */
        apiToken: z.string().min(16, 'use at least 16 characters'),
        /** Largest accepted request body, bytes. Default 65,536. */
        bodyLimitBytes: z.number().int().positive().default(65_536),
        /** pino log level. Default `info`. */
        logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict(),
    /** Model registry: a folder (relative to the config file) or a `postgres://` URL. Default `models`. */
    registry: z.string().min(1).default('models'),
    /** Registry stages whose models are served. Default `[mature]` (production). */
    stages: z.array(StageSchema).min(1).default(['mature']),
    /** Serve only models of these strategies. Default: every strategy. */
    strategies: z.array(z.string().min(1)).optional(),
    /** The ccxt exchange that candles are polled from. */
    exchange: z
      .object({
        /** ccxt exchange id, also the candle store's `exchange` key. Default `binance`. */
        id: z
          .string()
          .regex(/^[a-z0-9_]+$/, 'a ccxt exchange id')
          .default('binance'),
        /** ccxt constructor options. Default `{ enableRateLimit: true }`. */
        options: z.record(z.string(), z.unknown()).optional(),
        /** Retries of a failed request (network, timeout, rate limit, exchange down) within one poll. Default 5. */
        maxRetries: z.number().int().min(0).default(5),
        /** First back-off between retries, ms (doubling each retry). Default 1,000. */
        backoffMs: z.number().int().min(0).default(1000),
      })
      .strict()
      .prefault({}),
    /** Candle store (written through the database-first loader). Default the embedded DuckDB file. */
    store: StoreSchema.prefault({ kind: 'duckdb' }),
    /** Predictions log. Default the embedded DuckDB file `.candlelab/serve.duckdb`. */
    log: LogSchema.prefault({ kind: 'duckdb' }),
    /** Markets served, each polled at its bar close. */
    series: z
      .array(z.object({ symbol: z.string().min(1), timeframe: TimeframeSchema }).strict())
      .min(1)
      .refine((all) => new Set(all.map((s) => `${s.symbol} ${s.timeframe}`)).size === all.length, {
        message: 'a symbol/timeframe pair is listed twice',
      }),
    /** Polling: each series is fetched `delayMs` after its bar closes. */
    poll: z
      .object({
        /** Wait after a bar's close before fetching it (exchanges publish closed candles late). Default 2,000 ms. */
        delayMs: z.number().int().min(0).default(2000),
      })
      .strict()
      .prefault({}),
    /** Bars fed to the feature streams before the first bar served (warm-up). Default 500. */
    warmupBars: z.number().int().positive().default(500),
    /**
     * Bars after which an outcome is recorded. Default: the model's label horizon (`horizon` of
     * forward-return labels, `maxHolding` of triple-barrier labels, 1 for zigzag); alerts and
     * aggregated signals use `aggregator.horizonBars`.
     */
    outcomeHorizonBars: z.number().int().positive().optional(),
    aggregator: z
      .object({
        /** A source's signal counts this long after it was made. Default 2 bars of the series' timeframe. */
        maxAgeMs: z.number().int().positive().optional(),
        /** Minimum aggregate confidence to execute. Default 0.6. */
        minConfidence: z.number().min(0).max(1).default(0.6),
        /** Minimum consensus to execute. Default 0.5. */
        minConsensus: z.number().min(0).max(1).default(0.5),
        /** Largest recommended position size (fraction of equity). Default 1. */
        maxPositionSize: z.number().gt(0).max(1).default(1),
        /** Hedge learning rate η. Default 0.5. */
        learningRate: z.number().positive().default(0.5),
        /** Fixed-share decay toward uniform weights. Default 0.01. */
        decay: z.number().min(0).lt(1).default(0.01),
        /** Bars after which an aggregated signal's (and an alert's) outcome is recorded. Default 1. */
        horizonBars: z.number().int().positive().default(1),
      })
      .strict()
      .prefault({}),
    /** TradingView webhook intake at `POST /webhook/tradingview`. Default off. */
    webhook: z
      .object({
        /** Shared secret the alert body must carry in its `secret` field. At least 8 characters. */
        secret: z.string().min(8),
        /** Oldest accepted alert `time` before receipt. Default 300,000 ms. */
        maxAgeMs: z.number().int().positive().default(300_000),
      })
      .strict()
      .optional(),
    drift: z
      .object({
        /** Live feature rows compared with the training distribution (judged once the window is full). Default 200. */
        windowBars: z.number().int().min(10).default(200),
        /** Quantile bins of the population stability index. Default 10. */
        bins: z.number().int().min(2).default(10),
        /** A column drifts when its PSI is at least this (and at least its calibrated limit) … Default 0.25. */
        psiThreshold: z.number().positive().default(0.25),
        /** … its two-sample KS p-value at most this (and its KS statistic at least its calibrated limit). Default 0.01. */
        ksPValue: z.number().gt(0).lt(1).default(0.01),
        /**
         * Each column's limits are this times the largest PSI / KS statistic of a `windowBars` window
         * of the training period itself (see DriftMonitor). Default 1.
         */
        calibrationMargin: z.number().min(1).default(1),
        /** A model drifts when at least this fraction of its columns drift. Default 0.1. */
        maxDriftedFraction: z.number().gt(0).max(1).default(0.1),
        /** Demote a drifting model to `decay` and stop its signals. Default true. */
        remediate: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    health: z
      .object({
        /** Data is stale when the newest stored bar is older than this many bars. Default 2. */
        maxStaleBars: z.number().int().positive().default(2),
        /** Unhealthy when this fraction of the last 100 ticks failed. Default 0.1. */
        maxErrorRate: z.number().min(0).max(1).default(0.1),
      })
      .strict()
      .prefault({}),
    /**
     * Scheduled universe retrain with hot swap (see README "Scheduled retrain"). Default off.
     */
    retrain: z
      .object({
        /** Five-field cron expression, UTC (`0 3 * * *` = every day at 03:00 UTC). */
        cron: z.string().refine(isCron, 'a cron expression such as "0 3 * * *" (minute hour day month weekday, UTC)'),
        /** The strategy YAML retrained (relative to the config file). */
        strategy: z.string().min(1),
        /** Symbols retrained. Default: the strategy's `data.symbols`. */
        symbols: z.array(z.string().min(1)).min(1).optional(),
        /** Worker threads of the local retrain. Default 1. Ignored with `redis`. */
        workers: z.number().int().positive().default(1),
        /** Send the training jobs to this BullMQ queue on Redis (`candlelab worker` processes train). Default: local worker threads. */
        redis: z.string().min(1).optional(),
        /** Queue name with `redis`. Default `candlelab`. */
        queue: z.string().min(1).default('candlelab'),
        /** Stage a retrained model is promoted to (step by step, through every gate) before it replaces the served one. Default: the first of `stages`. */
        promoteTo: StageSchema.optional(),
        /** Skip the retrain when the pre-retrain health check reports `down` (stale data, failing ticks). Default true. */
        requireHealthy: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /** Live (paper) trades of each served model against its out-of-sample backtest (see README "Live vs backtest"). */
    performance: z
      .object({
        /** One-sided significance level of the win-rate and per-trade-return tests. Default 0.01. */
        alpha: z.number().gt(0).lt(0.5).default(0.01),
        /** Live round trips needed before a model is tested. Default 20. */
        minTrades: z.number().int().min(2).default(20),
        /** Trades in the rolling Sharpe and drawdown. Default 50. */
        rollingTrades: z.number().int().min(2).default(50),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        /** Webhook URLs that health alerts are POSTed to. Default none (alerts are only logged). */
        sinks: z.array(AlertSinkSchema).default([]),
        /** The same alert (kind + subject) is sent at most once per this many ms. Default 3,600,000. */
        dedupMs: z.number().int().min(0).default(3_600_000),
        /** At most this many alerts per minute per sink (more are dropped and counted). Default 10. */
        maxPerMinute: z.number().int().positive().default(10),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** A serve config as written (defaults optional). */
export type ServeConfigInput = z.input<typeof ServeConfigSchema>;
/** A serve config with every default filled in and relative paths resolved. */
export type ServeConfig = z.output<typeof ServeConfigSchema>;

function isCron(expression: string): boolean {
  try {
    new Cron(expression, { timezone: 'UTC', paused: true });
    return expression.trim().split(/\s+/).length === 5;
  } catch {
    return false;
  }
}

/** Replaces `${NAME}` with the environment variable NAME; an unset variable is a ConfigError naming it. */
function expandEnv(text: string, source: string, env: NodeJS.ProcessEnv): string {
  const missing = new Set<string>();
  const expanded = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0)
    throw new ConfigError(
      source,
      [...missing].map((name) => ({ field: `\${${name}}`, reason: 'environment variable not set' })),
    );
  return expanded;
}

/**
 * Parses serve YAML text: `${NAME}` expanded from `env`, then checked against
 * {@link ServeConfigSchema}. Relative file paths resolve from `baseDir`. Errors are `ConfigError`s
 * naming each field.
 */
export function parseServeConfig(
  text: string,
  options: { source?: string; baseDir?: string; env?: NodeJS.ProcessEnv } = {},
): ServeConfig {
  const source = options.source ?? 'serve config';
  const document = parseDocument(expandEnv(text, source, options.env ?? process.env));
  if (document.errors.length > 0)
    throw new ConfigError(
      source,
      document.errors.slice(0, 3).map((error) => ({ reason: error.message.split('\n')[0]! })),
    );
  const parsed = ServeConfigSchema.safeParse(document.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    const issues: ValidationIssue[] = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || '(root)',
      reason: issue.message,
    }));
    throw new ConfigError(source, issues);
  }
  const config = parsed.data;
  const baseDir = options.baseDir ?? process.cwd();
  const local = (path: string) => (isAbsolute(path) || path === ':memory:' ? path : resolve(baseDir, path));
  if (config.store.kind === 'duckdb') config.store.path = local(config.store.path);
  if (config.log.kind === 'duckdb') config.log.path = local(config.log.path);
  if (!isPostgresLocation(config.registry)) config.registry = local(config.registry);
  if (config.retrain) config.retrain.strategy = local(config.retrain.strategy);
  return config;
}

/** Reads and parses a `serve.yaml` (relative paths inside it resolve from its folder). */
export function loadServeConfig(path: string, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const text = readConfigFile(path, 'serve config');
  return parseServeConfig(text, { source: path, baseDir: dirname(resolve(path)), env });
}
