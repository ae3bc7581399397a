import { rmSync } from 'node:fs';
import { copyBars } from '@candlelab/core';
import { openModelStore } from '@candlelab/registry';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiftRegime } from '../test/shiftRegime.js';
import { trainTestModel } from '../test/trainedModel.js';
import { startWebhookSink, type WebhookSink } from '../test/webhookSink.js';
import type { HealthAlert } from './AlertNotifier.js';
import { type CandlelabServer, startServer, WEBHOOK_PATH } from './createServer.js';
import type { LogRecord } from './PredictionLog.js';
import { paperTrades } from './paperTrades.js';
import { parseServeConfig } from './serveConfig.js';

// End to end with real components: a fake Binance on loopback serving real BTC/USDT and ETH/USDT
// 1h candles, fast-forwarded hour by hour → the database-first loader into DuckDB → streaming
// features → two trained registry models → signals, TradingView alerts over real HTTP, aggregated
// signals → outcomes → learned weights → paper fills. A regime shift injected into BTC/USDT
// (moves ×10, volume ×8 from SHIFT on) must raise a drift alert at a local webhook sink, demote
// the BTC model to `decay` and stop its signals, while the ETH model keeps serving.
const HOUR = 3_600_000;
const START = Date.UTC(2022, 8, 18) + 5 * 60_000;
const SHIFT = Date.UTC(2022, 8, 21);
const LAST = Date.UTC(2022, 8, 28);
const TOKEN = 'e2e-token-0123456789';
const SECRET = 'e2e-webhook-secret';
const auth = { authorization: `Bearer ${TOKEN}` };

