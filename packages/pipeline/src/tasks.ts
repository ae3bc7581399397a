import { defineTasks } from '@candlelab/jobs';
import { sha256Hex } from '@candlelab/registry';
import { parseStrategy } from './strategyConfig.js';
import { trainStrategy } from './trainStrategy.js';

/**
 * A strategy carried by value, so a worker on any machine trains exactly what the coordinator
 * read: the YAML text, the folder its relative paths resolve from, and the text's sha256.
 */
export interface StrategyByValue {
  text: string;
  baseDir: string;
  sha256: string;
}

export function strategyByValue(text: string, baseDir: string): StrategyByValue {
  return { text, baseDir, sha256: sha256Hex(text) };
}

/** What one universe job asks for. */
export interface TrainSymbolPayload {
  strategy: StrategyByValue;
  symbol: string;
  /** Registry folder (same machine) or `postgres://` URL (any machine). */
  registry: string;
}

/** What one universe job reports back (JSON: it crosses threads and machines). */
export interface SymbolJobResult {
  symbol: string;
  modelId: string | null;
  gatesPassed: boolean;
  gateReasons: string[];
  metrics: Record<string, number>;
  trainMs: number;
}

/**
 * The tasks candlelab registers with `@candlelab/jobs`: run by the worker-thread pool of
 * `candlelab retrain` and by `candlelab worker` processes on any machine.
 */
export const tasks = defineTasks({
  trainSymbol: async (payload: TrainSymbolPayload, context): Promise<SymbolJobResult> => {
    const started = performance.now();
    const { text, baseDir, sha256 } = payload.strategy;
    if (sha256Hex(text) !== sha256)
      throw new Error(`strategy text of job ${context.jobId} does not match its sha256 (damaged in transit)`);
    const loaded = { config: parseStrategy(text, `job ${context.jobId}`), text, baseDir };
    const result = await trainStrategy(loaded, {
      symbols: [payload.symbol],
      registryRoot: payload.registry,
      // A retried job (its worker died after registering) finds its model instead of adding a second one.
      registrationKey: context.jobId,
      onProgress: (event) => context.reportProgress({ ...event, detail: { ...event.detail, symbol: payload.symbol } }),
    });
    return {
      symbol: payload.symbol,
      modelId: result.model?.id ?? null,
      gatesPassed: result.gates.passed,
      gateReasons: result.gates.results.map((g) => g.reason),
      metrics: {
        ...result.backtest,
        ...Object.fromEntries(Object.entries(result.oos).map(([k, v]) => [`oos.${k}`, v])),
      },
      trainMs: performance.now() - started,
    };
  },
});
