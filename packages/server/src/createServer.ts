import { readFileSync } from 'node:fs';
import {
  CandlelabError,
  type ErrorCode,
  emptyBars,
  InvalidParameterError,
  TimeframeSchema,
  timeframeToMs,
} from '@candlelab/core';
import { type IndicatorId, indicatorEntry, indicatorIds } from '@candlelab/indicators';
import { allowedTransitions, type Stage, StageSchema } from '@candlelab/registry';
import { constantTimeEqual, createAlertReader, WebhookRejectedError } from '@candlelab/signals';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { API_SCHEMAS, ref } from './apiSchemas.js';
import { dashboardPage } from './dashboardPage.js';
import type { LogKind } from './PredictionLog.js';
import { paperTrades } from './paperTrades.js';
import type { SeriesLoop } from './SeriesLoop.js';
import { type ServeOptions, ServeRuntime } from './ServeRuntime.js';
import type { ServeConfig } from './serveConfig.js';
import { probabilityNames, servedKind } from './servedModel.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/** The webhook route: without the API token (the alert carries its secret). */
export const WEBHOOK_PATH = '/webhook/tradingview';

/** The dashboard page: without the API token (it holds no data; its script calls the API with the token). */
export const DASHBOARD_PATH = '/dashboard';

const PUBLIC_PATHS: readonly string[] = [WEBHOOK_PATH, DASHBOARD_PATH];

/** A created server: the Fastify app (use `app.inject()` in tests) and the live runtime behind it. */
export interface CandlelabServer {
  app: FastifyInstance;
  runtime: ServeRuntime;
  /** Listens on `server.host:port` and returns the address. */
  listen(): Promise<string>;
  /** Stops the schedule, closes HTTP, the log, the registry and the store. */
  close(): Promise<void>;
}

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION: 400,
  INVALID_PARAMETER: 400,
  CONFIG: 400,
  NOT_ENOUGH_DATA: 422,
  NOT_FITTED: 500,
  DATA_SOURCE: 502,
  STORE: 500,
  MODEL_FORMAT: 500,
  JOB_FAILED: 500,
  CANCELLED: 503,
};

const seriesQuery = {
  type: 'object',
  required: ['symbol', 'timeframe'],
  properties: {
    symbol: { type: 'string', description: 'Market as configured, e.g. BTC/USDT' },
    timeframe: { type: 'string', description: 'Timeframe as configured, e.g. 1h' },
  },
} as const;

interface SeriesQuery {
  symbol: string;
  timeframe: string;
}

/**
 * `candlelab serve` as a Fastify app over a {@link ServeRuntime}: health, chart data (candles plus
 * any registry indicator), features, predictions, the aggregated signal, the predictions log,
 * paper fills, models by stage with promote/demote through the registry's gates, and the
 * TradingView webhook, and a dashboard page. Every route but the webhook and the dashboard page
 * (which holds no data) needs `Authorization: Bearer <apiToken>`;
 * bodies over `server.bodyLimitBytes` get 413; logs are pino JSON. The OpenAPI document is served
 * at `/openapi.json`. Nothing is polled until `runtime.startSchedule()` (or {@link startServer}).
 */
