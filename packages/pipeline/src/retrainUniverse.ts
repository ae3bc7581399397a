import { resolve } from 'node:path';
import { ConfigError, type ProgressCallback, toResultAsync, type ValidationIssue } from '@candlelab/core';
import { JobQueue, WorkerPool } from '@candlelab/jobs';
import { isPostgresLocation, openModelStore } from '@candlelab/registry';
import { checkStrategy } from './checkStrategy.js';
import { loadStrategyBars } from './loadStrategyBars.js';
import { registryLocation } from './registryLocation.js';
import { loadStrategy } from './strategyConfig.js';
import { type SymbolJobResult, strategyByValue, type TrainSymbolPayload, type tasks } from './tasks.js';
import { workerModule } from './workerModule.js';

export interface RetrainOptions {
  strategyPath: string;
  symbols?: readonly string[];
  /** Local worker threads (default 1). Ignored with `redis`. */
  workers?: number;
  /** Run through the Redis queue at this URL instead (`candlelab worker` processes do the work). */
  redis?: string;
  queueName?: string;
  /** Registry folder or `postgres://` URL; default the strategy's `registry.root`. */
  registryRoot?: string;
  onProgress?: ProgressCallback;
}

export interface RetrainRow extends SymbolJobResult {
  promoted: boolean;
  stage: string;
  error?: string;
}

export interface RetrainResult {
  rows: RetrainRow[];
  wallMs: number;
  dataMs: number;
  trainMs: number;
  mode: 'local' | 'queue';
  workers: number;
}

/**
 * The universe retrain (Huracan's daily job): update every symbol's candles store-first, train
 * each symbol in parallel (worker threads here, or worker processes anywhere through Redis),
 * then promote to `validation` exactly the models that pass the strategy's gates.
 */
export async function retrainUniverse(options: RetrainOptions): Promise<RetrainResult> {
  const started = performance.now();
  const strategyPath = resolve(options.strategyPath);
  const loaded = loadStrategy(strategyPath);
  const { config, baseDir } = loaded;
  checkStrategy(loaded);
  const symbols = [...(options.symbols ?? config.data.symbols)];
  const registry = registryLocation(config, baseDir, options.registryRoot);
  if (options.redis) checkSharedAcrossMachines(config.data.store.kind, registry);
  // Candles first, in this process: workers then read a complete store and never fetch concurrently.
  await loadStrategyBars(config.data, symbols, baseDir, options.onProgress);
  const dataMs = performance.now() - started;
  const trainStarted = performance.now();
  const strategy = strategyByValue(loaded.text, baseDir);
  const payloads: TrainSymbolPayload[] = symbols.map((symbol) => ({ strategy, symbol, registry }));
  let outcomes: Array<{ ok: true; value: SymbolJobResult } | { ok: false; error: Error }>;
  let done = 0;
  const report = () => options.onProgress?.({ phase: 'train universe', done: ++done, total: symbols.length });
  if (options.redis) {
    const queue = await JobQueue.connect({ name: options.queueName ?? 'candlelab', connection: options.redis });
    try {
      const runId = Date.now().toString(36);
      const ids = await Promise.all(
        payloads.map((p) => queue.submit('trainSymbol', p, { jobId: `${config.name}:${p.symbol}:${runId}` })),
      );
      outcomes = await Promise.all(
        ids.map((id) =>
          toResultAsync(async () => {
            const value = (await queue.waitFor(id)) as SymbolJobResult;
            report();
            return value;
          }),
        ),
      );
    } finally {
      await queue.close();
    }
  } else {
    const workers = options.workers ?? 1;
    const pool = new WorkerPool<typeof tasks>({ ...workerModule('tasks'), size: workers });
    try {
      outcomes = await Promise.all(
        payloads.map((payload) =>
          toResultAsync(async () => {
            const value = await pool.run('trainSymbol', payload);
            report();
            return value;
          }),
        ),
      );
    } finally {
      await pool.close();
    }
  }
  const trainMs = performance.now() - trainStarted;
  // Each model carries the strategy's gates; promotion re-checks them in the store.
  const store = await openModelStore(registry);
  const rows: RetrainRow[] = [];
  try {
    for (const [i, outcome] of outcomes.entries()) {
      if (!outcome.ok) {
        rows.push({
          symbol: symbols[i]!,
          modelId: null,
          gatesPassed: false,
          gateReasons: [],
          metrics: {},
          trainMs: 0,
          promoted: false,
          stage: 'failed',
          error: outcome.error.message,
        });
        continue;
      }
      const job = outcome.value;
      if (!job.modelId) {
        rows.push({ ...job, promoted: false, stage: 'none' });
        continue;
      }
      const promotion = job.gatesPassed
        ? await store.promote(job.modelId, 'validation', { reason: 'universe retrain: gates passed' })
        : undefined;
      rows.push({
        ...job,
        promoted: promotion?.promoted ?? false,
        stage: promotion?.promoted ? 'validation' : 'discovery',
      });
    }
  } finally {
    await store.close();
  }
  return {
    rows,
    wallMs: performance.now() - started,
    dataMs,
    trainMs,
    mode: options.redis ? 'queue' : 'local',
    workers: options.redis ? 0 : (options.workers ?? 1),
  };
}

/**
 * Workers on other machines see neither this machine's files nor its memory: through a queue the
 * candles must come from a PostgreSQL store and the models go to a PostgreSQL registry.
 */
function checkSharedAcrossMachines(storeKind: string, registry: string): void {
  const issues: ValidationIssue[] = [];
  if (storeKind !== 'postgres')
    issues.push({
      field: 'data.store.kind',
      reason: `a ${storeKind} store lives on this machine only; queue workers on other machines need data.store: { kind: postgres, connectionString: … }`,
    });
  if (!isPostgresLocation(registry))
    issues.push({
      field: 'registry.root',
      reason: `the folder ${registry} lives on this machine only; queue workers need a shared registry: registry.root: postgres://…`,
    });
  if (issues.length > 0) throw new ConfigError('retrain through a queue', issues);
}
