import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileSource } from '@candlelab/data';
import { computeIndicator, indicatorWarmup } from '@candlelab/indicators';
import { fixturePath, loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTestModel } from '../test/trainedModel.js';
import { type CandlelabServer, createServer, DASHBOARD_PATH, WEBHOOK_PATH } from './createServer.js';
import { parseServeConfig } from './serveConfig.js';

const HOUR = 3_600_000;
const fixture = loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz');
const START = Date.UTC(2022, 8, 12) + 10 * 60_000;
const TOKEN = 'test-token-0123456789';
const SECRET = 'webhook-secret-xyz';
const auth = { authorization: `Bearer ${TOKEN}` };

let trained: Awaited<ReturnType<typeof trainTestModel>>;
let fake: FakeExchange;
let server: CandlelabServer;
const clock = { now: START };

beforeAll(async () => {
  trained = await trainTestModel();
  fake = await startFakeExchange({ series: [fixture], now: START });
  const config = parseServeConfig(
    `server: { apiToken: \${API_TOKEN}, logLevel: silent, bodyLimitBytes: 2048 }
registry: models
exchange: { maxRetries: 0 }
store: { kind: duckdb, path: candles.duckdb }
log: { kind: duckdb, path: serve.duckdb }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
webhook: { secret: ${SECRET} }
`,
    { baseDir: trained.dir, env: { API_TOKEN: TOKEN } },
  );
  server = await createServer(config, { exchange: await fakeExchangeClient(fake.url), now: () => clock.now });
  await server.runtime.tickAll();
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
  if (trained) rmSync(trained.dir, { recursive: true, force: true });
});

async function advance(hours: number): Promise<void> {
  for (let h = 0; h < hours; h++) {
    clock.now += HOUR;
    fake.now = clock.now;
    await server.runtime.tickAll();
  }
}

const query = 'symbol=BTC%2FUSDT&timeframe=1h';

