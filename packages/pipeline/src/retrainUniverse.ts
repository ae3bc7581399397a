import { resolve } from 'node:path';
import { type ProgressCallback, toResultAsync } from '@candlelab/core';
import { JobQueue, WorkerPool } from '@candlelab/jobs';
import { ModelRegistry } from '@candlelab/registry';
import { loadStrategyBars } from './loadStrategyBars.js';
import { loadStrategy } from './strategyConfig.js';
import type { SymbolJobResult, tasks } from './tasks.js';

export interface RetrainOptions {
  strategyPath: string;
  symbols?: readonly string[];
  /** Local worker threads (default 1). Ignored with `redis`. */
  workers?: number;
  /** Run through the Redis queue at this URL instead (`candlelab worker` processes do the work). */
  redis?: string;
  queueName?: string;
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

/** How pool threads load the tasks module: from the build, or from sources through tsx. */
function poolModuleOptions() {
  const tasksUrl = new URL(import.meta.url.endsWith('.ts') ? './tasks.ts' : './tasks.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return { tasksModule: tasksUrl };
  return {
    tasksModule: tasksUrl,
    register: import.meta.resolve('tsx/esm/api'),
    execArgv: ['--conditions=@candlelab/source'],
  };
}

/**
 * The universe retrain (Huracan's daily job): update every symbol's candles store-first, train
 * each symbol in parallel (worker threads here, or worker processes anywhere through Redis),
 * then promote to `validation` exactly the models that pass the strategy's gates.
 */
export async function retrainUniverse(options: RetrainOptions): Promise<RetrainResult> {
  const started = performance.now();
  const strategyPath = resolve(options.strategyPath);
  const { config, baseDir } = loadStrategy(strategyPath);
  const symbols = [...(options.symbols ?? config.data.symbols)];
  const registryRoot = options.registryRoot ?? resolve(baseDir, config.registry.root);
  // Candles first, in this process: workers then read a complete store and never fetch concurrently.
  await loadStrategyBars(config.data, symbols, baseDir, options.onProgress);
  const dataMs = performance.now() - started;
  const trainStarted = performance.now();
  const payloads = symbols.map((symbol) => ({ strategyPath, symbol, registryRoot }));
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
    const pool = new WorkerPool<typeof tasks>({ ...poolModuleOptions(), size: workers });
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
  const registry = new ModelRegistry({ root: registryRoot, gates: { validation: config.gates } });
  const rows: RetrainRow[] = outcomes.map((outcome, i) => {
    if (!outcome.ok) {
      return {
        symbol: symbols[i]!,
        modelId: null,
        gatesPassed: false,
        gateReasons: [],
        metrics: {},
        trainMs: 0,
        promoted: false,
        stage: 'failed',
        error: outcome.error.message,
      };
    }
    const job = outcome.value;
    if (!job.modelId) return { ...job, promoted: false, stage: 'none' };
    const promotion = job.gatesPassed
      ? registry.promote(job.modelId, 'validation', { reason: 'universe retrain: gates passed' })
      : undefined;
    return { ...job, promoted: promotion?.promoted ?? false, stage: promotion?.promoted ? 'validation' : 'discovery' };
  });
  return {
    rows,
    wallMs: performance.now() - started,
    dataMs,
    trainMs,
    mode: options.redis ? 'queue' : 'local',
    workers: options.redis ? 0 : (options.workers ?? 1),
  };
}
