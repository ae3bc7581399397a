import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyBars } from '@candlelab/core';
import { loadFixtureBars } from '@candlelab/test-utils';
import { type FakeExchange, fakeExchangeCcxtOptions, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { type SourceProcess, startSourceProcess } from '@candlelab/test-utils/sourceProcess';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/runCli.js';
import { API_TOKEN_ENV } from './healthCommand.js';
import { EXIT } from './reportError.js';

// A real candlelab-serve (the server package's bin, from its sources) started by a real
// `candlelab serve` process, against the fake exchange on loopback serving fixture klines.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliPath = fileURLToPath(new URL('./cli.ts', import.meta.url));
const serverBin = join(repoRoot, 'packages/server/src/bin.ts');
const TOKEN = 'health-token-0123456789';
const HOUR = 3_600_000;

let fake: FakeExchange;
let dir: string;
let config: string;
let url: string;
let cli: SourceProcess;

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether anything answers HTTP at `base`. */
const answers = (base: string) =>
  fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );

const pidFile = () => join(dir, 'server.pid');

/** `candlelab serve --config <config>` as its own process, once the server has caught up. */
async function startServe(bin: string): Promise<SourceProcess> {
  const serve = startSourceProcess(cliPath, ['serve', '--config', config], {
    env: { CANDLELAB_SERVE_BIN: bin, [API_TOKEN_ENV]: TOKEN },
  });
  await serve.waitForOutput('stderr', /caught up/);
  return serve;
}