describe('HTTP API', () => {
  it('needs the API token everywhere but the webhook', async () => {
    expect((await server.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(401);
    expect(
      (await server.app.inject({ method: 'GET', url: '/health', headers: { authorization: 'Bearer wrong' } }))
        .statusCode,
    ).toBe(401);
    expect((await server.app.inject({ method: 'GET', url: `/predict?${query}` })).statusCode).toBe(401);
    const health = await server.app.inject({ method: 'GET', url: '/health', headers: auth });
    expect(health.statusCode).toBe(200);
    expect(health.json(), health.body.slice(0, 3000)).toMatchObject({
      status: 'ok',
      series: [{ symbol: 'BTC/USDT', staleBars: 0, errorRate: 0 }],
    });
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: `/models/${encodeURIComponent(trained.modelId)}/promote`,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ to: 'mature', reason: 'x'.repeat(4096) }),
    });
    expect(response.statusCode).toBe(413);
  });

  it('serves predictions with every class probability, features, the aggregated signal and the log', async () => {
    await advance(3);
    const predict = (await server.app.inject({ method: 'GET', url: `/predict?${query}`, headers: auth })).json();
    const [p] = predict.predictions;
    expect(p.modelId).toBe(trained.modelId);
    expect(p.time).toBe(clock.now - (clock.now % HOUR) - HOUR);
    expect(Object.keys(p.probabilities)).toEqual(['notUp', 'up']);
    expect(p.probabilities.notUp + p.probabilities.up).toBeCloseTo(1, 12);
    expect(['buy', 'hold']).toContain(p.action);
    const features = (await server.app.inject({ method: 'GET', url: `/features?${query}`, headers: auth })).json();
    expect(features.models[0].names.length).toBeGreaterThan(50);
    expect(features.models[0].values).toHaveLength(features.models[0].names.length);
    const signal = (await server.app.inject({ method: 'GET', url: `/signal?${query}`, headers: auth })).json();
    expect(signal.signal.inputs.map((i: { source: string }) => i.source)).toEqual([trained.modelId]);
    const log = (
      await server.app.inject({ method: 'GET', url: `/predictions?${query}&kind=prediction&limit=2`, headers: auth })
    ).json();
    expect(log).toHaveLength(2);
    expect(log[1].barTime).toBe(p.time);
    expect(log[1].probabilities).toEqual([p.probabilities.notUp, p.probabilities.up]);
    const unknown = await server.app.inject({
      method: 'GET',
      url: '/predict?symbol=ETH%2FUSDT&timeframe=1h',
      headers: auth,
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/not served/);
  });

  it('serves the forming bar from the exchange: features and the prediction it would log, nothing logged', async () => {
    const loop = server.runtime.loops[0]!;
    const logged = (await server.runtime.log.query()).length;
    const response = await server.app.inject({ method: 'GET', url: `/forming?${query}`, headers: auth });
    expect(response.statusCode, response.body).toBe(200);
    const forming = response.json();
    // The fake exchange reports the bar containing its clock unfinished: close = open so far.
    const i = fixture.time.indexOf(loop.nextBarTime);
    expect(forming.candle).toMatchObject({ time: loop.nextBarTime, open: fixture.open[i], close: fixture.open[i] });
    const [view] = forming.models;
    expect(view.modelId).toBe(trained.modelId);
    expect(view.features.length).toBeGreaterThan(10);
    expect(view.prediction).toMatchObject({ barTime: loop.nextBarTime, kind: 'prediction', source: trained.modelId });
    expect(view.prediction.probabilities).toHaveLength(2);
    expect((await server.runtime.log.query()).length).toBe(logged);
  });

  it('serves chart data: stored candles plus registry indicators', async () => {
    const to = clock.now - (clock.now % HOUR);
    const response = await server.app.inject({
      method: 'GET',
      url: `/candles?${query}&limit=50&to=${to}&indicators=rsi:period=14,bbands`,
      headers: auth,
    });
    expect(response.statusCode, response.body).toBe(200);
    const chart = response.json();
    expect(chart.time).toHaveLength(50);
    expect(chart.time.at(-1)).toBe(to - HOUR);
    const i = fixture.time.indexOf(to - HOUR);
    expect(chart.close.at(-1)).toBe(fixture.close[i]);
    // Indicators are computed over extra bars before `from` (their warm-up), so no value is missing.
    expect(chart.indicators['rsi:period=14'].every((v: number | null) => v !== null)).toBe(true);
    expect(Object.keys(chart.indicators)).toEqual(expect.arrayContaining(['bbands.upper', 'bbands.lower']));
    // Every column is computed from the longest warm-up before the first bar shown.
    const warmup = Math.max(indicatorWarmup('rsi', { period: 14 }), indicatorWarmup('bbands', {}));
    const rsi = computeIndicator('rsi', fixture.close.subarray(i - 49 - warmup, i + 1), { period: 14 });
    expect(chart.indicators['rsi:period=14']).toEqual(Array.from(rsi.subarray(warmup)));
    const bad = await server.app.inject({ method: 'GET', url: `/candles?${query}&indicators=nope`, headers: auth });
    expect(bad.statusCode).toBe(400);
  });

  it('takes TradingView alerts with the secret, refuses replays, bad secrets, stale alerts and unserved tickers', async () => {
    const alert = (over: Record<string, unknown> = {}) =>
      server.app.inject({
        method: 'POST',
        url: WEBHOOK_PATH,
        headers: { 'content-type': 'text/plain' },
        payload: JSON.stringify({
          secret: SECRET,
          ticker: 'BTCUSDT',
          action: 'buy',
          price: 20000,
          time: clock.now - 1000,
          id: 'a1',
          ...over,
        }),
      });
    const ok = await alert();
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().signal).toMatchObject({ action: 'buy', symbol: 'BTCUSDT' });
    // The answer carries the aggregated signal now: the alert beside the model's latest signal.
    const [aggregate] = ok.json().aggregates;
    expect(aggregate.timeframe).toBe('1h');
    expect(aggregate.inputs.map((i: { source: string }) => i.source).sort()).toEqual(
      [trained.modelId, ok.json().signal.source].sort(),
    );
    expect(['buy', 'sell', 'hold']).toContain(aggregate.action);
    expect(typeof aggregate.shouldExecute).toBe('boolean');
    expect((await alert()).statusCode).toBe(409);
    expect((await alert({ secret: 'wrong-secret!', id: 'a2' })).statusCode).toBe(401);
    expect((await alert({ time: clock.now - 3_600_000, id: 'a3' })).statusCode).toBe(422);
    expect((await alert({ ticker: 'DOGEUSDT', id: 'a4' })).statusCode).toBe(422);
    const logged = (
      await server.app.inject({ method: 'GET', url: `/predictions?${query}&kind=alert`, headers: auth })
    ).json();
    expect(logged.map((r: { key: string }) => r.key)).toEqual(['alert:1h:id:a1']);
    // Concurrent alerts are committed together (group commit); a key twice among them is one replay.
    const statuses = (await Promise.all(['c1', 'c2', 'c3', 'c1', 'c4'].map((id) => alert({ id })))).map(
      (r) => r.statusCode,
    );
    expect(statuses.sort()).toEqual([200, 200, 200, 200, 409]);
    const all = (
      await server.app.inject({ method: 'GET', url: `/predictions?${query}&kind=alert`, headers: auth })
    ).json();
    expect(all.map((r: { key: string }) => r.key).sort()).toEqual(
      ['a1', 'c1', 'c2', 'c3', 'c4'].map((id) => `alert:1h:id:${id}`),
    );
  });

  it('reports an unreachable exchange as failed ticks (503) and back-fills the missed bars when it returns', async () => {
    const before = (
      await server.app.inject({ method: 'GET', url: `/predictions?${query}&kind=prediction&limit=1000`, headers: auth })
    ).json();
    fake.down = true;
    await advance(2);
    const down = await server.app.inject({ method: 'GET', url: '/health', headers: auth });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'down',
      series: [{ staleBars: 2, lastError: expect.stringMatching(/503/) }],
    });
    fake.down = false;
    await advance(1);
    const after = (
      await server.app.inject({ method: 'GET', url: `/predictions?${query}&kind=prediction&limit=1000`, headers: auth })
    ).json();
    const times = after.map((r: { barTime: number }) => r.barTime);
    expect(times.slice(before.length)).toEqual([1, 2, 3].map((k) => before.at(-1).barTime + k * HOUR));
    const health = (await server.app.inject({ method: 'GET', url: '/health', headers: auth })).json();
    expect(health.series[0].staleBars).toBe(0);
  });

  it('lists models by stage with metrics; promotion is gated; demotion stops the model at once', async () => {
    const mature = (await server.app.inject({ method: 'GET', url: '/models?stage=mature', headers: auth })).json();
    expect(mature).toHaveLength(1);
    expect(mature[0]).toMatchObject({ id: trained.modelId, stage: 'mature', served: true, suspended: false });
    expect(typeof mature[0].metrics.sharpe).toBe('number');
    const skip = await server.app.inject({
      method: 'POST',
      url: `/models/${encodeURIComponent(trained.modelId)}/promote`,
      headers: auth,
      payload: { to: 'discovery' },
    });
    expect(skip.statusCode).toBeGreaterThanOrEqual(400); // mature → discovery is not an allowed transition
    expect(
      (await server.app.inject({ method: 'POST', url: '/models/nope/demote', headers: auth, payload: { reason: 'x' } }))
        .statusCode,
    ).toBe(404);
    const demote = await server.app.inject({
      method: 'POST',
      url: `/models/${encodeURIComponent(trained.modelId)}/demote`,
      headers: auth,
      payload: { reason: 'manual check' },
    });
    expect(demote.statusCode).toBe(200);
    expect(demote.json()).toMatchObject({ promoted: true, from: 'mature', to: 'decay' });
    const before = (
      await server.app.inject({ method: 'GET', url: `/predictions?${query}&kind=prediction&limit=1000`, headers: auth })
    ).json();
    await advance(2);
    const after = (
      await server.app.inject({ method: 'GET', url: `/predictions?${query}&kind=prediction&limit=1000`, headers: auth })
    ).json();
    // No new prediction (earlier ones still get their outcomes).
    expect(after.map((r: { key: string }) => r.key)).toEqual(before.map((r: { key: string }) => r.key));
    expect(after.filter((r: { outcomeReturn: number | null }) => r.outcomeReturn !== null).length).toBeGreaterThan(
      before.filter((r: { outcomeReturn: number | null }) => r.outcomeReturn !== null).length,
    );
    const health = (await server.app.inject({ method: 'GET', url: '/health', headers: auth })).json();
    // 'degraded' for the suspended model (here even 'down': the earlier exchange outage is still in the error rate).
    expect(['degraded', 'down']).toContain(health.status);
    expect(health.models[0]).toMatchObject({ id: trained.modelId, suspended: true });
  });

  it('serves a model at once when it enters a served stage: a suspended one resumes, a new one is added beside it', async () => {
    const promote = async (id: string, to: string) =>
      server.app.inject({
        method: 'POST',
        url: `/models/${encodeURIComponent(id)}/promote`,
        headers: auth,
        payload: { to, reason: 'test' },
      });
    const predictedAt = async (id: string) =>
      (await server.runtime.log.query({ kind: 'prediction', source: id })).map((r) => r.barTime);
    // The model demoted above: decay → paper (not served: still stopped) → mature (served again).
    expect((await promote(trained.modelId, 'paper')).statusCode).toBe(200);
    const stopped = await predictedAt(trained.modelId);
    await advance(1);
    expect(await predictedAt(trained.modelId)).toEqual(stopped);
    expect((await promote(trained.modelId, 'mature')).statusCode).toBe(200);
    await advance(1);
    const resumed = await predictedAt(trained.modelId);
    expect(resumed).toHaveLength(stopped.length + 1);
    expect(resumed.at(-1)).toBe(server.runtime.loops[0]!.servedThrough);

    // A model of another strategy, promoted to paper outside the server, then to mature through the API.
    const added = await trainTestModel({ name: 'serve-added', dir: trained.dir, stage: 'paper' });
    expect(server.runtime.loops[0]!.models.map((m) => m.id)).not.toContain(added.modelId);
    expect((await promote(added.modelId, 'mature')).statusCode).toBe(200);
    expect(server.runtime.loops[0]!.models.map((m) => m.id)).toEqual([trained.modelId, added.modelId]);
    await advance(2);
    expect(await predictedAt(added.modelId)).toHaveLength(2);
    const models = (await server.app.inject({ method: 'GET', url: '/models?stage=mature', headers: auth })).json();
    expect(
      models.map((m: { id: string; served: boolean; suspended: boolean }) => [m.id, m.served, m.suspended]),
    ).toEqual(
      expect.arrayContaining([
        [trained.modelId, true, false],
        [added.modelId, true, false],
      ]),
    );
  });

  it('answers as its OpenAPI document says, and documents every answer', async () => {
    const document = (await server.app.inject({ method: 'GET', url: '/openapi.json', headers: auth })).json();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(document, 'openapi');
    const pointer = (text: string) => text.replaceAll('~', '~0').replaceAll('/', '~1');
    /** Sends a request and checks the answer against the schema documented for its route and status. */
    const documented = async (request: InjectOptions & { method: 'GET' | 'POST'; url: string }, status = 200) => {
      const response = await server.app.inject({ headers: auth, ...request });
      expect(response.statusCode, response.body.slice(0, 500)).toBe(status);
      const path = request.url.split('?')[0]!.replace(/^\/(models|jobs)\/(?!retrain)[^/]+/, '/$1/{id}');
      const validate = ajv.getSchema(
        `openapi#/paths/${pointer(path)}/${request.method.toLowerCase()}/responses/${status}/content/application~1json/schema`,
      );
      expect(validate, `${request.method} ${path} ${status} is documented`).toBeDefined();
      const body = response.json();
      expect(validate!(body), `${request.method} ${request.url}: ${ajv.errorsText(validate!.errors)}`).toBe(true);
      return body;
    };
    const health = await documented(
      { method: 'GET', url: '/health' },
      server.runtime.health().status === 'down' ? 503 : 200,
    );
    expect(health.models.length).toBeGreaterThan(0);
    expect(await documented({ method: 'GET', url: '/series' })).toHaveLength(1);
    await documented({ method: 'GET', url: `/candles?${query}&limit=20&indicators=rsi,bbands` });
    await documented({ method: 'GET', url: `/features?${query}` });
    await documented({ method: 'GET', url: `/forming?${query}` });
    const { predictions } = await documented({ method: 'GET', url: `/predict?${query}` });
    expect(predictions.length).toBe(2);
    expect((await documented({ method: 'GET', url: `/signal?${query}` })).signal).not.toBeNull();
    await documented({ method: 'GET', url: `/predictions?${query}&limit=1000` });
    await documented({ method: 'GET', url: `/predict?symbol=ETH%2FUSDT&timeframe=1h` }, 400);
    const modelPaper = await documented({
      method: 'GET',
      url: `/paper?${query}&source=${encodeURIComponent(trained.modelId)}`,
    });
    expect(modelPaper).toMatchObject({ source: trained.modelId, entryThreshold: expect.any(Number) });
    expect(await documented({ method: 'GET', url: '/models' })).toHaveLength(2);
    const refused = await documented(
      {
        method: 'POST',
        url: `/models/${encodeURIComponent(trained.modelId)}/promote`,
        payload: { to: 'paper', reason: 'not from mature' },
      },
      409,
    );
    expect(refused.promoted).toBe(false);
    await documented({ method: 'POST', url: '/models/nope/demote', payload: { reason: 'x' } }, 404);
    expect(await documented({ method: 'GET', url: '/jobs' })).toEqual({ schedule: null, jobs: [] });
    await documented({ method: 'POST', url: '/jobs/retrain' }, 404);
    const alert = (id: string, secret = SECRET) => ({
      method: 'POST' as const,
      url: WEBHOOK_PATH,
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ secret, ticker: 'BTCUSDT', action: 'sell', price: 20000, time: clock.now - 1000, id }),
    });
    expect((await documented(alert('documented'))).aggregates).toHaveLength(1);
    await documented(alert('documented'), 409);
    await documented(alert('documented-2', 'wrong-secret!'), 401);
    // The alerts logged so far (buy signals) paper-trade as a long position.
    const alertSource = (await server.runtime.log.query({ kind: 'alert' }))[0]!.source;
    const paper = await documented({ method: 'GET', url: `/paper?${query}&source=${encodeURIComponent(alertSource)}` });
    expect(paper).toMatchObject({ source: alertSource, feesBps: 10, slippageBps: 5 });
    expect(paper.trades.length).toBeGreaterThan(0);

    // Every JSON answer is a named schema (or an array of one); the only objects open to any value are alert details.
    type Operation = { responses: Record<string, { content?: Record<string, { schema: { type?: string } }> }> };
    for (const [path, methods] of Object.entries<Record<string, Operation>>(document.paths)) {
      if (path === DASHBOARD_PATH) continue; // text/html
      for (const [method, operation] of Object.entries(methods))
        for (const [status, response] of Object.entries(operation.responses)) {
          const schema = response.content?.['application/json']?.schema;
          const named = { $ref: expect.stringMatching(/^#\/components\/schemas\//) };
          expect(schema, `${method} ${path} ${status}`).toMatchObject(
            schema?.type === 'array' ? { items: named } : named,
          );
        }
    }
    const open: string[] = [];
    const findOpen = (node: unknown, at: string) => {
      if (node === null || typeof node !== 'object') return;
      if ((node as { additionalProperties?: unknown }).additionalProperties === true) open.push(at);
      for (const [key, child] of Object.entries(node)) findOpen(child, `${at}/${key}`);
    };
    findOpen(document.components.schemas, '');
    expect(open).toEqual(['/HealthAlert/properties/details']);
  });

  it('serves its OpenAPI document, and the committed openapi.json is up to date', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/openapi.json', headers: auth });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/candles',
        '/features',
        '/predict',
        '/forming',
        '/signal',
        '/predictions',
        '/paper',
        '/models',
        WEBHOOK_PATH,
      ]),
    );
    expect(document.paths[WEBHOOK_PATH].post.security).toEqual([]);
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'openapi.json'), 'utf8'));
    expect(document, 'run: pnpm --filter @candlelab/server openapi').toEqual(committed);
  });

  it('/forming says why there is no forming bar when the source reports none', async () => {
    const files = await createServer(
      parseServeConfig(
        `server: { apiToken: ${TOKEN}, logLevel: silent }
registry: models
store: { kind: memory }
log: { kind: duckdb, path: ':memory:' }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
`,
        { baseDir: trained.dir },
      ),
      {
        source: new FileSource({
          path: fixturePath('ohlcv/BTC_USDT-1h.json.gz'),
          symbol: 'BTC/USDT',
          timeframe: '1h',
          id: 'binance',
        }),
        now: () => clock.now,
      },
    );
    try {
      const response = await files.app.inject({ method: 'GET', url: `/forming?${query}`, headers: auth });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        symbol: 'BTC/USDT',
        timeframe: '1h',
        candle: null,
        models: [],
        reason: 'the binance source reports no forming candles',
      });
    } finally {
      await files.close();
    }
  });

  it('does not serve a promoted model of a strategy its config leaves out', async () => {
    const filtered = await createServer(
      parseServeConfig(
        `server: { apiToken: ${TOKEN}, logLevel: silent }
registry: models
strategies: [serve-test]
store: { kind: memory }
log: { kind: duckdb, path: ':memory:' }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
`,
        { baseDir: trained.dir },
      ),
      { exchange: await fakeExchangeClient(fake.url), now: () => clock.now },
    );
    try {
      await filtered.runtime.tickAll();
      const unlisted = await trainTestModel({ name: 'serve-unlisted', dir: trained.dir, stage: 'paper' });
      expect((await filtered.runtime.setStage(unlisted.modelId, 'mature')).promoted).toBe(true);
      expect(filtered.runtime.loops[0]!.models.map((m) => m.manifest.strategy)).toEqual(['serve-test']);
    } finally {
      await filtered.close();
    }
  });
});
