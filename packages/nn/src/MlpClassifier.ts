import {
  type Classifier,
  checkModelJson,
  type Dataset,
  type FitOptions,
  InvalidParameterError,
  type Matrix,
  ModelFormatError,
  ValidationError,
  type ValidationIssue,
} from '@candlelab/core';
import { type EncodedTargets, Mlp, type MlpJson, optionsFromJson, parseMlpJson } from './Mlp.js';
import {
  type MlpClassifierOptionsInput,
  type ResolvedMlpClassifierOptions,
  resolveMlpClassifierOptions,
} from './MlpOptionsSchema.js';
import type { TrainingHistory } from './trainNetwork.js';

/** Model-file kind and format version of {@link MlpClassifier}. */
export const MLP_CLASSIFIER_KIND = 'candlelab.nn.mlp-classifier';
/** Version 2: the history's `loss`/`valLoss` are unweighted; version 1 files still load. */
export const MLP_CLASSIFIER_VERSION = 2;

/**
 * A multilayer-perceptron classifier on TensorFlow.js: softmax output, (class-weighted)
 * cross-entropy, Adam, dropout, L2 and early stopping with best-weights restore. Implements
 * core's `Classifier`; `fit` resolves to the training history.
 */
export class MlpClassifier extends Mlp implements Classifier<TrainingHistory> {
  protected readonly loss = 'crossEntropy' as const;
  private readonly classWeight: ResolvedMlpClassifierOptions['classWeight'];
  private readonly requestedClasses: number | undefined;
  private classes: number;

  constructor(options: MlpClassifierOptionsInput = {}) {
    const { numClasses, classWeight, ...shared } = resolveMlpClassifierOptions(options);
    super(shared);
    this.classWeight = classWeight;
    this.requestedClasses = numClasses;
    this.classes = numClasses ?? 0;
  }

  /** Number of classes (known after fit, or from options). */
  get numClasses(): number {
    return this.classes;
  }

  protected outputSize(): number {
    return this.classes;
  }

  async fit(dataset: Dataset, options?: FitOptions): Promise<TrainingHistory> {
    let max = 0;
    for (let i = 0; i < dataset.y.length; i++)
      if (dataset.y[i]! > max && Number.isFinite(dataset.y[i]!)) max = dataset.y[i]!;
    this.classes = this.requestedClasses ?? Math.max(2, Math.floor(max) + 1);
    return this.fitNetwork(dataset, options);
  }

  protected encodeTargets(dataset: Dataset, context: string): EncodedTargets {
    const K = this.classes;
    const n = dataset.y.length;
    const issues: ValidationIssue[] = [];
    const counts = new Float64Array(K);
    for (let i = 0; i < n && issues.length < 20; i++) {
      const label = dataset.y[i]!;
      if (Number.isInteger(label) && label >= 0 && label < K) counts[label]!++;
      else issues.push({ row: i, field: 'y', reason: `label ${label} is not a class index in [0, ${K - 1}]` });
    }
    if (issues.length > 0) throw new ValidationError(context, issues);
    const targets = new Float32Array(n * K);
    for (let i = 0; i < n; i++) targets[i * K + dataset.y[i]!] = 1;
    const classWeight = this.classWeight;
    let factors: Float64Array | undefined;
    if (classWeight === 'balanced') factors = Float64Array.from(counts, (c) => (c > 0 ? n / (K * c) : 0));
    else if (classWeight) {
      if (classWeight.length !== K)
        throw new InvalidParameterError(
          'classWeight',
          classWeight,
          `has ${classWeight.length} weights for ${K} classes`,
        );
      factors = Float64Array.from(classWeight);
    }
    return { targets, weights: this.rowWeights(dataset, factors ? (label) => factors[label]! : undefined) };
  }

  /** Class probabilities, row-major `rows × numClasses` (softmax of the output layer). */
  predictProba(X: Matrix): Float64Array {
    const logits = this.outputs(X);
    const K = this.classes;
    const out = new Float64Array(logits.length);
    for (let i = 0; i < X.rows; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) max = Math.max(max, logits[i * K + k]!);
      let total = 0;
      for (let k = 0; k < K; k++) total += out[i * K + k] = Math.exp(logits[i * K + k]! - max);
      for (let k = 0; k < K; k++) out[i * K + k]! /= total;
    }
    return out;
  }

  /** The most likely class per row. */
  predict(X: Matrix): Float64Array {
    const proba = this.predictProba(X);
    const K = this.classes;
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (proba[i * K + k]! > proba[i * K + best]!) best = k;
      out[i] = best;
    }
    return out;
  }

  toJSON(): MlpJson & { numClasses: number; classWeight: 'balanced' | number[] | null } {
    return {
      ...this.baseJSON(MLP_CLASSIFIER_KIND, MLP_CLASSIFIER_VERSION),
      numClasses: this.classes,
      classWeight:
        this.classWeight === undefined ? null : this.classWeight === 'balanced' ? 'balanced' : [...this.classWeight],
    };
  }

  /** Loads a model written by {@link MlpClassifier.toJSON}; checks kind and version. */
  static fromJSON(input: unknown): MlpClassifier {
    const json = parseMlpJson(checkModelJson(input, MLP_CLASSIFIER_KIND, MLP_CLASSIFIER_VERSION));
    const record = input as Record<string, unknown>;
    const numClasses = record.numClasses;
    if (typeof numClasses !== 'number' || numClasses !== json.topology.units[json.topology.units.length - 1]) {
      throw new ModelFormatError(`numClasses ${String(numClasses)} does not match the output layer`);
    }
    const classWeight = record.classWeight;
    const options: MlpClassifierOptionsInput = { ...optionsFromJson(json), numClasses };
    if (classWeight === 'balanced' || (Array.isArray(classWeight) && classWeight.every((w) => typeof w === 'number')))
      options.classWeight = classWeight;
    const model = new MlpClassifier(options);
    model.restore(json);
    return model;
  }
}
