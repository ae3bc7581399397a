// The universe retrain on the 10 bundled symbols: wall time with 1 and 2 worker threads, the
// speed-up, the same work through the Redis queue, and the queue's own overhead per job (no-op
// jobs through BullMQ and back). Usage: pnpm --filter @candlelab/pipeline bench [days=120]
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTasks, JobQueue, startQueueWorker } from '@candlelab/jobs';
import { retrainUniverse } from '../src/retrainUniverse.js';
import { tasks } from '../src/tasks.js';

const days = Number(process.argv[2] ?? 120);
const fixtures = fileURLToPath(new URL('../../../fixtures/ohlcv/binance-1h', import.meta.url));
const symbols = readdirSync(fixtures)
  .filter((f) => f.endsWith('.json.gz'))
  .map((f) => f.replace(/_USDT-1h\.json\.gz$/, '/USDT'))
  .sort();
const end = Date.UTC(2022, 9, 11);
const start = end - days * 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'candlelab-universe-bench-'));
const strategyPath = join(dir, 'universe.yaml');
const sharedPath = join(dir, 'universe-shared.yaml');
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const universeYaml = (store: string, registry: string) => `name: universe-bench
seed: 1
data:
  symbols: [${symbols.join(', ')}]
  timeframe: 1h
  start: ${new Date(start).toISOString()}
  end: ${new Date(end).toISOString()}
  source: { kind: file, path: '${fixtures}/{base}_{quote}-{timeframe}.json.gz' }
  store: ${store}
features: { preset: standard }
labels: { kind: forwardReturn, horizon: 4, target: binary, upper: 0.002 }
model:
  kind: gbdt
  params: { nEstimators: 50, numLeaves: 31, minDataInLeaf: 50 }
validation: { method: walkForward, trainSize: 1200, validationSize: 240, testSize: 240, gap: 4 }
importance: { repeats: 2, maxRows: 1000 }
gates: ['sharpe > 1', 'trades >= 10']
registry: { root: '${registry}' }
`;
writeFileSync(strategyPath, universeYaml('{ kind: duckdb, path: candles.duckdb }', 'models'));
// Queue workers may run on other machines: candles and models in PostgreSQL.
writeFileSync(
  sharedPath,
  universeYaml(`{ kind: postgres, connectionString: '${PG}' }`, `${PG}?tablePrefix=bench_${process.pid}_`),
);

try {
  // Warm the store and the module caches so every measured run reads candles from DuckDB.
  await retrainUniverse({ strategyPath, symbols: symbols.slice(0, 1) });
  const one = await retrainUniverse({ strategyPath, workers: 1 });
  const two = await retrainUniverse({ strategyPath, workers: 2 });
  const queueName = `candlelab-bench-${process.pid}`;
  const worker = await startQueueWorker({ name: queueName, tasks });
  await retrainUniverse({ strategyPath: sharedPath, symbols: symbols.slice(0, 1) }); // warm the PostgreSQL store
  const queued = await retrainUniverse({ strategyPath: sharedPath, redis: 'redis://127.0.0.1:6379', queueName });
  await worker.close();
  // The queue's own cost per job: no-op jobs through Redis and back, one at a time.
  const noopQueue = `${queueName}-noop`;
  const noopWorker = await startQueueWorker({ name: noopQueue, tasks: defineTasks({ noop: () => null }) });
  const queue = await JobQueue.connect({ name: noopQueue });
  const roundTrips = 100;
  const roundTripStart = performance.now();
  for (let i = 0; i < roundTrips; i++) await queue.waitFor(await queue.submit('noop', {}));
  const roundTripMs = (performance.now() - roundTripStart) / roundTrips;
  await queue.obliterate();
  await Promise.all([queue.close(), noopWorker.close()]);
  const s = (ms: number) => (ms / 1000).toFixed(1);
  console.log(
    `universe retrain: ${symbols.length} symbols × ${days} days of 1h candles, standard features, 50-tree GBDT, walk-forward`,
  );
  console.log('run                        data s   train s   total s   speed-up');
  console.log(
    `1 worker thread          ${s(one.dataMs).padStart(7)} ${s(one.trainMs).padStart(9)} ${s(one.wallMs).padStart(9)}      1.00×`,
  );
  console.log(
    `2 worker threads         ${s(two.dataMs).padStart(7)} ${s(two.trainMs).padStart(9)} ${s(two.wallMs).padStart(9)}      ${(one.trainMs / two.trainMs).toFixed(2)}×`,
  );
  console.log(
    `queue, 1 worker (Redis)  ${s(queued.dataMs).padStart(7)} ${s(queued.trainMs).padStart(9)} ${s(queued.wallMs).padStart(9)}`,
  );
  console.log(
    `queue overhead per job: ${roundTripMs.toFixed(1)} ms (no-op jobs submitted, run and awaited through Redis, mean of ${roundTrips})`,
  );
  console.log(
    `queue run vs 1 thread: ${((queued.trainMs - one.trainMs) / symbols.length).toFixed(0)} ms per job (also counts training on the main thread instead of a pool thread)`,
  );
  console.log(
    `promoted: ${
      two.rows
        .filter((r) => r.promoted)
        .map((r) => r.symbol)
        .join(', ') || 'none'
    }`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
