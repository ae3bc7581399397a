/**
 * Benchmark: webhook → aggregated signal, on loopback, against the issue's target p99 ≤ 50 ms at
 * 50 concurrent requests.
 *
 * The real server (`startServer`: Fastify, the API token, pino at `warn`, DuckDB candle store and
 * predictions log files) serves the 20-tree GBDT test model on real BTC/USDT 1h candles from a fake
 * exchange on loopback. BENCH_REQUESTS (default 2,000) distinct TradingView alerts are POSTed to
 * `/webhook/tradingview` by BENCH_CONCURRENCY (default 50) clients over keep-alive connections
 * (node:http, in a worker thread of their own). Each request is timed from send to the parsed answer, which carries the aggregated
 * signal of the alert with the model's latest signal (`aggregates`); each alert is committed to
 * the predictions log before the answer (concurrent alerts share a commit). 100 alerts warm up
 * first and are not counted. BENCH_LOG=postgres puts the log in the local PostgreSQL (a schema
 * of its own, dropped afterwards) instead of the embedded DuckDB file. The machine's load average
 * is printed beside the numbers: the log's commits wait on the disk, so a loaded machine is slower.
 *
 * Run: pnpm --filter @candlelab/server bench
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadFixtureBars } from '@candlelab/test-utils';
import { fakeExchangeClient, startFakeExchange } from '@candlelab/test-utils/fakeExchange';
import { startServer, WEBHOOK_PATH } from '../src/createServer.js';
import { parseServeConfig } from '../src/serveConfig.js';
import { trainTestModel } from '../test/trainedModel.js';

const total = Number(process.env.BENCH_REQUESTS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const TARGET_P99_MS = 50;
const SECRET = 'bench-webhook-secret';
const NOW = Date.UTC(2022, 8, 12) + 10 * 60_000;
const postgres = process.env.BENCH_LOG === 'postgres';
const schema = `candlelab_bench_${process.pid}`;

const trained = await trainTestModel();
const fake = await startFakeExchange({ series: [loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz')], now: NOW });
const config = parseServeConfig(
  `server: { port: 0, apiToken: bench-token-0123456789, logLevel: warn }
registry: models
store: { kind: duckdb, path: candles.duckdb }
log: ${postgres ? `{ kind: postgres, schema: ${schema} }` : '{ kind: duckdb, path: serve.duckdb }'}
series: [{ symbol: BTC/USDT, timeframe: 1h }]
warmupBars: 300
webhook: { secret: ${SECRET} }
`,
  { baseDir: trained.dir },
);
const server = await startServer(config, { exchange: await fakeExchangeClient(fake.url), now: () => NOW });
const { port } = server.app.server.address() as { port: number };
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

function fire(): Promise<{ latencies: number[]; seconds: number }> {
  const worker = new Worker(LOAD_GENERATOR, {
    eval: true,
    workerData: { port, path: WEBHOOK_PATH, secret: SECRET, now: NOW, concurrency, warmup: 100, total },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

try {
  const { latencies, seconds } = await fire();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
  const p99 = q(0.99);
  console.log(
    `webhook → aggregated signal, ${total} alerts at ${concurrency} concurrent on loopback, log in ${postgres ? 'PostgreSQL' : 'DuckDB'} (${(total / seconds).toFixed(0)} req/s; load average ${loadavg()[0]!.toFixed(1)} on this machine):`,
  );
  console.log(
    `  p50 ${q(0.5).toFixed(2)} ms  p95 ${q(0.95).toFixed(2)} ms  p99 ${p99.toFixed(2)} ms  max ${latencies[latencies.length - 1]!.toFixed(2)} ms`,
  );
  console.log(
    `  target p99 ≤ ${TARGET_P99_MS} ms: p99 / target = ${(p99 / TARGET_P99_MS).toFixed(2)} (${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'})`,
  );
} finally {
  await server.close();
  await fake.close();
  rmSync(trained.dir, { recursive: true, force: true });
  if (postgres) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
