import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyBars } from '@candlelab/core';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from './serveConfig.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
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

/** The bin from its sources, as `candlelab serve` spawns the built one. */
function startBin(args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = spawn(process.execPath, ['--conditions=@candlelab/source', '--import', 'tsx', bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  proc.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, output, exit };
}

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
  options: { rateLimit: 1, urls: { api: { public: '${fake.url}/api/v3' } }, options: { fetchMarkets: { types: [spot] } } }
store: { kind: memory }
log: { kind: duckdb, path: serve.duckdb }
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 50
`,
    );
    const run = startBin(['--config', config], { TEST_TOKEN: TOKEN });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/caught up/.test(run.output.stderr)) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      void run.exit.then(() => {
        clearInterval(timer);
        reject(new Error(`bin exited: ${run.output.stderr}`));
      });
    });
    const address = /listening on (http:\/\/\S+)/.exec(run.output.stderr)![1]!;
    const response = await fetch(`${address}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const health = { status: response.status, body: (await response.json()) as Record<string, unknown> };
    expect(health, run.output.stderr).toMatchObject({
      status: 200,
      body: { status: 'ok', series: [{ symbol: 'BTC/USDT', staleBars: 0, errorRate: 0 }] },
    });
    expect((await fetch(`${address}/health`)).status).toBe(401);
    run.proc.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(run.output.stderr).toMatch(/SIGTERM, stopping[\s\S]*stopped/);
  });

  it('prints its usage; a bad config exits 2 naming the field', { timeout: 30_000 }, async () => {
    const help = startBin(['--help']);
    expect(await help.exit).toEqual({ code: 0, signal: null });
    expect(help.output.stdout).toMatch(/^Usage: candlelab-serve \[--config <file>\]/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'server: { apiToken: short }\nseries: []\n');
    const run = startBin(['--config', bad]);
    expect(await run.exit).toEqual({ code: 2, signal: null });
    expect(run.output.stderr).toMatch(/server\.apiToken/);
    const unknown = startBin(['--bogus']);
    expect(await unknown.exit).toEqual({ code: 2, signal: null });
    expect(unknown.output.stderr).toMatch(/--bogus/);
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
