import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  CancelledError,
  ConfigError,
  InvalidParameterError,
  type ProgressCallback,
  Rng,
  zodIssues,
} from '@candlelab/core';
import { evaluateGates, type GateResult, parseQualityGates, type QualityGate } from '@candlelab/validation';
import { z } from 'zod';
import {
  gridPoints,
  type Params,
  parseSearchSpace,
  type SearchSpace,
  type SearchSpaceInput,
  sampleRandom,
} from './searchSpace.js';
import { type Observation, suggestTpe, type TpeOptions } from './tpe.js';

/** What an objective returns: the value to optimise, optionally with more metrics for constraints and reports. */
export interface ObjectiveResult {
  value: number;
  metrics?: Readonly<Record<string, number>>;
}

export interface TrialContext {
  /** 0-based trial number. */
  trial: number;
  /** A generator for this trial alone (derived from the study seed and the trial number). */
  rng: Rng;
  signal?: AbortSignal;
}

export type Objective = (
  params: Params,
  context: TrialContext,
) => number | ObjectiveResult | Promise<number | ObjectiveResult>;

export type SamplerName = 'grid' | 'random' | 'tpe';

/** A finished trial. `infeasible` trials ran but broke a constraint; `failed` ones threw. */
export interface Trial {
  number: number;
  params: Params;
  state: 'complete' | 'infeasible' | 'failed';
  value: number | null;
  metrics: Record<string, number>;
  constraints: Array<Pick<GateResult, 'expression' | 'passed' | 'reason'>>;
  error?: string;
  durationMs: number;
}

export interface OptimizeOptions {
  space: SearchSpaceInput;
  objective: Objective;
  /** Default `maximize`. */
  direction?: 'maximize' | 'minimize';
  /** Default `tpe`. */
  sampler?: SamplerName;
  /** Number of trials. Default: the grid size for `grid`, else 50. */
  nTrials?: number;
  /** Default 0. Same seed (and same objective) → same trials, in any batch timing. */
  seed?: number;
  /**
   * Gates over the objective's metrics (and `value`) that a trial must pass to count, e.g.
   * `['trades >= 30']`. Failing trials are kept as `infeasible` and never chosen as best.
   */
  constraints?: readonly (string | QualityGate)[];
  /**
   * Trials run concurrently in batches of this size; every suggestion of a batch is made from the
   * trials finished before it, so results do not depend on timing. Default 1.
   */
  parallel?: number;
  /** Path of a JSON file holding the trials; an existing file is resumed (same space, direction, sampler and seed). */
  storage?: string;
  /** Points per float parameter in grid search. Default 5. */
  gridFloatPoints?: number;
  tpe?: TpeOptions;
  onTrial?: (trial: Trial, best: Trial | undefined) => void;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export interface StudyResult {
  best: Trial | undefined;
  trials: Trial[];
  direction: 'maximize' | 'minimize';
  sampler: SamplerName;
}

const StorageSchema = z.object({
  formatVersion: z.literal(1),
  sampler: z.enum(['grid', 'random', 'tpe']),
  direction: z.enum(['maximize', 'minimize']),
  seed: z.number(),
  space: z.unknown(),
  trials: z.array(z.custom<Trial>((t) => typeof t === 'object' && t !== null && 'number' in t && 'params' in t)),
});

/**
 * Searches `space` for the parameters that optimise `objective`: grid, random, or Bayesian
 * (TPE) search, seeded, with constraints, resumable storage and batched parallel trials.
 */
export async function optimize(options: OptimizeOptions): Promise<StudyResult> {
  const space = parseSearchSpace(options.space);
  const direction = options.direction ?? 'maximize';
  const sampler = options.sampler ?? 'tpe';
  const seed = options.seed ?? 0;
  const constraints = parseQualityGates(options.constraints ?? [], 'constraints');
  const grid = sampler === 'grid' ? gridPoints(space, options.gridFloatPoints ?? 5) : undefined;
  const nTrials = options.nTrials ?? grid?.length ?? 50;
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(nTrials) || nTrials < 1)
    throw new InvalidParameterError('nTrials', nTrials, 'expected a positive integer');
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new InvalidParameterError('parallel', parallel, 'expected a positive integer');
  const trials = options.storage ? loadTrials(options.storage, { sampler, direction, seed, space }) : [];
  const root = new Rng(seed);
  const sign = direction === 'maximize' ? -1 : 1;
  const lastTrial = grid ? Math.min(nTrials, grid.length) : nTrials;
  let best = pickBest(trials, direction);

