import { defineTasks } from '@candlelab/jobs';
import { loadStrategy } from './strategyConfig.js';
import { trainStrategy } from './trainStrategy.js';

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
  trainSymbol: async (
    payload: { strategyPath: string; symbol: string; registryRoot?: string },
    context,
  ): Promise<SymbolJobResult> => {
    const started = performance.now();
    const result = await trainStrategy(loadStrategy(payload.strategyPath), {
      symbols: [payload.symbol],
      ...(payload.registryRoot ? { registryRoot: payload.registryRoot } : {}),
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
