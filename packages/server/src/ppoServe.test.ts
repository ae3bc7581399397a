import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTestPpo } from '../test/trainedModel.js';
import { type CandlelabServer, createServer } from './createServer.js';
import type { ServeEvent } from './ServeRuntime.js';
import { parseServeConfig } from './serveConfig.js';

// PPO agents served through the whole server: a trading agent on BTC/USDT and a portfolio
// allocator over BTC/USDT, ETH/USDT and cash, live from a fake exchange on loopback.
const HOUR = 3_600_000;
const START = Date.UTC(2022, 8, 20) + 20 * 60_000;
const TOKEN = 'ppo-serve-token-0123456';
const auth = { authorization: `Bearer ${TOKEN}` };

let dir: string;
let trader: string;
let allocator: string;
let fake: FakeExchange;
let server: CandlelabServer;
const events: ServeEvent[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'candlelab-ppo-serve-'));
  trader = (await trainTestPpo('trading', { dir })).modelId;
  allocator = (await trainTestPpo('portfolio', { dir })).modelId;
  const series = ['BTC', 'ETH'].map((base) => loadFixtureBars(`ohlcv/binance-1h/${base}_USDT-1h.json.gz`));
  fake = await startFakeExchange({ series, now: START });
  const clock = { now: START };
  server = await createServer(
    parseServeConfig(
      `server: { apiToken: ${TOKEN}, logLevel: silent }
registry: models
series: [{ symbol: BTC/USDT, timeframe: 1h }, { symbol: ETH/USDT, timeframe: 1h }]
warmupBars: 100
`,
      { baseDir: dir },
    ),
    { exchange: await fakeExchangeClient(fake.url), now: () => clock.now, onEvent: (e) => events.push(e) },
  );
  for (let h = 0; h <= 12; h++) {
    clock.now = START + h * HOUR;
    fake.now = clock.now;
    await server.runtime.tickAll();
  }
}, 180_000);
afterAll(async () => {
  await server?.close();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = async (url: string) => {
  const response = await server.app.inject({ method: 'GET', url, headers: auth });
  expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
  return response.json();
};

interface Prediction {
  modelId: string;
  kind: string;
  time: number;
  action: string;
  position: number;
  confidence: number;
  probabilities: Record<string, number>;
  weights?: Record<string, number>;
}

describe('PPO agents served live', () => {
  it('/predict gives the trader its action probabilities and the allocator its weights, the same on both series', async () => {
    const btc = (await get('/predict?symbol=BTC%2FUSDT&timeframe=1h')).predictions as Prediction[];
    const eth = (await get('/predict?symbol=ETH%2FUSDT&timeframe=1h')).predictions as Prediction[];
    const ppo = btc.find((p) => p.modelId === trader)!;
    expect(ppo.kind).toBe('ppo');
    expect(Object.keys(ppo.probabilities)).toEqual(['short', 'flat', 'long']);
    expect([-1, 0, 1]).toContain(ppo.position);
    expect(ppo.action).toBe(ppo.position > 0 ? 'buy' : ppo.position < 0 ? 'sell' : 'hold');
    expect(ppo.weights).toBeUndefined();
    // The trader was trained on BTC/USDT only.
    expect(eth.map((p) => p.modelId)).toEqual([allocator]);

    const [onBtc, onEth] = [btc, eth].map((list) => list.find((p) => p.modelId === allocator)!);
    expect(onBtc!.kind).toBe('portfolio');
    expect(Object.keys(onBtc!.weights!)).toEqual(['w_BTC/USDT', 'w_ETH/USDT', 'w_cash']);
    const total = Object.values(onBtc!.weights!).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 12);
    // Each series' loop stepped its own allocator over the same common bars: the same weights.
    expect(onEth!.time).toBe(onBtc!.time);
    expect(onEth!.weights).toEqual(onBtc!.weights);
    expect(onBtc!.position).toBe(onBtc!.weights!['w_BTC/USDT']);
    expect(onEth!.position).toBe(onEth!.weights!['w_ETH/USDT']);
  });

  it('/forming gives the trader its provisional decision; the allocator has none (it needs every closed bar)', async () => {
    const logged = (await server.runtime.log.query()).length;
    const forming = await get('/forming?symbol=BTC%2FUSDT&timeframe=1h');
    expect(forming.candle.time).toBe(server.runtime.loops[0]!.nextBarTime);
    const byId = Object.fromEntries(
      (forming.models as Array<{ modelId: string; prediction: { size: number } | null; reason?: string }>).map((m) => [
        m.modelId,
        m,
      ]),
    );
    expect([-1, 0, 1]).toContain(byId[trader]!.prediction!.size);
    expect(byId[allocator]).toMatchObject({ prediction: null, reason: expect.stringMatching(/every symbol/) });
    expect((await server.runtime.log.query()).length).toBe(logged);
  });

  it('logs one prediction per model and bar, aggregates them, and paper-fills the allocator', async () => {
    const rows = (await get('/predictions?kind=prediction&limit=1000')) as Array<{ source: string; symbol: string }>;
    const count = (source: string, symbol: string) =>
      rows.filter((r) => r.source === source && r.symbol === symbol).length;
    expect(count(trader, 'BTC/USDT')).toBe(13);
    expect(count(allocator, 'BTC/USDT')).toBe(13);
    expect(count(allocator, 'ETH/USDT')).toBe(13);
    const signal = await get('/signal?symbol=ETH%2FUSDT&timeframe=1h');
    expect(signal.signal.inputs.map((i: { source: string }) => i.source)).toEqual([allocator]);
    const paper = await get(`/paper?symbol=BTC%2FUSDT&timeframe=1h&source=${encodeURIComponent(allocator)}`);
    expect(paper.bars).toBeGreaterThan(10);
    expect(paper.finalEquity).toBeGreaterThan(0);
  });

  it('/health lists both agents with drift and live-vs-backtest performance for the trader; the allocator has neither', async () => {
    const health = await get('/health');
    expect(health.status).toBe('ok');
    const ids = (health.models as Array<{ id: string; symbol: string; drift: unknown }>).map(
      (m) => `${m.id} ${m.symbol}`,
    );
    expect(ids.sort()).toEqual([`${allocator} BTC/USDT`, `${allocator} ETH/USDT`, `${trader} BTC/USDT`].sort());
    const allocatorHealth = health.models.find((m: { id: string }) => m.id === allocator);
    expect(allocatorHealth.drift).toBeNull();
    // No round trips for an allocator; the trader is tested against its stored out-of-sample trades.
    expect(allocatorHealth.performance).toBeNull();
    const traderHealth = health.models.find((m: { id: string }) => m.id === trader);
    // The trader's drift monitor exists (it reports once enough live rows arrived).
    expect(events.filter((e) => e.type === 'drift-unavailable').map((e) => e.modelId)).toEqual([allocator, allocator]);
    const backtestTrades = server.runtime.loops[0]!.models.find((m) => m.id === trader)!.backtestTrades['BTC/USDT']!;
    expect(backtestTrades.length).toBeGreaterThan(0);
    expect(traderHealth.performance.backtestTrades).toBe(backtestTrades.length);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'drift-unavailable',
        modelId: allocator,
        reason: expect.stringMatching(/no feature drift/),
      }),
    );
  });
});
