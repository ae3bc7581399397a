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
  validateDataset,
  validateMatrix,
} from '@candlelab/core';
import { version_core } from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ensureBackend, requireBackend } from './initBackend.js';
import { type MlpOptionsInput, type ResolvedMlpOptions, resolveMlpOptions } from './MlpOptionsSchema.js';
import { ACTIVATIONS, type DenseLayer, glorotLayers, predictRaw } from './network.js';
import { applyScaler, fitScaler, type StandardScaler } from './scaler.js';
import { type Loss, type TrainConfig, type TrainingHistory, type TrainingRows, trainNetwork } from './trainNetwork.js';

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
      weightedLoss: z.array(z.number()).optional(),
      weightedValLoss: z.array(z.number()).optional(),
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
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ModelFormatError(`weight ${name}[${bad}] is ${out[bad]}, expected a finite number`);
  return out;
}

/**
 * The training history of a model file. Format version 1 recorded only the weighted losses, under
 * the names `loss`/`valLoss`: they become `weightedLoss`/`weightedValLoss`, and `loss` is empty.
 */
function restoreHistory(json: MlpJson): TrainingHistory {
  const { loss, valLoss, weightedLoss, weightedValLoss, ...rest } = json.metadata.history;
  if (json.version === 1)
    return { ...rest, loss: [], weightedLoss: loss, ...(valLoss ? { weightedValLoss: valLoss } : {}) };
  if (!weightedLoss) throw new ModelFormatError('metadata.history.weightedLoss is missing');
  return {
    ...rest,
    loss,
    weightedLoss,
    ...(valLoss ? { valLoss } : {}),
    ...(weightedValLoss ? { weightedValLoss } : {}),
  };
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

  protected constructor(options: ResolvedMlpOptions) {
    this.options = options;
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
    const raw = predictRaw(
      state.layers,
      this.options.activation,
      applyScaler(state.scaler, X.data, X.rows, X.cols),
      X.rows,
      X.cols,
    );
    // The inputs are finite (checked above): a non-finite output can only come from parameters that
    // overflow (e.g. a hand-edited scaler mean of 1e308). Such a model never answers NaN: it is refused.
    for (let i = 0; i < raw.length; i++)
      if (!Number.isFinite(raw[i]!))
        throw new ModelFormatError(
          `${this.constructor.name}: output ${i % state.layers[state.layers.length - 1]!.units} of row ${Math.floor(i / state.layers[state.layers.length - 1]!.units)} is not finite for finite inputs: the model's parameters overflow (a damaged or hand-edited model file?)`,
        );
    return raw;
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
    json.scaler.scale.forEach((scale, c) => {
      // A zero, negative or infinite scale would turn every prediction into NaN, ±Infinity or 0.
      if (!(Number.isFinite(scale) && scale > 0))
        throw new ModelFormatError(`scaler.scale[${c}] is ${scale}, expected a finite number > 0`);
      if (!Number.isFinite(json.scaler.mean[c]!))
        throw new ModelFormatError(`scaler.mean[${c}] is ${json.scaler.mean[c]}, expected a finite number`);
    });
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
    const history = restoreHistory(json);
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
export function optionsFromJson(json: MlpJson): ResolvedMlpOptions {
  try {
    return resolveMlpOptions(json.options as MlpOptionsInput);
  } catch (error) {
    throw new ModelFormatError(`model options are invalid: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