  while (trials.length < lastTrial) {
    if (options.signal?.aborted) throw new CancelledError('optimize');
    const batchStart = trials.length;
    const batchEnd = Math.min(lastTrial, batchStart + parallel);
    const history: Observation[] = trials
      .filter((t) => t.state !== 'failed')
      .map((t) => ({ params: t.params, loss: sign * (t.value ?? Number.NaN), feasible: t.state === 'complete' }));
    const batch = [];
    for (let number = batchStart; number < batchEnd; number++) {
      const rng = root.child(`trial-${number}`);
      const params = grid
        ? grid[number]!
        : sampler === 'random'
          ? sampleRandom(space, rng)
          : suggestTpe(space, history, rng, options.tpe);
      batch.push(runTrial(number, params, rng, options, constraints));
    }
    for (const trial of await Promise.all(batch)) {
      trials.push(trial);
      best = pickBest([...(best ? [best] : []), trial], direction);
      options.onTrial?.(trial, best);
    }
    options.onProgress?.({
      phase: 'optimize',
      done: trials.length,
      total: lastTrial,
      ...(best?.value != null ? { detail: { best: best.value } } : {}),
    });
    if (options.storage) saveTrials(options.storage, { sampler, direction, seed, space }, trials);
  }
  return { best, trials, direction, sampler };
}

async function runTrial(
  number: number,
  params: Params,
  rng: Rng,
  options: OptimizeOptions,
  constraints: QualityGate[],
): Promise<Trial> {
  const started = performance.now();
  const context: TrialContext = { trial: number, rng, ...(options.signal ? { signal: options.signal } : {}) };
  try {
    const outcome = await options.objective(params, context);
    const value = typeof outcome === 'number' ? outcome : outcome.value;
    const metrics = { ...(typeof outcome === 'number' ? {} : outcome.metrics), value };
    if (!Number.isFinite(value)) {
      return {
        number,
        params,
        state: 'failed',
        value: null,
        metrics,
        constraints: [],
        error: `objective returned ${value}`,
        durationMs: performance.now() - started,
      };
    }
    const report = evaluateGates(constraints, metrics);
    return {
      number,
      params,
      state: report.passed ? 'complete' : 'infeasible',
      value,
      metrics,
      constraints: report.results.map(({ expression, passed, reason }) => ({ expression, passed, reason })),
      durationMs: performance.now() - started,
    };
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    return {
      number,
      params,
      state: 'failed',
      value: null,
      metrics: {},
      constraints: [],
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      durationMs: performance.now() - started,
    };
  }
}

/** The best complete trial (ties: the earliest). */
export function pickBest(trials: readonly Trial[], direction: 'maximize' | 'minimize'): Trial | undefined {
  let best: Trial | undefined;
  for (const trial of trials) {
    if (trial.state !== 'complete' || trial.value === null) continue;
    if (!best || (direction === 'maximize' ? trial.value > best.value! : trial.value < best.value!)) best = trial;
    else if (trial.value === best.value && trial.number < best.number) best = trial;
  }
  return best;
}

interface StudyIdentity {
  sampler: SamplerName;
  direction: 'maximize' | 'minimize';
  seed: number;
  space: SearchSpace;
}

function loadTrials(path: string, identity: StudyIdentity): Trial[] {
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(path, [{ reason: 'study storage is not valid JSON' }], { cause: error });
  }
  const parsed = StorageSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(path, zodIssues(parsed.error));
  const stored = parsed.data;
  const mismatches = (['sampler', 'direction', 'seed'] as const).filter((key) => stored[key] !== identity[key]);
  if (JSON.stringify(stored.space) !== JSON.stringify(identity.space)) mismatches.push('space' as never);
  if (mismatches.length > 0) {
    throw new ConfigError(
      path,
      mismatches.map((field) => ({
        field,
        reason: 'differs from the stored study; use another storage file to start a new study',
      })),
    );
  }
  return [...stored.trials].sort((a, b) => a.number - b.number);
}

function saveTrials(path: string, identity: StudyIdentity, trials: readonly Trial[]): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ formatVersion: 1, ...identity, trials }, null, 1)}\n`);
  renameSync(temp, path);
}