const btc = shiftRegime(copyBars(loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz')), SHIFT, 10, 8);
const eth = loadFixtureBars('ohlcv/binance-1h/ETH_USDT-1h.json.gz');

let btcModel: Awaited<ReturnType<typeof trainTestModel>>;
let ethModel: Awaited<ReturnType<typeof trainTestModel>>;
let fake: FakeExchange;
let sink: WebhookSink;
let server: CandlelabServer;
let baseUrl: string;
const clock = { now: START };
/** Hour (since START) at which the drift alert arrived. */
let detectedAt: number | undefined;

beforeAll(async () => {
  btcModel = await trainTestModel({ name: 'btc-trend' });
  ethModel = await trainTestModel({ name: 'eth-trend', symbol: 'ETH/USDT', dir: btcModel.dir });
  fake = await startFakeExchange({ series: [btc, eth], now: START });
  sink = await startWebhookSink();
  const config = parseServeConfig(
    `server: { port: 0, apiToken: ${TOKEN}, logLevel: silent }
registry: models
series:
  - { symbol: BTC/USDT, timeframe: 1h }
  - { symbol: ETH/USDT, timeframe: 1h }
warmupBars: 500
webhook: { secret: ${SECRET} }
alerts:
  sinks: [{ url: '${sink.url}', format: json }, { url: '${sink.url}', format: slack }]
`,
    { baseDir: btcModel.dir },
  );
  server = await startServer(config, { exchange: await fakeExchangeClient(fake.url), now: () => clock.now });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
  await sink?.close();
  if (btcModel) rmSync(btcModel.dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const response = await fetch(`${baseUrl}${path}`, { headers: auth });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & unknown[] };
};

const driftAlerts = () => sink.received.filter((a) => (a as HealthAlert).kind === 'drift') as HealthAlert[];

describe('candlelab serve end to end', () => {
  it('runs the live loop hour by hour; the regime shift raises a drift alert and the model is demoted', {
    timeout: 240_000,
  }, async () => {
    for (let h = 1; START + h * HOUR <= LAST; h++) {
      clock.now = START + h * HOUR;
      fake.now = clock.now;
      if (h % 5 === 0) {
        // A TradingView alert over real HTTP, 20 minutes into the bar.
        const response = await fetch(`${baseUrl}${WEBHOOK_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({
            secret: SECRET,
            ticker: 'BTCUSDT',
            action: h % 2 ? 'sell' : 'buy',
            price: 1,
            time: clock.now - 1000,
          }),
        });
        expect(response.status).toBe(200);
      }
      const reports = await server.runtime.tickAll();
      for (const report of reports) expect(report).not.toBeInstanceOf(Error);
      if (detectedAt === undefined && driftAlerts().length > 0) detectedAt = h;
      if (clock.now < SHIFT) expect(driftAlerts(), `false alarm at hour ${h}`).toEqual([]);
    }
    expect(detectedAt, 'no drift alert after the shift').toBeDefined();
    const [alert] = driftAlerts();
    expect(alert).toMatchObject({ kind: 'drift', severity: 'critical', subject: btcModel.modelId });
    expect((alert!.details.columns as unknown[]).length).toBeGreaterThan(0);
    expect(sink.received).toContainEqual({ text: expect.stringMatching(/^\[CRITICAL\] drift — btc-trend\//) });
    expect(sink.received).toContainEqual(
      expect.objectContaining({
        kind: 'remediation',
        subject: btcModel.modelId,
        message: expect.stringMatching(/demoted to decay/),
      }),
    );
    expect(driftAlerts()).toHaveLength(1); // de-duplicated
    const registry = await openModelStore(`${btcModel.dir}/models`);
    const demoted = (await registry.list()).find((m) => m.id === btcModel.modelId)!;
    expect(demoted.stage).toBe('decay');
    expect(demoted.stageHistory.at(-1)).toMatchObject({ from: 'mature', to: 'decay', by: 'candlelab-serve' });
    expect(demoted.stageHistory.at(-1)!.reason).toMatch(/^drift: /);
    expect((await registry.list()).find((m) => m.id === ethModel.modelId)!.stage).toBe('mature');
    await registry.close();
  });

  it("stops the drifting model's signals and keeps serving the other", async () => {
    const rows = (await server.runtime.log.query()) as LogRecord[];
    const btcPredictions = rows.filter((r) => r.source === btcModel.modelId);
    const ethPredictions = rows.filter((r) => r.source === ethModel.modelId);
    const lastBar = clock.now - (clock.now % HOUR) - HOUR;
    expect(ethPredictions.at(-1)!.barTime).toBe(lastBar);
    const stoppedAt = btcPredictions.at(-1)!.barTime;
    expect(stoppedAt).toBeGreaterThanOrEqual(SHIFT);
    expect(stoppedAt).toBe(START - (START % HOUR) + (detectedAt! - 1) * HOUR);
    // Hour by hour before the alert, nothing after it.
    expect(btcPredictions.length).toBe((stoppedAt - btcPredictions[0]!.barTime) / HOUR + 1);
    const btcAggregates = rows.filter(
      (r) => r.kind === 'aggregate' && r.symbol === 'BTC/USDT' && r.barTime > stoppedAt,
    );
    for (const aggregate of btcAggregates)
      expect(aggregate.inputs!.map((i) => i.source)).not.toContain(btcModel.modelId);
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    const models = health.body.models as Array<{ id: string; suspended: boolean; drift: { drifting: boolean } | null }>;
    expect(models.find((m) => m.id === btcModel.modelId)).toMatchObject({ suspended: true, drift: { drifting: true } });
    expect(models.find((m) => m.id === ethModel.modelId)).toMatchObject({
      suspended: false,
      drift: { drifting: false },
    });
    const predict = await get('/predict?symbol=ETH%2FUSDT&timeframe=1h');
    expect((predict.body.predictions as Array<{ time: number }>)[0]!.time).toBe(lastBar);
  });

  it('records outcomes, learns the aggregator weights from them, and paper-trades the signals by the backtest fill rules', async () => {
    const rows = (await server.runtime.log.query()) as LogRecord[];
    const settled = rows.filter((r) => r.outcomeReturn !== null);
    expect(settled.length).toBeGreaterThan(rows.length * 0.8);
    expect(rows.filter((r) => r.kind === 'alert')).toHaveLength(Math.floor((LAST - START) / HOUR / 5));
    const signal = await get('/signal?symbol=BTC%2FUSDT&timeframe=1h');
    const weights = signal.body.weights as Record<string, number>;
    expect(Object.keys(weights).sort()).toEqual([btcModel.modelId, 'tradingview'].sort());
    expect(weights[btcModel.modelId]).not.toBeCloseTo(0.5, 3);
    expect(signal.body.learnedThrough).toBeLessThanOrEqual(clock.now);
    const paper = await get(`/paper?symbol=ETH%2FUSDT&timeframe=1h&source=${encodeURIComponent(ethModel.modelId)}`);
    expect(paper.status).toBe(200);
    const eths = rows.filter((r) => r.source === ethModel.modelId);
    const bars = await server.runtime.store.read({
      exchange: 'binance',
      symbol: 'ETH/USDT',
      timeframe: '1h',
      start: eths[0]!.barTime,
      end: LAST,
    });
    const expected = paperTrades(bars, eths, { feesBps: 10, slippageBps: 5 });
    expect(paper.body).toMatchObject({
      source: ethModel.modelId,
      bars: expected.bars,
      orders: expected.orders,
      finalEquity: expected.finalEquity,
    });
    // Each paper entry fills at the open after a logged long decision.
    const longs = new Set(eths.filter((r) => r.size === 1).map((r) => r.barTime + HOUR));
    for (const trade of paper.body.trades as Array<{ entryTime: number; side: string }>) {
      expect(trade.side).toBe('long');
      expect(longs.has(trade.entryTime)).toBe(true);
    }
  });
});
