import { type ClassMeaning, decidePosition, type PositionDecision, type PositionRule } from '@candlelab/backtest';
import {
  type Bars,
  type Classifier,
  InvalidParameterError,
  ModelFormatError,
  NotEnoughDataError,
  ValidationError,
} from '@candlelab/core';
import { sizedPosition, sizingObservation } from '@candlelab/env';
import { type ScalerJson, StandardScaler } from '@candlelab/features';
import { PPO, type PpoModelJson } from '@candlelab/ppo';
import { z } from 'zod';
import { EpisodeLengthSchema, PpoParamsSchema } from './ppoModelConfig.js';
import { standardizedFeatureRows } from './ppoPredict.js';

/**
 * `sizing:` of a strategy: entries from the strategy's classifier (its probabilities through the
 * one position rule, `decidePosition`), position sizes from a PPO allocator trained walk-forward
 * in `@candlelab/env`'s `SizingEnv`. The final position is direction × size (`sizedPosition`).
 */
export const PpoSizingConfigSchema = z
  .object({
    kind: z.literal('ppo'),
    /** The sizes the allocator chooses from, fractions of equity in [0, 1], ascending. Default [0, 0.25, 0.5, 0.75, 1]. */
    sizes: z
      .array(z.number().min(0).max(1))
      .min(2)
      .default(() => [0, 0.25, 0.5, 0.75, 1])
      .refine((sizes) => sizes.every((s, k) => k === 0 || s > sizes[k - 1]!), {
        message: 'sizes must be distinct and ascending',
      })
      .describe(
        'Position sizes the allocator chooses from, fractions of equity in [0, 1], ascending; default [0, 0.25, 0.5, 0.75, 1].',
      ),
    /** Rows per observation (features and the entry model's class probabilities), ending at the decision bar. Default 4. */
    window: z
      .number()
      .int()
      .positive()
      .max(512)
      .default(4)
      .describe(
        'Rows per observation (features and entry-model probabilities), ending at the decision bar (bars; default 4).',
      ),
    /** Observe the strategy's features besides the entry model's probabilities. Default true. */
    observeFeatures: z
      .boolean()
      .default(true)
      .describe("Observe the strategy's features besides the entry model's probabilities; default true."),
    episodeLength: EpisodeLengthSchema,
    /** Standardised observations are clipped to ±this. Default 5. */
    clipObservation: z
      .number()
      .positive()
      .default(5)
      .describe('Standardised observations are clipped to ±this (standard deviations; default 5).'),
    /** PPO hyper-parameters (cleanrl's names; `@candlelab/ppo`'s defaults), as in `model.params` of a PPO strategy. */
    params: PpoParamsSchema.prefault({}).describe('PPO hyper-parameters, as in model.params of a PPO strategy.'),
    /** Environment steps the allocator trains for, per fold. Default 20,000. */
    totalTimesteps: z
      .number()
      .int()
      .positive()
      .default(20_000)
      .describe('Environment steps the allocator trains for, per fold; default 20000.'),
  })
  .strict();

export const SizingConfigSchema = z.discriminatedUnion('kind', [
  PpoSizingConfigSchema.describe("A PPO allocator in @candlelab/env's SizingEnv choosing a size for each entry."),
]);
export type SizingConfig = z.output<typeof SizingConfigSchema>;

/** The file beside a hybrid model holding its allocator (weights and observation spec). */
export const SIZING_FILE = 'sizing_allocator.json';

const SPEC_KIND = 'candlelab.ppo-sizing';
const SPEC_VERSION = 1;

/**
 * What a trained allocator needs to act: its weights, the sizes, and how observations are built
 * (feature names — the strategy's features when observed, then one `p_<class>` column per class —
 * the training rows' standardisation, window, clip).
 */
export const SizingSpecSchema = z
  .object({
    kind: z.literal(SPEC_KIND),
    version: z.literal(SPEC_VERSION),
    sizes: z.array(z.number().min(0).max(1)).min(2),
    window: z.number().int().positive(),
    observeFeatures: z.boolean(),
    clipObservation: z.number().positive(),
    columns: z.array(z.string()).min(1),
    standardization: z.custom<ScalerJson>((value) => typeof value === 'object' && value !== null),
    agent: z.custom<PpoModelJson>((value) => typeof value === 'object' && value !== null),
  })
  .strict();

export type SizingSpec = z.infer<typeof SizingSpecSchema>;

export function sizingSpec(fields: Omit<SizingSpec, 'kind' | 'version'>): SizingSpec {
  return { kind: SPEC_KIND, version: SPEC_VERSION, ...fields };
}

/** A parsed allocator, ready to act. */
export interface SizingAllocator {
  spec: SizingSpec;
  scaler: StandardScaler;
  agent: PPO;
}

