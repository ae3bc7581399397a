import {
  type Dataset,
  datasetMatrix,
  type FitOptions,
  InvalidParameterError,
  type Matrix,
  ModelFormatError,
  type ModelJson,
  NotEnoughDataError,
  NotFittedError,
  Rng,
  type Seed,
  validateDataset,
  validateMatrix,
} from '@candlelab/core';
import { version_core } from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ensureBackend, requireBackend } from './initBackend.js';
import { checkSchedule, type LearningRateSchedule } from './learningRateAt.js';
import { ACTIVATIONS, type Activation, type DenseLayer, glorotLayers, predictRaw } from './network.js';
import { applyScaler, fitScaler, type StandardScaler } from './scaler.js';
import {
  type EarlyStoppingOptions,
  type Loss,
  type TrainConfig,
  type TrainingHistory,
  type TrainingRows,
  trainNetwork,
} from './trainNetwork.js';

/** Options shared by {@link MlpClassifier} and {@link MlpRegressor}. */
export interface MlpOptions {
  /** Units of each hidden layer. Default `[64, 64]`. */
  hiddenLayers?: readonly number[];
  /** Hidden-layer activation. Default `'relu'`. */
  activation?: Activation;
  /** Dropout rate after each hidden layer, in [0, 1). Default 0. */
  dropout?: number;
  /** L2 penalty `l2 · Σ W²` on kernels (not biases), Keras's `kernel_regularizer=l2(l2)`. Default 0. */
  l2?: number;
  /** Adam's base learning rate. Default 0.001. */
  learningRate?: number;
  /** Learning rate by epoch. Default `{ kind: 'constant' }`. */
  learningRateSchedule?: LearningRateSchedule;
  /** Adam's β₁. Default 0.9. */
  beta1?: number;
  /** Adam's β₂. Default 0.999. */
  beta2?: number;
  /** Adam's ε. Default 1e-7 (Keras's). */
  epsilon?: number;
  /** Rows per mini-batch. Default 64. */
  batchSize?: number;
  /** Maximum passes over the training rows. Default 100. */
  epochs?: number;
  /** Reshuffle the rows every epoch. Default true. */
  shuffle?: boolean;
  /**
   * Early stopping on validation loss, active when `fit` gets `options.validation`; `false`
   * disables it. Default `{ patience: 10, minDelta: 0, restoreBestWeights: true }`.
   */
  earlyStopping?: EarlyStoppingOptions | false;
  /** Seed of weight initialisation, shuffling and dropout. Default 0. */
  seed?: Seed;
}

export type ResolvedMlpOptions = Required<Omit<MlpOptions, 'earlyStopping' | 'hiddenLayers'>> & {
  hiddenLayers: number[];
  earlyStopping: Required<EarlyStoppingOptions> | false;
};

/** What the model file records beside the weights. */
export interface MlpMetadata {
  featureNames: readonly string[];
  /** Backend the model was trained on. */
  backend: string;
  tfjsVersion: string;
  history: TrainingHistory;
}

/** A fitted network: plain-array weights, the input scaler and metadata. */
export interface MlpState {
  layers: DenseLayer[];
  scaler: StandardScaler;
  metadata: MlpMetadata;
}

const positive = (name: string, value: number) => {
  if (!(Number.isFinite(value) && value > 0))
    throw new InvalidParameterError(name, value, 'expected a finite number > 0');
  return value;
};
const integer = (name: string, value: number, min: number) => {
  if (!(Number.isInteger(value) && value >= min))
    throw new InvalidParameterError(name, value, `expected an integer >= ${min}`);
  return value;
};

/** Options with every default filled in, checked. */
export function resolveMlpOptions(options: MlpOptions): ResolvedMlpOptions {
  const hiddenLayers = [...(options.hiddenLayers ?? [64, 64])];
  hiddenLayers.forEach((units, l) => {
    integer(`hiddenLayers[${l}]`, units, 1);
  });
  const activation = options.activation ?? 'relu';
  if (!ACTIVATIONS.includes(activation))
    throw new InvalidParameterError('activation', activation, `expected one of ${ACTIVATIONS.join(', ')}`);
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new InvalidParameterError('dropout', dropout, 'expected a rate in [0, 1)');
  const l2 = options.l2 ?? 0;
  if (!(Number.isFinite(l2) && l2 >= 0)) throw new InvalidParameterError('l2', l2, 'expected a finite number >= 0');
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  if (!(beta1 >= 0 && beta1 < 1)) throw new InvalidParameterError('beta1', beta1, 'expected [0, 1)');
  if (!(beta2 >= 0 && beta2 < 1)) throw new InvalidParameterError('beta2', beta2, 'expected [0, 1)');
  const early = options.earlyStopping ?? {};
  return {
    hiddenLayers,
    activation,
    dropout,
    l2,
    learningRate: positive('learningRate', options.learningRate ?? 1e-3),
    learningRateSchedule: checkSchedule(options.learningRateSchedule ?? { kind: 'constant' }),
    beta1,
    beta2,
    epsilon: positive('epsilon', options.epsilon ?? 1e-7),
    batchSize: integer('batchSize', options.batchSize ?? 64, 1),
    epochs: integer('epochs', options.epochs ?? 100, 1),
    shuffle: options.shuffle ?? true,
    earlyStopping:
      early === false
        ? false
        : {
            patience: integer('earlyStopping.patience', early.patience ?? 10, 1),
            minDelta: early.minDelta ?? 0,
            restoreBestWeights: early.restoreBestWeights ?? true,
          },
    seed: options.seed ?? 0,
  };
}

