import { InvalidParameterError } from '@candlelab/core';
import { z } from 'zod';
import { LearningRateScheduleSchema } from './learningRateAt.js';
import { ACTIVATIONS } from './network.js';

const positiveInt = z.number().int().positive();

/**
 * Early stopping on validation loss (Keras's `EarlyStopping` callback), active when `fit` gets
 * `options.validation`. It monitors the training objective on the validation rows — their own
 * sample weights, plus the L2 penalty — which the history records as `weightedValLoss`.
 */
export const EarlyStoppingSchema = z
  .object({
    /** Epochs without improvement before stopping; default 10. */
    patience: positiveInt
      .default(10)
      .describe('Epochs without improvement of the validation loss before stopping; default 10.'),
    /** Smallest decrease of the monitored loss that counts as an improvement; default 0. */
    minDelta: z
      .number()
      .min(0)
      .default(0)
      .describe('Smallest decrease of the validation loss that counts as an improvement; default 0.'),
    /** Restore the weights of the epoch with the best monitored loss; default true. */
    restoreBestWeights: z
      .boolean()
      .default(true)
      .describe('Restore the weights of the epoch with the best validation loss; default true.'),
  })
  .strict();

/**
 * Options of {@link MlpRegressor} and the options {@link MlpClassifier} shares with it — the one
 * place their defaults live. A strategy file's `model.kind: nn` params are composed from it.
 */
export const MlpOptionsSchema = z
  .object({
    /** Units of each hidden layer; default `[64, 64]`. */
    hiddenLayers: z
      .array(positiveInt)
      .readonly()
      .default([64, 64])
      .describe('Units of each hidden layer; default [64, 64].'),
    /** Hidden-layer activation; default `'relu'`. */
    activation: z.enum(ACTIVATIONS).default('relu').describe('Hidden-layer activation; default relu.'),
    /** Dropout rate after each hidden layer, in [0, 1); default 0. */
    dropout: z
      .number()
      .min(0)
      .lt(1)
      .default(0)
      .describe('Dropout rate after each hidden layer, a fraction in [0, 1); default 0.'),
    /** L2 penalty `l2 · Σ W²` on kernels (not biases), Keras's `kernel_regularizer=l2(l2)`; default 0. */
    l2: z
      .number()
      .min(0)
      .default(0)
      .describe("L2 penalty l2 · ΣW² on kernels (not biases), as Keras's kernel_regularizer; default 0."),
    /** Adam's base learning rate; default 0.001. */
    learningRate: z.number().positive().default(1e-3).describe("Adam's base learning rate; default 0.001."),
    /** Learning rate by epoch; default `{ kind: 'constant' }`. */
    learningRateSchedule: LearningRateScheduleSchema.default({ kind: 'constant' }).describe(
      'Learning rate by epoch; default constant.',
    ),
    /** Adam's β₁, in [0, 1); default 0.9. */
    beta1: z.number().min(0).lt(1).default(0.9).describe("Adam's β1, in [0, 1); default 0.9."),
    /** Adam's β₂, in [0, 1); default 0.999. */
    beta2: z.number().min(0).lt(1).default(0.999).describe("Adam's β2, in [0, 1); default 0.999."),
    /** Adam's ε; default 1e-7 (Keras's). */
    epsilon: z.number().positive().default(1e-7).describe("Adam's ε; default 1e-7 (Keras's)."),
    /** Rows per mini-batch; default 64. */
    batchSize: positiveInt.default(64).describe('Rows per mini-batch; default 64.'),
    /** Maximum passes over the training rows; default 100. */
    epochs: positiveInt.default(100).describe('Maximum passes over the training rows; default 100.'),
    /** Reshuffle the rows every epoch; default true. */
    shuffle: z.boolean().default(true).describe('Reshuffle the rows every epoch; default true.'),
    /**
     * Early stopping, active when `fit` gets `options.validation`; `false` disables it. Default
     * `{ patience: 10, minDelta: 0, restoreBestWeights: true }`; give only the fields to change,
     * e.g. `{ patience: 5 }`.
     */
    earlyStopping: z
      .union([z.literal(false), EarlyStoppingSchema])
      .prefault({})
      .describe(
        'Early stopping on the validation rows (false disables it); give only the fields to change, e.g. { patience: 5 }.',
      ),
    /** Seed of weight initialisation, shuffling and dropout (a non-negative integer or a string); default 0. */
    seed: z
      .union([z.number().int().min(0), z.string()])
      .default(0)
      .describe('Seed of weight initialisation, shuffling and dropout; default 0.'),
  })
  .strict();

/** Options of {@link MlpClassifier}: the shared {@link MlpOptionsSchema} plus the classifier's own. */
export const MlpClassifierOptionsSchema = MlpOptionsSchema.extend({
  /** Number of classes; labels are integers `0 … numClasses−1`. Default: largest training label + 1 (at least 2). */
  numClasses: z.number().int().min(2).optional(),
  /**
   * Weight of each class in the training loss: `'balanced'` (`n / (numClasses · count_k)`, as
   * scikit-learn), one weight ≥ 0 per class, or undefined for equal weights. Default undefined.
   */
  classWeight: z.union([z.literal('balanced'), z.array(z.number().min(0)).readonly()]).optional(),
}).strict();

/** Options as written by a user (every field optional). */
export type MlpOptionsInput = z.input<typeof MlpOptionsSchema>;
/** Options with every default filled in. */
export type ResolvedMlpOptions = z.output<typeof MlpOptionsSchema>;
/** Classifier options as written by a user (every field optional). */
export type MlpClassifierOptionsInput = z.input<typeof MlpClassifierOptionsSchema>;
/** Classifier options with every default filled in. */
export type ResolvedMlpClassifierOptions = z.output<typeof MlpClassifierOptionsSchema>;
/** Early stopping as written by a user (every field optional). */
export type EarlyStoppingOptions = z.input<typeof EarlyStoppingSchema>;
/** Early stopping with every default filled in. */
export type ResolvedEarlyStopping = z.output<typeof EarlyStoppingSchema>;

/** For a union (e.g. `earlyStopping: false | {…}`), the issue of the branch that got furthest, with its full path. */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const deepest = issue.errors
    .flat()
    .reduce<z.core.$ZodIssue | undefined>(
      (best, i) => (best && best.path.length >= i.path.length ? best : i),
      undefined,
    );
  return deepest && deepest.path.length > 0
    ? innermost({ ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue)
    : issue;
}

/** Parses options against `schema`, throwing {@link InvalidParameterError} naming the first bad option (e.g. `earlyStopping.patience`). */
function parseOptions<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = innermost(result.error.issues[0]!);
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  let value: unknown = input;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as never)[key] : undefined;
  throw new InvalidParameterError(path.map(String).join('.') || 'options', value, issue.message);
}

/** The MLP options with every default filled in; throws {@link InvalidParameterError} naming a bad option. */
export function resolveMlpOptions(input: MlpOptionsInput = {}): ResolvedMlpOptions {
  return parseOptions(MlpOptionsSchema, input);
}

/** The classifier options with every default filled in; throws {@link InvalidParameterError} naming a bad option. */
export function resolveMlpClassifierOptions(input: MlpClassifierOptionsInput = {}): ResolvedMlpClassifierOptions {
  return parseOptions(MlpClassifierOptionsSchema, input);
}
