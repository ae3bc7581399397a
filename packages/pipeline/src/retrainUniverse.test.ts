import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startQueueWorker } from '@candlelab/jobs';
import { ModelRegistry, openModelStore } from '@candlelab/registry';
import { fixturePath, portReachable } from '@candlelab/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { retrainUniverse } from './retrainUniverse.js';
import { tasks } from './tasks.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-retrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const strategyPath = join(dir, 'universe.yaml');
const universeYaml = (store: string, registry: string) => `name: universe
seed: 1
data:
  symbols: [BTC/USDT, ETH/USDT, SOL/USDT]
  timeframe: 1h
  start: 2022-06-01
  end: 2022-08-15
  source: { kind: file, path: '${fixturePath('ohlcv/binance-1h')}/{base}_{quote}-{timeframe}.json.gz' }
  store: ${store}
features: { preset: standard }
labels: { kind: forwardReturn, horizon: 4, target: binary }
model:
  kind: gbdt
  params: { nEstimators: 10, numLeaves: 7, minDataInLeaf: 40 }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 400, gap: 4 }
importance: { enabled: false }
gates: ['oosAuc > 0.5']
registry: { root: '${registry}' }
`;
writeFileSync(strategyPath, universeYaml('{ kind: duckdb, path: candles.duckdb }', 'models'));
const sharedPath = join(dir, 'shared.yaml');
// A PostgreSQL candle store and registry: what workers on other machines can reach.
const PG = 'postgres://postgres@127.0.0.1:5432/test';
writeFileSync(
  sharedPath,
  universeYaml(`{ kind: postgres, connectionString: '${PG}' }`, `${PG}?tablePrefix=retrain_${process.pid}_`),
);

const redisUp = await portReachable(6379);
const pgUp = await portReachable(5432);
if (!redisUp) console.warn('queue retrain test skipped: no Redis on 127.0.0.1:6379 (start redis-server to run it)');
if (!pgUp) console.warn('queue retrain test skipped: no PostgreSQL on 127.0.0.1:5432 (database test, user postgres)');

describe('retrainUniverse', () => {
  let local: Awaited<ReturnType<typeof retrainUniverse>>;

  it('trains every symbol on worker threads and promotes exactly those that pass the gates', async () => {
    local = await retrainUniverse({ strategyPath, workers: 2 });
    expect(local.rows.map((r) => r.symbol)).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    const registry = new ModelRegistry({ root: join(dir, 'models') });
    for (const row of local.rows) {
      expect(row.error).toBeUndefined();
      expect(row.gatesPassed).toBe(row.metrics['oos.auc']! > 0.5);
      expect(row.promoted).toBe(row.gatesPassed);
      expect(registry.load(row.modelId!).manifest.stage).toBe(row.gatesPassed ? 'validation' : 'discovery');
    }
  });

  it('refuses a queue retrain whose candles or models would stay on this machine', async () => {
    await expect(retrainUniverse({ strategyPath, redis: 'redis://127.0.0.1:6379' })).rejects.toMatchObject({
      code: 'CONFIG',
      issues: [
        { field: 'data.store.kind', reason: expect.stringMatching(/duckdb store lives on this machine only/) },
        { field: 'registry.root', reason: expect.stringMatching(/registry\.root: postgres:\/\//) },
      ],
    });
  });

  it.skipIf(!redisUp || !pgUp)(
    'gives the same results through the Redis queue, PostgreSQL candles and a PostgreSQL registry',
    async () => {
      const queueName = `candlelab-retrain-test-${process.pid}`;
      const workers = await Promise.all(
        [1, 2].map((i) => startQueueWorker({ name: queueName, tasks, workerId: `test-${i}` })),
      );
      try {
        const viaQueue = await retrainUniverse({
          strategyPath: sharedPath,
          redis: 'redis://127.0.0.1:6379',
          queueName,
        });
        expect(viaQueue.mode).toBe('queue');
        expect(viaQueue.rows.map((r) => [r.symbol, r.metrics['oos.auc'], r.gatesPassed])).toEqual(
          local.rows.map((r) => [r.symbol, r.metrics['oos.auc'], r.gatesPassed]),
        );
      } finally {
        await Promise.all(workers.map((w) => w.close()));
      }
    },
  );

  it.skipIf(!redisUp || !pgUp)(
    'two worker processes with their own empty folders train the universe; one is killed mid-task; every model is registered exactly once',
    async () => {
      const queueName = `candlelab-two-machines-${process.pid}`;
      const prefix = `machines_${process.pid}_`;
      const twoMachines = join(dir, 'two-machines.yaml');
      writeFileSync(
        twoMachines,
        universeYaml(`{ kind: postgres, connectionString: '${PG}' }`, `${PG}?tablePrefix=${prefix}`),
      );
      const tsx = createRequire(import.meta.url).resolve('tsx');
      const script = fileURLToPath(new URL('../test/queueWorkerProcess.ts', import.meta.url));
      const workers: Array<{ child: ChildProcess; events: Array<Record<string, unknown>>; ready: Promise<void> }> = [];
      const start = (id: string) => {
        // Each "machine" runs in its own empty folder: no shared files with the coordinator or the other worker.
        const cwd = mkdtempSync(join(tmpdir(), `candlelab-machine-${id}-`));
        const child = spawn(
          process.execPath,
          ['--import', tsx, '--conditions=@candlelab/source', script, queueName, id, '2000'],
          {
            cwd,
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        const events: Array<Record<string, unknown>> = [];
        let buffer = '';
        let markReady = () => {};
        const ready = new Promise<void>((resolve) => {
          markReady = resolve;
        });
        child.stdout!.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
            const event = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
            buffer = buffer.slice(nl + 1);
            events.push(event);
            if (event.type === 'ready') markReady();
          }
        });
        const worker = { child, events, ready };
        workers.push(worker);
        return worker;
      };
      try {
        const first = start('a');
        await first.ready;
        // Candles go to PostgreSQL first (the coordinator's job), then three jobs through Redis.
        const retrain = retrainUniverse({ strategyPath: twoMachines, redis: 'redis://127.0.0.1:6379', queueName });
        // Kill the first machine as soon as it is training (mid-task), then bring up the second.
        for (let waited = 0; !first.events.some((e) => e.type === 'progress'); waited += 50) {
          if (waited > 120_000) throw new Error('worker a never started training');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        first.child.kill('SIGKILL');
        const second = start('b');
        await second.ready;
        const result = await retrain;
        expect(result.rows.map((r) => [r.symbol, r.error])).toEqual([
          ['BTC/USDT', undefined],
          ['ETH/USDT', undefined],
          ['SOL/USDT', undefined],
        ]);
        const store = await openModelStore(`${PG}?tablePrefix=${prefix}`);
        try {
          const models = await store.list({ strategy: 'universe' });
          // One model per symbol, whichever machine trained it and however often a job ran.
          expect(models.map((m) => m.symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
          expect(models.map((m) => m.id).sort()).toEqual(result.rows.map((r) => r.modelId).sort());
        } finally {
          await store.close();
        }
        // The killed machine's job was started again on the other one.
        expect(second.events.filter((e) => e.type === 'started').some((e) => Number(e.attempt) >= 2)).toBe(true);
      } finally {
        for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
        await Promise.all(
          workers.map((w) =>
            w.child.exitCode === null && w.child.signalCode === null
              ? new Promise((r) => w.child.once('exit', r))
              : undefined,
          ),
        );
      }
    },
    240_000,
  );
});