/** Targets and weights a subclass derives from a dataset's labels. */
export interface EncodedTargets {
  targets: Float32Array;
  weights: Float32Array;
}

const WeightSchema = z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), data: z.string() });

/** The model file layout shared by both MLP kinds (checked after `checkModelJson`). */
export const MlpJsonSchema = z.object({
  kind: z.string(),
  version: z.number(),
  options: z.record(z.string(), z.unknown()),
  topology: z.object({
    inputSize: z.number().int().positive(),
    units: z.array(z.number().int().positive()),
    activation: z.enum(ACTIVATIONS),
  }),
  scaler: z.object({ mean: z.array(z.number()), scale: z.array(z.number()) }),
  weights: z.array(WeightSchema),
  metadata: z.object({
    featureNames: z.array(z.string()),
    backend: z.string(),
    tfjsVersion: z.string(),
    history: z.object({
      loss: z.array(z.number()),
      valLoss: z.array(z.number()).optional(),
      learningRate: z.array(z.number()),
      epochs: z.number(),
      bestEpoch: z.number(),
      stoppedEarly: z.boolean(),
    }),
  }),
});
export type MlpJson = z.infer<typeof MlpJsonSchema>;

function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function decodeFloat32(base64: string, expected: number, name: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== expected * 4)
    throw new ModelFormatError(`weight ${name} has ${bytes.length / 4} values, expected ${expected}`);
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * The multilayer perceptron both estimators share: standardises inputs on the training rows,
 * trains with {@link trainNetwork}, and holds its weights as plain arrays so that no tensor
 * outlives `fit` or `predict`.
 */
export abstract class Mlp {
  readonly options: ResolvedMlpOptions;
  protected state: MlpState | undefined;
  protected abstract readonly loss: Loss;

  protected constructor(options: MlpOptions) {
    this.options = resolveMlpOptions(options);
  }

  /** Width of the output layer (classes, or 1). */
  protected abstract outputSize(): number;
  /** Checks the labels and turns them into network targets and per-row weights. */
  protected abstract encodeTargets(dataset: Dataset, context: string): EncodedTargets;

  get isFitted(): boolean {
    return this.state !== undefined;
  }

  /** Training history of the last fit (or the loaded model's). */
  get history(): TrainingHistory {
    return this.fitted().metadata.history;
  }

  protected fitted(): MlpState {
    if (!this.state) throw new NotFittedError(this.constructor.name);
    return this.state;
  }

  /** Per-row weights: dataset weights (default 1) times `classFactor(label)`. */
  protected rowWeights(dataset: Dataset, classFactor?: (label: number) => number): Float32Array {
    const n = dataset.y.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (dataset.weights?.[i] ?? 1) * (classFactor ? classFactor(dataset.y[i]!) : 1);
    return out;
  }