/** Parses a stored allocator; anything malformed is a `ModelFormatError` naming the field. */
export function loadSizingAllocator(json: unknown): SizingAllocator {
  const parsed = SizingSpecSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelFormatError(`sizing allocator: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const spec = parsed.data;
  const scaler = StandardScaler.fromJSON(spec.standardization);
  if (scaler.center.length !== spec.columns.length)
    throw new ModelFormatError(
      `sizing allocator: standardization has ${scaler.center.length} columns, columns ${spec.columns.length}`,
    );
  const agent = PPO.fromJSON(spec.agent);
  const size = spec.window * spec.columns.length + 1;
  if (
    agent.observationSpace.size !== size ||
    agent.actionSpace.kind !== 'discrete' ||
    agent.actionSpace.n !== spec.sizes.length
  )
    throw new ModelFormatError(
      `sizing allocator: the agent does not match its spec (${size} observations, ${spec.sizes.length} actions)`,
    );
  return { spec, scaler, agent };
}

/** Names of the probability columns the allocator observes. */
export const probabilityColumnNames = (classes: readonly string[]): string[] => classes.map((c) => `p_${c}`);

/**
 * The allocator's input columns over a symbol's bars: the strategy's feature columns (when
 * observed) then the entry model's class probabilities, one column per class.
 */
export function sizingColumns(
  observeFeatures: boolean,
  featureColumns: readonly Float64Array[],
  probabilityColumns: readonly Float64Array[],
): Float64Array[] {
  return [...(observeFeatures ? featureColumns : []), ...probabilityColumns];
}

/**
 * The entry model's class probabilities at bars `[from, to)` as columns over `n` bars (NaN
 * elsewhere, and where a feature is not finite: such a row has no prediction, like a row the
 * trainer drops).
 */
export function entryProbabilityColumns(
  model: Classifier,
  featureColumns: readonly Float64Array[],
  numClasses: number,
  n: number,
  from: number,
  to: number,
): Float64Array[] {
  const d = featureColumns.length;
  const out = Array.from({ length: numClasses }, () => new Float64Array(n).fill(Number.NaN));
  const rows: number[] = [];
  for (let t = Math.max(0, from); t < to; t++)
    if (featureColumns.every((column) => Number.isFinite(column[t]!))) rows.push(t);
  if (rows.length === 0) return out;
  const X = new Float64Array(rows.length * d);
  rows.forEach((t, i) => {
    for (let j = 0; j < d; j++) X[i * d + j] = featureColumns[j]![t]!;
  });
  const proba = model.predictProba({ data: X, rows: rows.length, cols: d });
  rows.forEach((t, i) => {
    for (let k = 0; k < numClasses; k++) out[k]![t] = proba[i * numClasses + k]!;
  });
  return out;
}

/** A hybrid decision: the entry model's direction, the allocator's size, and their product. */
export interface HybridDecision {
  /** The entry rule's decision on the class probabilities (direction −1, 0 or 1). */
  entry: PositionDecision;
  /** The allocator's deterministic action (the most probable one). */
  action: number;
  /** `sizes[action]`. */
  size: number;
  /** The target position: direction × size, filled at the next open. */
  position: number;
  /** The allocator's probability of each size. */
  probabilities: Float64Array;
}

/**
 * THE hybrid rule, called for every out-of-sample bar of the backtest and by `predict`: the
 * direction from the one position rule on the class probabilities of bar `t`, the allocator's
 * action on the standardised window of rows ending at `t` (columns from {@link sizingColumns}),
 * the position from `sizedPosition`. Uses columns at bars ≤ t only.
 */
export function hybridDecision(
  allocator: SizingAllocator,
  columns: readonly Float64Array[],
  probabilityColumns: readonly Float64Array[],
  t: number,
  classes: ClassMeaning,
  rule: PositionRule,
  symbol: string,
): HybridDecision {
  const { spec, scaler, agent } = allocator;
  if (columns.length !== spec.columns.length)
    throw new InvalidParameterError(
      'columns',
      columns.length,
      `expected the allocator's ${spec.columns.length} columns`,
    );
  const from = t - spec.window + 1;
  if (from < 0) throw new NotEnoughDataError(`${symbol} bars for the sizing window`, spec.window, t + 1);
  const probabilities = Float64Array.from(probabilityColumns, (column) => column[t]!);
  const entry = decidePosition(probabilities, classes, rule);
  const rows = standardizedFeatureRows(scaler, columns, from, t + 1, spec.clipObservation);
  for (let k = 0; k < rows.length; k++)
    if (!Number.isFinite(rows[k]!))
      throw new ValidationError(`${symbol} sizing observation`, [
        {
          row: from + Math.floor(k / columns.length),
          field: spec.columns[k % columns.length],
          reason: 'not finite (features warming up, or no entry prediction)',
        },
      ]);
  const prediction = agent.predict(sizingObservation(rows, entry.position));
  const action = prediction.action as number;
  return {
    entry,
    action,
    size: spec.sizes[action]!,
    position: sizedPosition(entry.position, spec.sizes, action),
    probabilities: prediction.probabilities!,
  };
}

/**
 * The live path of a hybrid strategy on the last bar of `bars`: the entry model's probabilities
 * over the last `window` bars (features of bars up to t only), then {@link hybridDecision}.
 */
export function predictHybrid(
  model: Classifier,
  allocator: SizingAllocator,
  bars: Bars,
  featureColumns: readonly Float64Array[],
  classes: ClassMeaning,
  rule: PositionRule,
): HybridDecision {
  const n = bars.time.length;
  const { window, observeFeatures } = allocator.spec;
  const probabilityColumns = entryProbabilityColumns(model, featureColumns, classes.numClasses, n, n - window, n);
  return hybridDecision(
    allocator,
    sizingColumns(observeFeatures, featureColumns, probabilityColumns),
    probabilityColumns,
    n - 1,
    classes,
    rule,
    bars.symbol,
  );
}
