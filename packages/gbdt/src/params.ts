import { InvalidParameterError } from '@candlelab/core';
import { z } from 'zod';

/** Training objectives: squared-error regression, binary log-loss, multiclass softmax (LightGBM names). */
export const OBJECTIVES = ['regression', 'binary', 'multiclass'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** Evaluation metrics for early stopping and history (XGBoost/LightGBM names). */
export const EVAL_METRICS = ['rmse', 'mae', 'logloss', 'error', 'auc', 'mlogloss', 'merror'] as const;
export type EvalMetric = (typeof EVAL_METRICS)[number];

/**
 * Tree growth: `leafwise` splits the leaf with the largest gain next (LightGBM, XGBoost
 * `grow_policy="lossguide"`); `depthwise` splits level by level (XGBoost's default).
 */
export const GROW_POLICIES = ['leafwise', 'depthwise'] as const;
export type GrowPolicy = (typeof GROW_POLICIES)[number];

const positiveInt = z.number().int().positive();
const fraction = z.number().gt(0).lte(1);

/**
 * Hyper-parameters of {@link Gbdt}. Defaults follow LightGBM unless noted; the comment gives
 * the LightGBM / XGBoost name of each.
 */
export const GbdtParamsSchema = z
  .object({
    /** `objective`; default `'binary'`. */
    objective: z.enum(OBJECTIVES).default('binary'),
    /** LightGBM `num_class`, XGBoost `num_class`; default: largest label + 1 (multiclass only). */
    numClass: z.number().int().min(2).optional(),
    /** Growth policy; default `'leafwise'`. XGBoost `grow_policy` (`lossguide` / `depthwise`). */
    growPolicy: z.enum(GROW_POLICIES).default('leafwise'),
    /** LightGBM `num_leaves`, XGBoost `max_leaves`; default 31 (leafwise) or `2^maxDepth` (depthwise). */
    numLeaves: z.number().int().min(2).max(65536).optional(),
    /** LightGBM `max_depth`, XGBoost `max_depth`; default unlimited (leafwise) or 6 (depthwise). */
    maxDepth: positiveInt.optional(),
    /** `learning_rate` / `eta`; default 0.1. */
    learningRate: z.number().gt(0).lte(1).default(0.1),
    /** `n_estimators` / `num_boost_round` (rounds; multiclass grows one tree per class per round); default 100. */
    nEstimators: positiveInt.default(100),
    /** LightGBM `max_bin`, XGBoost `max_bin`; default 255 (at most 255; NaN gets its own extra bin). */
    maxBins: z.number().int().min(2).max(255).default(255),
    /** Rows sampled to find bin edges (LightGBM `bin_construct_sample_cnt`); default 200,000. */
    binSampleSize: positiveInt.default(200_000),
    /** LightGBM `min_data_in_leaf`; default 20. */
    minDataInLeaf: positiveInt.default(20),
    /** LightGBM `min_sum_hessian_in_leaf`, XGBoost `min_child_weight`; default 1e-3. */
    minSumHessianInLeaf: z.number().min(0).default(1e-3),
    /** LightGBM `lambda_l1`, XGBoost `alpha`; default 0. */
    lambdaL1: z.number().min(0).default(0),
    /** LightGBM `lambda_l2`, XGBoost `lambda` (XGBoost's default is 1); default 0. */
    lambdaL2: z.number().min(0).default(0),
    /** LightGBM `min_gain_to_split`, XGBoost `gamma` (times 2: XGBoost halves the gain); default 0. */
    minGainToSplit: z.number().min(0).default(0),
    /** Row fraction drawn afresh each round (`subsample` / `bagging_fraction` with `bagging_freq=1`); default 1. */
    subsample: fraction.default(1),
    /** Feature fraction per tree (`colsample_bytree` / `feature_fraction`); default 1. */
    colsampleByTree: fraction.default(1),
    /** Feature fraction per split search (`colsample_bynode` / `feature_fraction_bynode`); default 1. */
    colsampleByNode: fraction.default(1),
    /**
     * Build histograms from stochastically rounded, packed integer gradients (LightGBM
     * `use_quantized_grad`): one addition per row and feature instead of two; split choice
     * becomes approximate, leaf values stay exact; default false.
     */
    quantizedGradients: z.boolean().default(false),
    /** Stop when the validation metric has not improved for this many rounds (`early_stopping_rounds`); default off. */
    earlyStoppingRounds: positiveInt.optional(),
    /** Validation metric (`eval_metric` / `metric`); default `rmse`, `logloss` or `mlogloss` by objective. */
    metric: z.enum(EVAL_METRICS).optional(),
    /** Initial raw score (`base_score` / `init_score`); default from the data (mean, log-odds, log class priors). */
    baseScore: z.number().optional(),
    /**
     * Threads that build histograms and partition rows (`nthread` / `num_threads`): the calling
     * thread plus `threads - 1` workers on a shared WebAssembly memory; default 1. The model depends
     * on the thread count only through the order of floating-point sums (same seed and threads →
     * same model, bit for bit). Needs SharedArrayBuffer and a thread that may block: Node, or a
     * cross-origin-isolated browser page's Worker.
     */
    threads: positiveInt.max(256).default(1),
    /** Seed of bagging, column sampling and bin sampling; default 0. */
    seed: z.union([z.number().int().min(0), z.string()]).default(0),
  })
  .strict();

/** Options accepted by the {@link Gbdt} constructor (every field optional). */
export type GbdtParamsInput = z.input<typeof GbdtParamsSchema>;
/** Parsed parameters with defaults filled in. */
export type GbdtParams = z.output<typeof GbdtParamsSchema>;

/** Parses parameters, throwing {@link InvalidParameterError} that names the first offending parameter. */
export function parseGbdtParams(input: unknown): GbdtParams {
  const result = GbdtParamsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.code === 'unrecognized_keys' ? String(issue.keys[0]) : issue.path.map(String).join('.') || 'params';
  const value = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : input;
  throw new InvalidParameterError(key, value, issue.message);
}

/** The metric used when none is given. */
export function defaultMetric(objective: Objective): EvalMetric {
  return objective === 'regression' ? 'rmse' : objective === 'binary' ? 'logloss' : 'mlogloss';
}