beforeAll(async () => {
  // The server runs on the real clock: the fixture is shifted so that its last bar opened an hour ago.
  const bars = copyBars(loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz'));
  const shift = Math.floor(Date.now() / HOUR) * HOUR - HOUR - bars.time[bars.time.length - 1]!;
  for (let i = 0; i < bars.time.length; i++) bars.time[i]! += shift;
  fake = await startFakeExchange({ series: [bars], now: Date.now() + 365 * 24 * HOUR });
  dir = mkdtempSync(join(tmpdir(), 'candlelab-health-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  config = join(dir, 'serve.yaml');
  writeFileSync(
    config,
    `server: { host: 0.0.0.0, port: ${port}, apiToken: \${${API_TOKEN_ENV}}, logLevel: silent }
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
  // What `candlelab serve` runs: the server bin from its sources (exec keeps the process id).
  const bin = join(dir, 'candlelab-serve');
  writeFileSync(
    bin,
    `#!/bin/sh\necho $$ > '${pidFile()}'\nexec '${process.execPath}' --conditions=@candlelab/source --import tsx '${serverBin}' "$@"\n`,
  );
  chmodSync(bin, 0o755);
  cli = await startServe(bin);
}, 60_000);

afterAll(async () => {
  cli?.proc.kill('SIGKILL');
  // Never leave a server behind, whatever the tests found.
  try {
    process.kill(Number(readFileSync(pidFile(), 'utf8')), 'SIGKILL');
  } catch {}
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `candlelab health` with the API token in its environment variable (as the serve config reads it). */
async function health(...argv: string[]) {
  process.env[API_TOKEN_ENV] = TOKEN;
  try {
    return await runCli('health', ...argv);
  } finally {
    delete process.env[API_TOKEN_ENV];
  }
}

describe('candlelab health against a running candlelab serve', () => {
  let body: Record<string, unknown>;

  it('reads the URL and token from the serve config; prints every check; exit 0 when ok', async () => {
    const run = await health('--config', config);
    expect(run, run.stderr).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^status: ok {2}\\(${url}, `));
    expect(run.stdout).toMatch(/^freshness\s+BTC\/USDT 1h\s+ok\s+last bar \S+, 0 stale bars, 0 gaps$/m);
    expect(run.stdout).toMatch(/^errors\s+BTC\/USDT 1h\s+ok\s+0\.0% of recent ticks failed$/m);
    expect(run.stdout).toMatch(/^alerts: \d+ sent/m);
    const json = await health('--config', config, '--json');
    expect(json.code).toBe(EXIT.ok);
    body = JSON.parse(json.stdout);
    // The document is the server's own /health, as the API returns it.
    const direct = await fetch(`${url}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const served = (await direct.json()) as Record<string, unknown>;
    expect({ ...body, time: 0 }).toEqual({ ...served, time: 0 });
    expect(body).toMatchObject({ status: 'ok', series: [{ symbol: 'BTC/USDT', staleBars: 0, errorRate: 0 }] });
  });

  it('--url and --token override the config; a refused token is a usage error (exit 2)', async () => {
    const run = await runCli('health', '--url', `${url}/`, '--token', TOKEN, '--config', join(dir, 'serve.yaml'));
    expect(run.code).toBe(EXIT.ok);
    const refused = await runCli('health', '--url', url, '--token', 'wrong-token-0123456789', '--config', config);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toMatch(/refused the API token: pass --token or set CANDLELAB_API_TOKEN/);
    const none = await runCli('health', '--url', url, '--config', join(dir, 'absent.yaml'));
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toMatch(/absent\.yaml: cannot read the serve config \(ENOENT\)/);
    const badUrl = await runCli('health', '--url', 'not a url', '--token', TOKEN);
    expect(badUrl.code).toBe(EXIT.usage);
    expect(badUrl.stderr).toMatch(/--url/);
    const badOption = await runCli('health', '--timeout', 'soon');
    expect(badOption.code).toBe(EXIT.usage);
  });

  it('a degraded or down report exits 1 and says so; no server answering exits 1 with a clear message', async () => {
    // The body the real server returned, with another status, from a stand-in on loopback.
    const stub: Server = createServer((request, response) => {
      const down = request.url === '/down/health';
      response.writeHead(down ? 503 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...body, status: down ? 'down' : 'degraded' }));
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const stubUrl = `http://127.0.0.1:${(stub.address() as { port: number }).port}`;
    try {
      const degraded = await runCli('health', '--url', stubUrl, '--token', TOKEN);
      expect(degraded.code).toBe(EXIT.failure);
      expect(degraded.stdout).toMatch(/^status: degraded/);
      const down = await runCli('health', '--url', `${stubUrl}/down`, '--token', TOKEN, '--json');
      expect(down.code).toBe(EXIT.failure);
      expect(JSON.parse(down.stdout)).toMatchObject({ status: 'down' });
    } finally {
      await new Promise((resolve) => stub.close(resolve));
    }
    const closed = `http://127.0.0.1:${await freePort()}`;
    const nobody = await runCli('health', '--url', closed, '--token', TOKEN);
    expect(nobody.code).toBe(EXIT.failure);
    expect(nobody.stderr).toMatch(
      new RegExp(`no server answers \\(ECONNREFUSED\\) at ${closed}: is candlelab serve running\\?`),
    );
    const nobodyJson = await runCli('health', '--url', closed, '--json');
    expect(nobodyJson.code).toBe(EXIT.failure);
    expect(JSON.parse(nobodyJson.stdout)).toMatchObject({ error: { message: expect.stringMatching(/no server/) } });
  });

  it('SIGTERM to `candlelab serve` reaches the server once: it stops cleanly, exit 0', {
    timeout: 30_000,
  }, async () => {
    cli.proc.kill('SIGTERM');
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.stderr()).toMatch(/SIGTERM, stopping[\s\S]*stopped/);
    expect(cli.stderr()).not.toMatch(/second SIGTERM/);
    expect(await answers(url)).toBe(false);
  });

  it('the server does not outlive a SIGKILLed `candlelab serve`: it stops itself', { timeout: 60_000 }, async () => {
    cli = await startServe(join(dir, 'candlelab-serve'));
    expect(await answers(url)).toBe(true);
    cli.proc.kill('SIGKILL');
    expect(await cli.exit).toEqual({ code: null, signal: 'SIGKILL' });
    let up = true;
    for (let i = 0; i < 100 && up; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      up = await answers(url);
    }
    expect(up).toBe(false);
  });
});
