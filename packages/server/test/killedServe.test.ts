import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { startSourceProcess } from '@candlelab/test-utils/sourceProcess';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer } from '../src/createServer.js';
import type { LogRecord } from '../src/PredictionLog.js';
import { loadServeConfig } from '../src/serveConfig.js';
import { trainTestModel } from './trainedModel.js';

// `candlelab serve` SIGKILLed in the middle of a bar, down for a while, restarted: its predictions
// log and candle store must equal those of a server that ran without interruption — no candle,
// prediction, aggregated signal or outcome lost or duplicated, every value the same bits.
const HOUR = 3_600_000;
const START = Date.UTC(2022, 8, 14) + 15 * 60_000;
const HOURS = 24;
const child = fileURLToPath(new URL('./serveChild.ts', import.meta.url));

let trained: Awaited<ReturnType<typeof trainTestModel>>;
let fake: FakeExchange;
const dirs: string[] = [];

beforeAll(async () => {
  trained = await trainTestModel();
  // The exchange serves every closed bar up to the end; each server's own clock decides which bars are closed.
  fake = await startFakeExchange({
    series: [loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz')],
    now: START + (HOURS + 1) * HOUR,
  });
});
afterAll(async () => {
  await fake?.close();
  for (const dir of [...dirs, trained?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function serveDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'candlelab-killed-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'serve.yaml'),
    `server: { apiToken: killed-test-token-123, logLevel: silent }
registry: ${trained.registry}
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
`,
  );
  return dir;
}

/** Runs a server in this process at hours `from` … `to` (the first tick catches up on everything missed). */
async function serveHours(dir: string, from: number, to: number): Promise<{ log: LogRecord[]; closes: number[] }> {
  const clock = { now: START + from * HOUR };
  const server = await createServer(loadServeConfig(join(dir, 'serve.yaml')), {
    exchange: await fakeExchangeClient(fake.url),
    now: () => clock.now,
  });
  for (let h = from; h <= to; h++) {
    clock.now = START + h * HOUR;
    await server.runtime.tickAll();
  }
  const log = await server.runtime.log.query();
  const bars = await server.runtime.store.read({
    exchange: 'binance',
    symbol: 'BTC/USDT',
    timeframe: '1h',
    start: 0,
    end: clock.now,
  });
  await server.close();
  return { log, closes: Array.from(bars.close) };
}

it('a server SIGKILLed mid-bar and restarted after downtime logs exactly what an uninterrupted one logs', {
  timeout: 180_000,
}, async () => {
  const reference = await serveHours(serveDir(), 0, HOURS);
  const dir = serveDir();
  fake.latencyMs = 40; // so the kill lands inside a tick, between requests and commits
  const run = startSourceProcess(child, [join(dir, 'serve.yaml'), fake.url, String(START), String(HOURS)]);
  await run.waitForLines(6);
  // Killed 15 ms into the next tick.
  await new Promise((resolve) => setTimeout(resolve, 15));
  run.proc.kill('SIGKILL');
  expect((await run.exit).signal).toBe('SIGKILL');
  fake.latencyMs = 0;
  // Down from hour ~7 to hour 15, then restarted.
  const restarted = await serveHours(dir, 15, HOURS);
  expect(restarted.closes).toEqual(reference.closes);
  expect(new Set(restarted.log.map((r) => r.key)).size).toBe(restarted.log.length);
  expect(restarted.log.filter((r) => r.kind === 'prediction')).toHaveLength(HOURS + 1);
  expect(restarted.log).toEqual(reference.log);
});