export async function createServer(config: ServeConfig, options: ServeOptions = {}): Promise<CandlelabServer> {
  const app = Fastify({
    logger: { level: config.server.logLevel },
    bodyLimit: config.server.bodyLimitBytes,
  });
  const runtime = await ServeRuntime.open(config, {
    ...options,
    onEvent: (event) => {
      if (event.type === 'tick-failed' || event.type === 'alert-failed') app.log.error(event);
      else if (event.type === 'tick') app.log.debug(event);
      else app.log.warn(event);
      options.onEvent?.(event);
    },
  });
  try {
    await registerRoutes(app, runtime, config);
    await app.ready();
  } catch (cause) {
    await runtime.close();
    throw cause;
  }
  return {
    app,
    runtime,
    listen: () => app.listen({ host: config.server.host, port: config.server.port }),
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

/**
 * Creates the server, listens, catches up on every series at once (back-filling bars missed
 * while it was down) and then polls each series at its bar closes.
 */
export async function startServer(config: ServeConfig, options: ServeOptions = {}): Promise<CandlelabServer> {
  const server = await createServer(config, options);
  await server.listen();
  await server.runtime.tickAll();
  server.runtime.startSchedule();
  return server;
}

async function registerRoutes(app: FastifyInstance, runtime: ServeRuntime, config: ServeConfig): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'candlelab serve',
        version: VERSION,
        description: 'Live candles, streaming features, model signals, predictions log, health and model stages.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Shared schemas appear under components.schemas by their $id.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  for (const schema of API_SCHEMAS) app.addSchema(schema);

  const token = config.server.apiToken;
  app.addHook('onRequest', async (request, reply) => {
    if (PUBLIC_PATHS.includes(request.routeOptions.url ?? '')) return;
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!constantTimeEqual(given, token)) {
      await reply.code(401).send({ error: 'unauthorized', message: 'send Authorization: Bearer <apiToken>' });
    }
  });

  app.setErrorHandler(async (err, request, reply) => {
    if (err instanceof CandlelabError) {
      const status = STATUS_BY_CODE[err.code];
      if (status >= 500) request.log.error(err);
      return reply.code(status).send({ error: err.code, message: err.message });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error(err);
    return reply
      .code(status)
      .send({ error: (err as { code?: string }).code ?? 'error', message: (err as Error).message });
  });

  const loopOf = (query: SeriesQuery): SeriesLoop => {
    const timeframe = TimeframeSchema.safeParse(query.timeframe);
    const loop = timeframe.success ? runtime.loop(query.symbol, timeframe.data) : undefined;
    if (loop === undefined)
      throw new InvalidParameterError(
        'symbol/timeframe',
        `${query.symbol} ${query.timeframe}`,
        `not served (served: ${runtime.loops.map((l) => `${l.symbol} ${l.timeframe}`).join(', ')})`,
      );
    return loop;
  };

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    DASHBOARD_PATH,
    {
      schema: {
        summary:
          'The dashboard page (candles and signals, models by stage, jobs, predictions, allocations, health and alerts); open it as /dashboard#token=<apiToken>',
        security: [],
        produces: ['text/html'],
      },
    },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(dashboardPage()),
  );

  app.get(
    '/health',
    {
      schema: {
        summary: 'Health of data, ticks, models (drift) and alerts; 503 when data is stale or ticks fail',
        response: { 200: ref('HealthReport'), 503: ref('HealthReport') },
      },
      // Drift and performance statistics may be NaN (undefined), which JSON writes as null; the
      // schema serializer would throw on them, so this answer is written with JSON.stringify.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (_request, reply) => {
      const health = runtime.health();
      return reply.code(health.status === 'down' ? 503 : 200).send(health);
    },
  );

  app.get(
    '/series',
    {
      schema: {
        summary: 'Served series and their models',
        response: { 200: { type: 'array', items: ref('ServedSeries') } },
      },
    },
    async () =>
      runtime.loops.map((loop) => ({
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        servedThrough: loop.servedThrough,
        models: loop.models.map((m) => ({ id: m.id, suspended: loop.isSuspended(m.id) })),
      })),
  );

  app.get<{ Querystring: SeriesQuery & { from?: number; to?: number; limit?: number; indicators?: string } }>(
    '/candles',
    {
      schema: {
        summary: 'Stored candles plus any registry indicator (chart data)',
        querystring: {
          ...seriesQuery,
          properties: {
            ...seriesQuery.properties,
            from: { type: 'number', description: 'First bar open, epoch ms. Default: `limit` bars before `to`.' },
            to: { type: 'number', description: 'End (exclusive), epoch ms. Default: after the newest bar served.' },
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
            indicators: {
              type: 'string',
              description:
                'Comma-separated indicators as id or id:param=value:param=value, e.g. rsi:period=14,ema:period=50',
            },
          },
        },
        response: { 200: ref('ChartData'), 400: ref('Error') },
      },
    },
    async (request) => {
      const loop = loopOf(request.query);
      const tf = timeframeToMs(loop.timeframe);
      const limit = request.query.limit ?? 500;
      const to = request.query.to ?? loop.servedThrough + tf;
      const from = request.query.from ?? to - limit * tf;
      const specs = parseIndicators(request.query.indicators ?? '');
      const warmup = Math.max(0, ...specs.map((s) => s.warmup));
      const bars = await runtime.store.read({
        exchange: config.exchange.id,
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        start: from - warmup * tf,
        end: to,
      });
      let first = 0;
      while (first < bars.time.length && bars.time[first]! < from) first++;
      const columns: Record<string, (number | null)[]> = {};
      for (const spec of specs) {
        const out = indicatorEntry(spec.id).batch(bars, spec.params);
        const outputs: Record<string, Float64Array> = out instanceof Float64Array ? { '': out } : out;
        for (const [name, values] of Object.entries(outputs))
          columns[name === '' ? spec.label : `${spec.label}.${name}`] = Array.from(values.subarray(first), finite);
      }
      const slice = (c: Float64Array) => Array.from(c.subarray(first));
      return {
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        time: slice(bars.time),
        open: slice(bars.open),
        high: slice(bars.high),
        low: slice(bars.low),
        close: slice(bars.close),
        volume: slice(bars.volume),
        indicators: columns,
      };
    },
  );

  app.get<{ Querystring: SeriesQuery }>(
    '/features',
    {
      schema: {
        summary: 'The newest feature row of every served model',
        querystring: seriesQuery,
        response: { 200: ref('LatestFeatures'), 400: ref('Error') },
      },
    },
    async (request) => {
      const loop = loopOf(request.query);
      return {
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        models: loop.models.map((m) => ({
          modelId: m.id,
          ...(loop.latestFeatures(m.id) ?? { time: null, names: [], values: [] }),
        })),
      };
    },
  );

  app.get<{ Querystring: SeriesQuery }>(
    '/forming',
    {
      schema: {
        summary:
          "The bar forming now (fetched from the exchange): every model's features and the prediction it would log if the bar closed as it stands (not logged)",
        querystring: seriesQuery,
        response: { 200: ref('FormingBar'), 400: ref('Error'), 502: ref('Error') },
      },
    },
    async (request) => {
      const loop = loopOf(request.query);
      return { symbol: loop.symbol, timeframe: loop.timeframe, ...(await runtime.forming(loop)) };
    },
  );

  app.get<{ Querystring: SeriesQuery }>(
    '/predict',
    {
      schema: {
        summary:
          "The newest prediction of every served model: kind, action, position and every class, action or weight probability (an allocator's `weights`)",
        querystring: seriesQuery,
        response: { 200: ref('LatestPredictions'), 400: ref('Error') },
      },
    },
    async (request) => {
      const loop = loopOf(request.query);
      return {
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        predictions: loop.models.map((m) => {
          const row = loop.latestPrediction(m.id);
          return {
            modelId: m.id,
            suspended: loop.isSuspended(m.id),
            time: row?.barTime ?? null,
            action: row?.action ?? null,
            position: row?.size ?? null,
            confidence: row?.confidence ?? null,
            kind: servedKind(m),
            probabilities: row
              ? Object.fromEntries(probabilityNames(m).map((name, k) => [name, row.probabilities?.[k] ?? null]))
              : null,
            // A portfolio allocator's target weights over its symbols and cash (its probabilities are the weights).
            ...(m.kind === 'portfolio' && row
              ? { weights: Object.fromEntries(m.columns.map((name, k) => [name, row.probabilities?.[k] ?? null])) }
              : {}),
          };
        }),
      };
    },
  );

  app.get<{ Querystring: SeriesQuery }>(
    '/signal',
    {
      schema: {
        summary: 'The newest aggregated signal and the weights learned from outcomes',
        querystring: seriesQuery,
        response: { 200: ref('SeriesSignal'), 400: ref('Error') },
      },
    },
    async (request) => {
      const loop = loopOf(request.query);
      const latest = loop.latestAggregate();
      return {
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        signal: latest
          ? { time: latest.barTime, decidedAt: latest.decidedAt, ...latest.aggregate, inputs: latest.inputs }
          : null,
        weights: loop.weights(),
        learnedThrough: Number.isFinite(loop.learnedThrough) ? loop.learnedThrough : null,
      };
    },
  );

  app.get<{
    Querystring: Partial<SeriesQuery> & { kind?: LogKind; source?: string; from?: number; to?: number; limit?: number };
  }>(
    '/predictions',
    {
      schema: {
        summary: 'The predictions log (predictions, alerts, aggregated signals) with outcomes, newest last',
        querystring: {
          type: 'object',
          properties: {
            symbol: { type: 'string' },
            timeframe: { type: 'string' },
            kind: { type: 'string', enum: ['prediction', 'alert', 'aggregate'] },
            source: { type: 'string' },
            from: { type: 'number' },
            to: { type: 'number' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: { type: 'array', items: ref('LogRecord') }, 400: ref('Error') },
      },
    },
    async (request) => {
      const { symbol, timeframe, kind, source, from, to, limit } = request.query;
      return runtime.log.query({
        ...(symbol ? { symbol } : {}),
        ...(timeframe ? { timeframe: TimeframeSchema.parse(timeframe) } : {}),
        ...(kind ? { kind } : {}),
        ...(source ? { source } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        limit: limit ?? 100,
        newest: true,
      });
    },
  );

  app.get<{ Querystring: SeriesQuery & { source: string } }>(
    '/paper',
    {
      schema: {
        summary:
          "Paper fills of a source's logged signals by the backtest's fill rules (next-open fills, fees, slippage)",
        querystring: {
          ...seriesQuery,
          required: ['symbol', 'timeframe', 'source'],
          properties: {
            ...seriesQuery.properties,
            source: { type: 'string', description: 'A model id or `aggregate`' },
          },
        },
        response: { 200: ref('PaperResult'), 400: ref('Error') },
      },
    },
    async (request) => {
      const loop = loopOf(request.query);
      const rows = (
        await runtime.log.query({ symbol: loop.symbol, timeframe: loop.timeframe, source: request.query.source })
      ).sort((a, b) => a.barTime - b.barTime);
      const model = loop.models.find((m) => m.id === request.query.source);
      const costs = model ? model.rule : { feesBps: 10, slippageBps: 5 };
      if (rows.length === 0)
        return {
          source: request.query.source,
          ...costs,
          ...paperTrades(emptyBars(loop.symbol, loop.timeframe), [], costs),
        };
      const bars = await runtime.store.read({
        exchange: config.exchange.id,
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        start: rows[0]!.barTime,
        end: loop.servedThrough + timeframeToMs(loop.timeframe),
      });
      return { source: request.query.source, ...costs, ...paperTrades(bars, rows, costs) };
    },
  );

  app.get<{ Querystring: { stage?: Stage } }>(
    '/models',
    {
      schema: {
        summary:
          'Registry models by stage, with their metrics, whether this server serves them and the stages each may move to next',
        querystring: { type: 'object', properties: { stage: { type: 'string', enum: [...StageSchema.options] } } },
        response: { 200: { type: 'array', items: ref('ModelSummary') } },
      },
    },
    async (request) => {
      const manifests = await runtime.models.list(request.query.stage ? { stage: request.query.stage } : {});
      const served = new Map(runtime.loops.flatMap((loop) => loop.models.map((m) => [m.id, loop] as const)));
      return Promise.all(
        manifests.map(async (m) => ({
          id: m.id,
          strategy: m.strategy,
          symbol: m.symbol,
          timeframe: m.timeframe,
          version: m.version,
          stage: m.stage,
          createdAt: m.createdAt,
          metrics: (await runtime.models.load(m.id)).metrics,
          served: served.has(m.id),
          suspended: served.get(m.id)?.isSuspended(m.id) ?? false,
          // The stages it may move to next (the dashboard's activate/deactivate buttons).
          transitions: allowedTransitions(m.stage),
        })),
      );
    },
  );

  const stageBody = (required: readonly string[], to: object) =>
    ({
      type: 'object',
      required,
      additionalProperties: false,
      properties: {
        to,
        reason: { type: 'string', minLength: 1, description: 'Why (recorded in the stage history)' },
        force: { type: 'boolean', default: false, description: 'Override failing gates (needs reason)' },
      },
    }) as const;

  const changeStage = async (id: string, to: Stage, reason: string | undefined, force: boolean) => {
    const known = await runtime.models.list();
    if (!known.some((m) => m.id === id))
      return { status: 404, body: { error: 'not_found', message: `no model ${id}` } };
    const result = await runtime.setStage(id, to, { ...(reason ? { reason } : {}), force });
    return { status: result.promoted ? 200 : 409, body: result };
  };

  app.post<{ Params: { id: string }; Body: { to: Stage; reason?: string; force?: boolean } }>(
    '/models/:id/promote',
    {
      schema: {
        summary: "Move a model to another stage through its stored gates and the registry's (409 when a gate fails)",
        params: {
          type: 'object',
          properties: {
            id: { type: 'string', description: 'Model id, URL-encoded (e.g. my-strategy%2FBTC-USDT_1h_v3)' },
          },
        },
        body: stageBody(['to'], { type: 'string', enum: [...StageSchema.options] }),
        response: { 200: ref('PromotionResult'), 404: ref('Error'), 409: ref('PromotionResult') },
      },
    },
    async (request, reply) => {
      const { status, body } = await changeStage(
        request.params.id,
        request.body.to,
        request.body.reason,
        request.body.force ?? false,
      );
      return reply.code(status).send(body);
    },
  );

  app.post<{ Params: { id: string }; Body: { to?: 'decay' | 'retired'; reason: string; force?: boolean } }>(
    '/models/:id/demote',
    {
      schema: {
        summary: 'Take a model out of service (to decay, default, or retired); its signals stop at once',
        params: {
          type: 'object',
          properties: {
            id: { type: 'string', description: 'Model id, URL-encoded (e.g. my-strategy%2FBTC-USDT_1h_v3)' },
          },
        },
        body: stageBody(['reason'], { type: 'string', enum: ['decay', 'retired'], default: 'decay' }),
        response: { 200: ref('PromotionResult'), 404: ref('Error'), 409: ref('PromotionResult') },
      },
    },
    async (request, reply) => {
      const { status, body } = await changeStage(
        request.params.id,
        request.body.to ?? 'decay',
        request.body.reason,
        request.body.force ?? false,
      );
      return reply.code(status).send(body);
    },
  );

  app.get(
    '/jobs',
    {
      schema: {
        summary: 'Training jobs (the scheduled retrain) with progress, newest first, and the next scheduled run',
        response: { 200: ref('JobList') },
      },
    },
    async () => ({
      schedule: runtime.retrain
        ? { cron: config.retrain!.cron, nextRunAt: runtime.retrain.nextRunAt, running: runtime.retrain.busy }
        : null,
      jobs: runtime.retrain?.jobs ?? [],
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    {
      schema: {
        summary: 'One training job: status, progress, health before and after, models promoted and swapped',
        params: { type: 'object', properties: { id: { type: 'string' } } },
        response: { 200: ref('TrainingJob'), 404: ref('Error') },
      },
    },
    async (request, reply) => {
      const job = runtime.retrain?.job(request.params.id);
      if (job === undefined)
        return reply.code(404).send({ error: 'not_found', message: `no job ${request.params.id}` });
      return job;
    },
  );

  app.post(
    '/jobs/retrain',
    {
      schema: {
        summary:
          'Start the configured retrain now (202 with the job; 409 while one runs; 404 without `retrain` in the config)',
        response: { 202: ref('TrainingJob'), 404: ref('Error'), 409: ref('Error') },
      },
    },
    async (_request, reply) => {
      if (runtime.retrain === undefined)
        return reply.code(404).send({ error: 'not_configured', message: 'no retrain section in the serve config' });
      const job = runtime.retrain.trigger();
      if (job === undefined) return reply.code(409).send({ error: 'busy', message: 'a retrain is running' });
      return reply.code(202).send(job);
    },
  );

  if (config.webhook) {
    const readAlert = createAlertReader({
      auth: { kind: 'secret', secret: config.webhook.secret },
      maxAgeMs: config.webhook.maxAgeMs,
      now: runtime.now,
    });
    await app.register(async (scope) => {
      // The alert reader checks the raw body itself (JSON, secret, schema), whatever the content type.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      scope.post<{ Body: Buffer }>(
        WEBHOOK_PATH,
        {
          schema: {
            summary:
              'TradingView alert intake: the body carries the shared secret; answers with the aggregated signal of every series of the ticker now; replays get 409',
            security: [],
            response: {
              200: ref('WebhookAccepted'),
              400: ref('WebhookRefused'),
              401: ref('WebhookRefused'),
              409: ref('WebhookRefused'),
              422: ref('WebhookRefused'),
            },
          },
        },
        async (request, reply) => {
          let read: ReturnType<typeof readAlert>;
          try {
            read = readAlert(request.body ?? Buffer.alloc(0), request.headers);
          } catch (err) {
            if (!(err instanceof WebhookRejectedError)) throw err;
            request.log.warn({ rejected: err.reason, detail: err.detail });
            return reply.code(err.status).send({ ok: false, error: err.reason, detail: err.detail });
          }
          const accepted = await runtime.acceptAlert(read);
          if (accepted.outcome === 'replay')
            return reply.code(409).send({ ok: false, error: 'duplicate', detail: read.replayKey });
          if (accepted.outcome === 'unknown-symbol')
            return reply
              .code(422)
              .send({ ok: false, error: 'invalid_alert', detail: `ticker ${read.signal.symbol} is not served` });
          return { ok: true, signal: read.signal, aggregates: accepted.aggregates };
        },
      );
    });
  }
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** `rsi:period=14,ema:period=50` → indicator ids with parsed parameters and their warm-ups. */
function parseIndicators(
  text: string,
): Array<{ id: IndicatorId; label: string; params: Record<string, unknown>; warmup: number }> {
  if (text.trim() === '') return [];
  return text.split(',').map((item) => {
    const [id, ...pairs] = item.trim().split(':');
    if (!(indicatorIds as readonly string[]).includes(id!))
      throw new InvalidParameterError(
        'indicators',
        id,
        `unknown indicator (known: ${indicatorIds.slice(0, 8).join(', ')}…)`,
      );
    const raw: Record<string, unknown> = {};
    for (const pair of pairs) {
      const [key, value] = pair.split('=');
      if (!key || value === undefined) throw new InvalidParameterError('indicators', item, 'expected id:param=value');
      raw[key] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    }
    const entry = indicatorEntry(id as IndicatorId);
    let params: Record<string, unknown>;
    try {
      params = entry.parse(raw);
    } catch (cause) {
      throw new InvalidParameterError('indicators', item, cause instanceof Error ? cause.message : String(cause));
    }
    return { id: id as IndicatorId, label: item.trim(), params, warmup: entry.warmup(params as never) };
  });
}
