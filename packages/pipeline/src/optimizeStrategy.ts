import { ConfigError, type ProgressCallback } from '@candlelab/core';
import {
  optimize,
  type Params,
  parseSearchSpace,
  type SamplerName,
  type SearchSpaceInput,
  type StudyResult,
  type Trial,
} from '@candlelab/optimize';
import { parse, parseDocument, stringify } from 'yaml';
import { type LoadedStrategy, parseStrategy, readConfigFile } from './strategyConfig.js';
import { trainStrategy } from './trainStrategy.js';

export interface OptimizeStrategyOptions {
  strategy: LoadedStrategy;
  /**
   * `@candlelab/optimize`'s search space whose names are dotted paths into the strategy file,
   * e.g. `model.params.learningRate`, `model.totalTimesteps`, `sizing.params.entCoef`,
   * `backtest.entryThreshold`. Every path must give a valid strategy (checked before the study).
   */
  space: SearchSpaceInput;
  /** A metric of the trained strategy to optimise: any gate metric (`sharpe`, `totalReturn`, …). Default `sharpe`. */
  objective?: string;
  /** Default `maximize`. */
  direction?: 'maximize' | 'minimize';
  /** Default `tpe`. */
  sampler?: SamplerName;
  /** Default: the grid size for `grid`, else 20. */
  nTrials?: number;
  /** Seed of the sampler. Default: the strategy's seed. */
  seed?: number;
  /** Gates over the trial's metrics that a trial must pass to count (e.g. `trades >= 30`). Default none. */
  constraints?: readonly string[];
  /** JSON file of the trials, resumed when it exists. Default none. */
  storage?: string;
  onTrial?: (trial: Trial, best: Trial | undefined) => void;
  onProgress?: ProgressCallback;
}

/** Reads a search space file (YAML or JSON: `{ "model.params.learningRate": { type: logFloat, low: 1e-4, high: 1e-3 } }`). */
export function loadSearchSpace(path: string): SearchSpaceInput {
  const text = readConfigFile(path, 'search space file');
  const value: unknown = parse(text);
  try {
    return parseSearchSpace(value as SearchSpaceInput);
  } catch (error) {
    throw new ConfigError(path, [{ reason: (error as Error).message }], { cause: error });
  }
}

/**
 * The strategy with `params` written at their dotted paths (into the YAML as written, so the
 * defaults stay the schema's), re-parsed: a path the schema refuses is a `ConfigError` naming it.
 */
export function strategyWithParams(strategy: LoadedStrategy, params: Params): LoadedStrategy {
  const document = parseDocument(strategy.text);
  for (const [path, value] of Object.entries(params)) document.setIn(path.split('.'), value);
  const text = stringify(document.toJS());
  return {
    config: parseStrategy(text, `${strategy.config.name} with ${JSON.stringify(params)}`),
    text,
    baseDir: strategy.baseDir,
  };
}

/**
 * `candlelab optimize` as a function: each trial trains the whole strategy (walk-forward,
 * backtest, gates; not registered) with the trial's parameters, whatever its model kind — gbdt,
 * ensemble, nn, ppo (trading or portfolio env) or a hybrid with `sizing:` — and scores the
 * out-of-sample `objective` metric. Trials are seeded: the same seed gives the same study.
 */
export async function optimizeStrategy(options: OptimizeStrategyOptions): Promise<StudyResult> {
  const { strategy } = options;
  const objective = options.objective ?? 'sharpe';
  const space = parseSearchSpace(options.space);
  // Every path must make a valid strategy: try the lowest value (or first choice) of each.
  const probe: Params = {};
  for (const [name, spec] of Object.entries(space))
    probe[name] = spec.type === 'categorical' ? spec.choices[0]! : spec.low;
  strategyWithParams(strategy, probe);
  return optimize({
    space,
    objective: async (params) => {
      const result = await trainStrategy(strategyWithParams(strategy, params), { register: false });
      const metrics = result.metrics as Record<string, number>;
      const value = metrics[objective];
      if (value === undefined)
        throw new ConfigError('optimize', [
          {
            field: 'objective',
            reason: `${objective} is not a metric of the strategy (${Object.keys(metrics).join(', ')})`,
          },
        ]);
      return { value, metrics };
    },
    direction: options.direction ?? 'maximize',
    sampler: options.sampler ?? 'tpe',
    ...(options.nTrials !== undefined || options.sampler !== 'grid' ? { nTrials: options.nTrials ?? 20 } : {}),
    seed: options.seed ?? strategy.config.seed,
    ...(options.constraints ? { constraints: options.constraints } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.onTrial ? { onTrial: options.onTrial } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
