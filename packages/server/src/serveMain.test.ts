import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyBars } from '@candlelab/core';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeCcxtOptions, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { startSourceProcess } from '@candlelab/test-utils/sourceProcess';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from './serveConfig.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The bin from its sources, as `candlelab serve` spawns the built one. */
const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
const TOKEN = 'bin-token-0123456789';
const HOUR = 3_600_000;

let fake: FakeExchange;
let dir: string;
beforeAll(async () => {
  // The bin runs on the real clock: the fixture is shifted so that its last bar opened an hour ago.
  const bars = copyBars(loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz'));
  const shift = Math.floor(Date.now() / HOUR) * HOUR - HOUR - bars.time[bars.time.length - 1]!;
  for (let i = 0; i < bars.time.length; i++) bars.time[i]! += shift;
  fake = await startFakeExchange({ series: [bars], now: Date.now() + 365 * 24 * HOUR });
  dir = mkdtempSync(join(tmpdir(), 'candlelab-serve-bin-'));
});
afterAll(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('candlelab-serve bin', () => {
  it('starts on a free port, answers /health, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const config = join(dir, 'serve.yaml');
    // The real ccxt binance client, its public REST API pointed at the fake exchange on loopback.
    writeFileSync(
      config,
      `server: { port: 0, apiToken: \${TEST_TOKEN}, logLevel: silent }
registry: models
exchange:
  id: binance
  maxRetries: 0
  options: ${JSON.stringify(fakeExchangeCcxtOptions(fake.url))}
store: { kind: memory }
log: { kind: duckdb, path: serve.duckdb }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 50
`,
    );
    const run = startSourceProcess(bin, ['--config', config], { env: { TEST_TOKEN: TOKEN } });
    await run.waitForOutput('stderr', /caught up/);
    const address = /listening on (http:\/\/\S+)/.exec(run.stderr())![1]!;
    const response = await fetch(`${address}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const health = { status: response.status, body: (await response.json()) as Record<string, unknown> };
    expect(health, run.stderr()).toMatchObject({
      status: 200,
      body: { status: 'ok', series: [{ symbol: 'BTC/USDT', staleBars: 0, errorRate: 0 }] },
    });
    expect((await fetch(`${address}/health`)).status).toBe(401);
    run.proc.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(run.stderr()).toMatch(/SIGTERM, stopping[\s\S]*stopped/);
  });

  it('prints its usage; a bad config exits 2 naming the field', { timeout: 30_000 }, async () => {
    const help = startSourceProcess(bin, ['--help']);
    expect(await help.exit).toEqual({ code: 0, signal: null });
    expect(help.stdout()).toMatch(/^Usage: candlelab-serve \[--config <file>\]/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'server: { apiToken: short }\nseries: []\n');
    const run = startSourceProcess(bin, ['--config', bad]);
    expect(await run.exit).toEqual({ code: 2, signal: null });
    expect(run.stderr()).toMatch(/server\.apiToken/);
    const unknown = startSourceProcess(bin, ['--bogus']);
    expect(await unknown.exit).toEqual({ code: 2, signal: null });
    expect(unknown.stderr()).toMatch(/--bogus/);
  });

  it('the example strategies/serve.yaml is a valid config', () => {
    const config = loadServeConfig(join(repoRoot, 'strategies/serve.yaml'), { CANDLELAB_API_TOKEN: TOKEN });
    expect(config).toMatchObject({
      store: { kind: 'duckdb' },
      log: { kind: 'duckdb' },
      retrain: { cron: '0 3 * * *', workers: 1 },
      series: [{ symbol: 'BTC/USDT', timeframe: '1h' }],
    });
    expect(config.retrain!.strategy).toBe(join(repoRoot, 'strategies/btc-trend-gbdt.yaml'));
  });
});
