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
    objective: z
      .enum(OBJECTIVES)
      .default('binary')
      .describe(
        'Training objective: regression (squared error), binary (log-loss) or multiclass (softmax); default binary.',
      ),
    /** LightGBM `num_class`, XGBoost `num_class`; default: largest label + 1 (multiclass only). */
    numClass: z
      .number()
      .int()
      .min(2)
      .optional()
      .describe('Number of classes for multiclass (LightGBM num_class); default: largest label + 1.'),
    /** Growth policy; default `'leafwise'`. XGBoost `grow_policy` (`lossguide` / `depthwise`). */
    growPolicy: z
      .enum(GROW_POLICIES)
      .default('leafwise')
      .describe(
        'leafwise splits the leaf with the largest gain next (LightGBM); depthwise splits level by level (XGBoost); default leafwise.',
      ),
    /** LightGBM `num_leaves`, XGBoost `max_leaves`; default 31 (leafwise) or `2^maxDepth` (depthwise). */
    numLeaves: z
      .number()
      .int()
      .min(2)
      .max(65536)
      .optional()
      .describe('Maximum leaves per tree (num_leaves); default 31 (leafwise) or 2^maxDepth (depthwise).'),
    /** LightGBM `max_depth`, XGBoost `max_depth`; default unlimited (leafwise) or 6 (depthwise). */
    maxDepth: positiveInt
      .optional()
      .describe('Maximum tree depth (max_depth); default unlimited (leafwise) or 6 (depthwise).'),
    /** `learning_rate` / `eta`; default 0.1. */
    learningRate: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.1)
      .describe("Shrinkage of each tree's contribution (learning_rate / eta); default 0.1."),
    /** `n_estimators` / `num_boost_round` (rounds; multiclass grows one tree per class per round); default 100. */
    nEstimators: positiveInt
      .default(100)
      .describe('Boosting rounds (n_estimators; multiclass grows one tree per class per round); default 100.'),
    /** LightGBM `max_bin`, XGBoost `max_bin`; default 255 (at most 255; NaN gets its own extra bin). */
    maxBins: z
      .number()
      .int()
      .min(2)
      .max(255)
      .default(255)
      .describe('Histogram bins per feature (max_bin; NaN gets its own extra bin); default 255.'),
    /** Rows sampled to find bin edges (LightGBM `bin_construct_sample_cnt`); default 200,000. */
    binSampleSize: positiveInt
      .default(200_000)
      .describe('Rows sampled to find bin edges (bin_construct_sample_cnt); default 200000.'),
    /** LightGBM `min_data_in_leaf`; default 20. */
    minDataInLeaf: positiveInt.default(20).describe('Minimum rows in a leaf (min_data_in_leaf); default 20.'),
    /** LightGBM `min_sum_hessian_in_leaf`, XGBoost `min_child_weight`; default 1e-3. */
    minSumHessianInLeaf: z
      .number()
      .min(0)
      .default(1e-3)
      .describe('Minimum sum of hessians in a leaf (min_sum_hessian_in_leaf / min_child_weight); default 0.001.'),
    /** LightGBM `lambda_l1`, XGBoost `alpha`; default 0. */
    lambdaL1: z.number().min(0).default(0).describe('L1 regularisation of leaf values (lambda_l1 / alpha); default 0.'),
    /** LightGBM `lambda_l2`, XGBoost `lambda` (XGBoost's default is 1); default 0. */
    lambdaL2: z
      .number()
      .min(0)
      .default(0)
      .describe('L2 regularisation of leaf values (lambda_l2 / lambda); default 0.'),
    /** LightGBM `min_gain_to_split`, XGBoost `gamma` (times 2: XGBoost halves the gain); default 0. */
    minGainToSplit: z
      .number()
      .min(0)
      .default(0)
      .describe('Minimum loss reduction to make a split (min_gain_to_split); default 0.'),
    /** Row fraction drawn afresh each round (`subsample` / `bagging_fraction` with `bagging_freq=1`); default 1. */
    subsample: fraction
      .default(1)
      .describe('Fraction of rows drawn afresh each round (bagging_fraction with bagging_freq 1); default 1.'),
    /** Feature fraction per tree (`colsample_bytree` / `feature_fraction`); default 1. */
    colsampleByTree: fraction
      .default(1)
      .describe('Fraction of features per tree (feature_fraction / colsample_bytree); default 1.'),
    /** Feature fraction per split search (`colsample_bynode` / `feature_fraction_bynode`); default 1. */
    colsampleByNode: fraction
      .default(1)
      .describe('Fraction of features per split search (colsample_bynode); default 1.'),
    /**
     * Build histograms from stochastically rounded, packed integer gradients (LightGBM
     * `use_quantized_grad`): one addition per row and feature instead of two; split choice
     * becomes approximate, leaf values stay exact; default false.
     */
    quantizedGradients: z
      .boolean()
      .default(false)
      .describe(
        'Histograms from stochastically rounded integer gradients (use_quantized_grad): faster, approximate splits; default false.',
      ),
    /** Stop when the validation metric has not improved for this many rounds (`early_stopping_rounds`); default off. */
    earlyStoppingRounds: positiveInt
      .optional()
      .describe(
        'Stop when the validation metric has not improved for this many rounds (early_stopping_rounds); default off.',
      ),
    /** Validation metric (`eval_metric` / `metric`); default `rmse`, `logloss` or `mlogloss` by objective. */
    metric: z
      .enum(EVAL_METRICS)
      .optional()
      .describe('Validation metric for early stopping; default rmse, logloss or mlogloss by objective.'),
    /** Initial raw score (`base_score` / `init_score`); default from the data (mean, log-odds, log class priors). */
    baseScore: z
      .number()
      .optional()
      .describe('Initial raw score (base_score); default from the data (mean, log-odds or log class priors).'),
    /**
     * Threads that build histograms and partition rows (`nthread` / `num_threads`): the calling
     * thread plus `threads - 1` workers on a shared WebAssembly memory; default 1. The model depends
     * on the thread count only through the order of floating-point sums (same seed and threads →
     * same model, bit for bit). Needs SharedArrayBuffer and a thread that may block: Node, or a
     * cross-origin-isolated browser page's Worker.
     */
    threads: positiveInt
      .max(256)
      .default(1)
      .describe(
        'Threads that build histograms (num_threads); the model is the same bits for the same seed and threads; default 1.',
      ),
    /** Seed of bagging, column sampling and bin sampling; default 0. */
    seed: z
      .union([z.number().int().min(0), z.string()])
      .default(0)
      .describe('Seed of bagging, column and bin sampling; default 0.'),
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