  protected async fitNetwork(dataset: Dataset, options: FitOptions = {}): Promise<TrainingHistory> {
    const name = this.constructor.name;
    validateDataset(dataset, `${name}.fit dataset`);
    const { rows, cols } = datasetMatrix(dataset);
    if (rows === 0) throw new NotEnoughDataError(`${name}.fit training rows`, 1, 0);
    const scaler = fitScaler(dataset.X, rows, cols);
    const encoded = this.encodeTargets(dataset, `${name}.fit dataset`);
    const train: TrainingRows = { X: applyScaler(scaler, dataset.X, rows, cols), ...encoded, rows };
    let validation: TrainingRows | undefined;
    if (options.validation) {
      const v = options.validation;
      if (v.y.length === 0) throw new NotEnoughDataError(`${name}.fit validation rows`, 1, 0);
      validateDataset(v, `${name}.fit validation`);
      if (v.featureNames.length !== cols) {
        throw new InvalidParameterError(
          'validation.featureNames',
          v.featureNames,
          `validation has ${v.featureNames.length} features, training has ${cols}`,
        );
      }
      const encodedV = this.encodeTargets(v, `${name}.fit validation`);
      // Validation loss uses the rows' own weights only (class weights rebalance training, as in Keras).
      validation = {
        X: applyScaler(scaler, v.X, v.y.length, cols),
        targets: encodedV.targets,
        weights: this.rowWeights(v),
        rows: v.y.length,
      };
    }
    const backend = await ensureBackend();
    const o = this.options;
    const rng = new Rng(o.seed);
    const initial = glorotLayers([cols, ...o.hiddenLayers, this.outputSize()], rng.child('init'));
    const config: TrainConfig = { ...o, loss: this.loss };
    const hooks: { onProgress?: FitOptions['onProgress']; signal?: AbortSignal } = {};
    if (options.onProgress) hooks.onProgress = options.onProgress;
    if (options.signal) hooks.signal = options.signal;
    const { layers, history } = trainNetwork(initial, config, train, validation, rng.child('train'), hooks);
    this.state = {
      layers,
      scaler,
      metadata: { featureNames: [...dataset.featureNames], backend, tfjsVersion: version_core, history },
    };
    return history;
  }

  /** Raw network outputs (logits or scaled values) for `X`, `rows × outputSize`. */
  protected outputs(X: Matrix): Float32Array {
    const state = this.fitted();
    validateMatrix(X, state.layers[0]!.inputSize, `${this.constructor.name}.predict`);
    requireBackend();
    return predictRaw(
      state.layers,
      this.options.activation,
      applyScaler(state.scaler, X.data, X.rows, X.cols),
      X.rows,
      X.cols,
    );
  }

  /** The shared part of the model file; subclasses add their own fields. */
  protected baseJSON(kind: string, version: number): ModelJson & MlpJson {
    const state = this.fitted();
    return {
      kind,
      version,
      options: { ...this.options, hiddenLayers: [...this.options.hiddenLayers] },
      topology: {
        inputSize: state.layers[0]!.inputSize,
        units: state.layers.map((l) => l.units),
        activation: this.options.activation,
      },
      scaler: { mean: [...state.scaler.mean], scale: [...state.scaler.scale] },
      weights: state.layers.flatMap((layer, l) => [
        { name: `dense_${l}/kernel`, shape: [layer.inputSize, layer.units], data: encodeFloat32(layer.kernel) },
        { name: `dense_${l}/bias`, shape: [layer.units], data: encodeFloat32(layer.bias) },
      ]),
      metadata: {
        ...state.metadata,
        featureNames: [...state.metadata.featureNames],
        history: structuredClone(state.metadata.history),
      },
    };
  }

  /** Restores weights, scaler and metadata from a parsed model file. */
  protected restore(json: MlpJson): void {
    const { topology } = json;
    const sizes = [topology.inputSize, ...topology.units];
    if (json.weights.length !== 2 * topology.units.length) {
      throw new ModelFormatError(
        `model has ${json.weights.length} weight tensors, topology needs ${2 * topology.units.length}`,
      );
    }
    if (json.scaler.mean.length !== topology.inputSize || json.scaler.scale.length !== topology.inputSize) {
      throw new ModelFormatError(`scaler has ${json.scaler.mean.length} features, topology has ${topology.inputSize}`);
    }
    const layers = topology.units.map((units, l): DenseLayer => {
      const inputSize = sizes[l]!;
      const kernel = json.weights[2 * l]!;
      const bias = json.weights[2 * l + 1]!;
      return {
        inputSize,
        units,
        kernel: decodeFloat32(kernel.data, inputSize * units, kernel.name),
        bias: decodeFloat32(bias.data, units, bias.name),
      };
    });
    const history: TrainingHistory = { ...json.metadata.history };
    if (history.valLoss === undefined) delete history.valLoss;
    this.state = {
      layers,
      scaler: { mean: Float64Array.from(json.scaler.mean), scale: Float64Array.from(json.scaler.scale) },
      metadata: { ...json.metadata, history },
    };
  }
}

/** Parses a model file's common layout; throws {@link ModelFormatError} on a malformed file. */
export function parseMlpJson(json: ModelJson): MlpJson {
  const result = MlpJsonSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ModelFormatError(`malformed ${json.kind} model at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

/** Options from a model file, re-checked; throws {@link ModelFormatError} when they are invalid. */
export function optionsFromJson(json: MlpJson): MlpOptions {
  const options = json.options as MlpOptions;
  try {
    resolveMlpOptions(options);
  } catch (error) {
    throw new ModelFormatError(`model options are invalid: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return options;
}
