/**
 * Benchmark: webhook → aggregated signal, on loopback, against the issue's target p99 ≤ 50 ms at
 * 50 concurrent requests, with the predictions log in the embedded DuckDB file and in PostgreSQL,
 * side by side in one run.
 *
 * The real server (`startServer`: Fastify, the API token, pino at `warn`, DuckDB candle store)
 * serves the 20-tree GBDT test model on real BTC/USDT 1h candles from a fake exchange on loopback.
 * BENCH_REQUESTS (default 2,000) distinct TradingView alerts are POSTed to `/webhook/tradingview`
 * by BENCH_CONCURRENCY (default 50) clients over keep-alive connections (node:http, in a worker
 * thread of their own). Each request is timed from send to the parsed answer, which carries the
 * aggregated signal of the alert with the model's latest signal (`aggregates`); each alert is
 * committed to the predictions log before the answer (concurrent alerts share a commit). 100
 * alerts warm up first and are not counted. The PostgreSQL log (the local server, a schema of its
 * own, dropped afterwards) is skipped when PostgreSQL is not reachable; BENCH_LOG=duckdb or
 * BENCH_LOG=postgres runs one log only.
 *
 * Beside the numbers: the machine's load average and the CPU that other processes used during the
 * run (from /proc/stat, Linux; for the PostgreSQL log the PostgreSQL server's own is among them). On
 * 2 cores the server, the load generator and the database already share the CPU, so a run during
 * which other processes were busy is not a measurement of the log.
 *
 * Run: pnpm --filter @candlelab/server bench
 */
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadFixtureBars } from '@candlelab/test-utils';
import { fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { postgresReachable } from '@candlelab/test-utils/postgres';
import pg from 'pg';
import { startServer, WEBHOOK_PATH } from '../src/createServer.js';
import { parseServeConfig } from '../src/serveConfig.js';
import { trainTestModel } from '../test/trainedModel.js';

const total = Number(process.env.BENCH_REQUESTS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const TARGET_P99_MS = 50;
const SECRET = 'bench-webhook-secret';
const NOW = Date.UTC(2022, 8, 12) + 10 * 60_000;
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `candlelab_bench_${process.pid}`;
type LogKind = 'duckdb' | 'postgres';

const only = process.env.BENCH_LOG;
const logs: LogKind[] = [];
if (only !== 'postgres') logs.push('duckdb');
if (only !== 'duckdb') {
  if (await postgresReachable(POSTGRES_URL)) logs.push('postgres');
  else console.log(`PostgreSQL log skipped: PostgreSQL is not reachable at ${POSTGRES_URL}.`);
}

const trained = await trainTestModel();
const fake = await startFakeExchange({ series: [loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz')], now: NOW });

/**
 * The load generator runs in a worker thread with its own event loop, as a separate load tool
 * (autocannon, wrk) would: in the server's thread it would queue its own work between the
 * server's callbacks and add that to every latency.
 */
const LOAD_GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { port, path, secret, now, concurrency, warmup, total } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
let sent = 0;
function post(id) {
  const body = JSON.stringify({ secret, ticker: 'BTCUSDT', action: id % 2 ? 'sell' : 'buy', price: 20000, time: now - 1000, id: 'bench-' + id });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent,
      headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        const answer = JSON.parse(text);
        if (res.statusCode !== 200 || !answer.ok || answer.aggregates?.length !== 1)
          reject(new Error('alert ' + id + ': HTTP ' + res.statusCode + ' ' + text));
        else resolve(performance.now() - started);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
async function fire(count) {
  const latencies = [];
  const end = sent + count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (sent < end) latencies.push(await post(sent++));
  }));
  return latencies;
}
(async () => {
  await fire(warmup);
  const t0 = performance.now();
  const latencies = await fire(total);
  parentPort.postMessage({ latencies, seconds: (performance.now() - t0) / 1000 });
  agent.destroy();
})().catch((error) => { throw error; });
`;

function fire(port: number): Promise<{ latencies: number[]; seconds: number }> {
  const worker = new Worker(LOAD_GENERATOR, {
    eval: true,
    workerData: { port, path: WEBHOOK_PATH, secret: SECRET, now: NOW, concurrency, warmup: 100, total },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** CPU time (ms) the whole machine has spent busy since boot (undefined where /proc/stat is missing). */
function machineBusyMs(): number | undefined {
  try {
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return undefined;
  }
}

interface Run {
  log: LogKind;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Share of one core that other processes used during the run (undefined off Linux). */
  otherCpu: number | undefined;
}

/** Serves the test model with the log in `log` and fires the alerts at it. */
async function measure(log: LogKind): Promise<Run> {
  const config = parseServeConfig(
    `server: { port: 0, apiToken: bench-token-0123456789, logLevel: warn }
registry: models
store: { kind: duckdb, path: candles-${log}.duckdb }
log: ${log === 'postgres' ? `{ kind: postgres, schema: ${schema} }` : '{ kind: duckdb, path: serve.duckdb }'}
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
webhook: { secret: ${SECRET} }
`,
    { baseDir: trained.dir },
  );
  const server = await startServer(config, { exchange: await fakeExchangeClient(fake.url), now: () => NOW });
  try {
    const { port } = server.app.server.address() as { port: number };
    const busyBefore = machineBusyMs();
    const cpuBefore = process.cpuUsage();
    const { latencies, seconds } = await fire(port);
    const ownCpu = process.cpuUsage(cpuBefore);
    const busyAfter = machineBusyMs();
    const otherCpuMs =
      busyBefore === undefined || busyAfter === undefined
        ? undefined
        : Math.max(0, busyAfter - busyBefore - (ownCpu.user + ownCpu.system) / 1000);
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
    return {
      log,
      requestsPerSecond: total / seconds,
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      max: latencies[latencies.length - 1]!,
      otherCpu: otherCpuMs === undefined ? undefined : otherCpuMs / 1000 / seconds,
    };
  } finally {
    await server.close();
  }
}

const NAMES: Record<LogKind, string> = { duckdb: 'DuckDB (embedded)', postgres: 'PostgreSQL' };
try {
  const runs: Run[] = [];
  for (const log of logs) runs.push(await measure(log));
  console.log(
    `webhook → aggregated signal, ${total} alerts at ${concurrency} concurrent on loopback, each committed to the log before its answer (load average ${loadavg()[0]!.toFixed(1)}):`,
  );
  const duckdb = runs.find((run) => run.log === 'duckdb');
  for (const run of runs) {
    const other =
      run.otherCpu === undefined
        ? ''
        : `; other processes${run.log === 'postgres' ? ' (PostgreSQL included)' : ''} used ${(100 * run.otherCpu).toFixed(0)}% of a core`;
    const vsDuckDb = duckdb && run !== duckdb ? `; p99 ${(run.p99 / duckdb.p99).toFixed(2)}× DuckDB's` : '';
    console.log(
      `  ${NAMES[run.log].padEnd(18)} ${run.requestsPerSecond.toFixed(0).padStart(5)} req/s  p50 ${run.p50.toFixed(2)} ms  p95 ${run.p95.toFixed(2)} ms  p99 ${run.p99.toFixed(2)} ms  max ${run.max.toFixed(2)} ms`,
    );
    console.log(
      `  ${''.padEnd(18)} target p99 ≤ ${TARGET_P99_MS} ms: p99 / target = ${(run.p99 / TARGET_P99_MS).toFixed(2)} (${run.p99 <= TARGET_P99_MS ? 'met' : 'NOT met'})${vsDuckDb}${other}`,
    );
  }
} finally {
  await fake.close();
  rmSync(trained.dir, { recursive: true, force: true });
  if (logs.includes('postgres')) {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
