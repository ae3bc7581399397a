import { rmSync } from 'node:fs';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTestModel } from '../test/trainedModel.js';
import { type CandlelabServer, createServer } from './createServer.js';
import type { LogRecord } from './PredictionLog.js';
import type { TrainingJob } from './RetrainScheduler.js';
import { parseServeConfig } from './serveConfig.js';

// The scheduled retrain with a fake clock: the cron time passes, the universe retrain trains a
// new version of the served model (worker threads), promotes it through the gates and swaps it in
// while the same server keeps running: the bar before the swap is predicted by version 1, the next
// by version 2, and every bar has exactly one prediction and one aggregate.
const HOUR = 3_600_000;
const fixture = loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz');
const START = Date.UTC(2022, 8, 18) + 5 * 60_000; // 00:05 UTC
const TOKEN = 'retrain-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const query = 'symbol=BTC%2FUSDT&timeframe=1h';

let trained: Awaited<ReturnType<typeof trainTestModel>>;
let fake: FakeExchange;
let server: CandlelabServer;
const clock = { now: START };

beforeAll(async () => {
  trained = await trainTestModel();
  fake = await startFakeExchange({ series: [fixture], now: START });
  const config = parseServeConfig(
    `server: { apiToken: ${TOKEN}, logLevel: silent }
registry: models
exchange: { maxRetries: 0 }
store: { kind: duckdb, path: candles.duckdb }
log: { kind: duckdb, path: serve.duckdb }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
retrain: { cron: '0 3 * * *', strategy: serve-test.yaml }
`,
    { baseDir: trained.dir },
  );
  server = await createServer(config, { exchange: await fakeExchangeClient(fake.url), now: () => clock.now });
  await server.runtime.tickAll();
}, 120_000);
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

const get = async (url: string) => (await server.app.inject({ method: 'GET', url, headers: auth })).json();

describe('scheduled retrain with hot swap', () => {
  it('runs at the cron time, promotes the new version through the gates and swaps it in without a restart', {
    timeout: 180_000,
  }, async () => {
    const retrain = server.runtime.retrain!;
    const runtime = server.runtime;
    expect(retrain.nextRunAt).toBe(Date.UTC(2022, 8, 18, 3));
    await advance(2); // 02:05: not due yet
    expect(retrain.runDue()).toBeUndefined();
    expect((await get('/jobs')).jobs).toEqual([]);
    await advance(1); // 03:05: due
    const job = retrain.runDue()!;
    expect(job).toMatchObject({ trigger: 'schedule', status: 'running', scheduledFor: Date.UTC(2022, 8, 18, 3) });
    expect(retrain.runDue()).toBeUndefined(); // one at a time, and the next is tomorrow
    expect(retrain.nextRunAt).toBe(Date.UTC(2022, 8, 19, 3));
    expect((await server.app.inject({ method: 'POST', url: '/jobs/retrain', headers: auth })).statusCode).toBe(409);
    await retrain.idle();

    const done = (await get(`/jobs/${encodeURIComponent(job.id)}`)) as TrainingJob;
    expect(done, JSON.stringify(done)).toMatchObject({
      status: 'succeeded',
      healthBefore: 'ok',
      healthAfter: 'ok',
      progress: { phase: 'done', done: 1, total: 1 },
    });
    const [retrained] = done.models;
    expect(retrained).toMatchObject({ symbol: 'BTC/USDT', gatesPassed: true, stage: 'mature' });
    expect(retrained!.modelId).toMatch(/_v2$/);
    expect(retrained!.swapped).toEqual([{ symbol: 'BTC/USDT', timeframe: '1h', replaced: trained.modelId }]);
    const v2 = retrained!.modelId!;

    // /models: version 2 served in mature, version 1 retired and no longer served.
    const models = (await get('/models')) as Array<{ id: string; stage: string; served: boolean; version: number }>;
    expect(models.find((m) => m.id === v2)).toMatchObject({ stage: 'mature', served: true, version: 2 });
    expect(models.find((m) => m.id === trained.modelId)).toMatchObject({ stage: 'retired', served: false });
    expect((await get('/health')).models).toMatchObject([{ id: v2, version: 2, suspended: false }]);

    // The next bar is predicted by version 2; an in-flight tick finishes with the model it started with.
    await advance(1);
    const loop = runtime.loop('BTC/USDT', '1h')!;
    const current = loop.models[0]!;
    const relabelled = { ...current, id: `${current.id}-relabelled`, manifest: { ...current.manifest, version: 9 } };
    clock.now += HOUR;
    fake.now = clock.now;
    const inFlight = loop.tick();
    const swapped = loop.swapModel(v2, relabelled);
    await inFlight;
    expect(await swapped).toBe(true);
    await advance(1);

    const rows = (await get(`/predictions?${query}&limit=1000`)) as LogRecord[];
    const predictions = rows.filter((r) => r.kind === 'prediction');
    const versionAt = (bar: number) => predictions.filter((r) => r.barTime === bar).map((r) => r.modelVersion);
    expect(versionAt(Date.UTC(2022, 8, 18, 2))).toEqual([1]); // closed 03:00, before the retrain
    expect(versionAt(Date.UTC(2022, 8, 18, 3))).toEqual([2]); // first bar after the swap
    expect(versionAt(Date.UTC(2022, 8, 18, 4))).toEqual([2]); // the tick in flight during the second swap
    expect(versionAt(Date.UTC(2022, 8, 18, 5))).toEqual([9]);
    // No lost or doubled bar: one prediction and one aggregate per hour, consecutive.
    const aggregates = rows.filter((r) => r.kind === 'aggregate').map((r) => r.barTime);
    const bars = predictions.map((r) => r.barTime);
    expect(new Set(bars).size).toBe(bars.length);
    expect(aggregates).toEqual(bars);
    for (let i = 1; i < bars.length; i++) expect(bars[i]! - bars[i - 1]!).toBe(HOUR);
    // The replaced model's last signal left the aggregate with it.
    const firstAfter = rows.find((r) => r.kind === 'aggregate' && r.barTime === Date.UTC(2022, 8, 18, 3))!;
    expect(firstAfter.inputs!.map((i) => i.source)).toEqual([v2]);
  });
});
