import {
  checkModelJson,
  type Dataset,
  type Estimator,
  type FitOptions,
  type Matrix,
  ModelFormatError,
} from '@candlelab/core';
import { type EncodedTargets, Mlp, type MlpJson, optionsFromJson, parseMlpJson } from './Mlp.js';
import { type MlpOptionsInput, resolveMlpOptions } from './MlpOptionsSchema.js';
import type { TrainingHistory } from './trainNetwork.js';

/** Model-file kind and format version of {@link MlpRegressor}. */
export const MLP_REGRESSOR_KIND = 'candlelab.nn.mlp-regressor';
/** Version 2: the history's `loss`/`valLoss` are unweighted; version 1 files still load. */
export const MLP_REGRESSOR_VERSION = 2;

/**
 * A multilayer-perceptron regressor on TensorFlow.js: linear output, (weighted) mean squared
 * error, Adam, dropout, L2 and early stopping with best-weights restore. The target is
 * standardised on the training rows and predictions are mapped back. Implements core's
 * `Estimator`; `fit` resolves to the training history.
 */
export class MlpRegressor extends Mlp implements Estimator<TrainingHistory> {
  protected readonly loss = 'mse' as const;
  private targetMean = 0;
  private targetScale = 1;

  constructor(options: MlpOptionsInput = {}) {
    super(resolveMlpOptions(options));
  }

  protected outputSize(): number {
    return 1;
  }

  async fit(dataset: Dataset, options?: FitOptions): Promise<TrainingHistory> {
    const n = dataset.y.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += dataset.y[i]!;
    mean /= Math.max(1, n);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (dataset.y[i]! - mean) ** 2;
    const std = Math.sqrt(ss / Math.max(1, n));
    this.targetMean = Number.isFinite(mean) ? mean : 0;
    this.targetScale = std > 1e-12 && Number.isFinite(std) ? std : 1;
    return this.fitNetwork(dataset, options);
  }

  protected encodeTargets(dataset: Dataset): EncodedTargets {
    const targets = Float32Array.from(dataset.y, (y) => (y - this.targetMean) / this.targetScale);
    return { targets, weights: this.rowWeights(dataset) };
  }

  /** The predicted value per row, in the target's units. */
  predict(X: Matrix): Float64Array {
    const raw = this.outputs(X);
    return Float64Array.from(raw, (v) => v * this.targetScale + this.targetMean);
  }

  toJSON(): MlpJson & { target: { mean: number; scale: number } } {
    return {
      ...this.baseJSON(MLP_REGRESSOR_KIND, MLP_REGRESSOR_VERSION),
      target: { mean: this.targetMean, scale: this.targetScale },
    };
  }

  /** Loads a model written by {@link MlpRegressor.toJSON}; checks kind and version. */
  static fromJSON(input: unknown): MlpRegressor {
    const json = parseMlpJson(checkModelJson(input, MLP_REGRESSOR_KIND, MLP_REGRESSOR_VERSION));
    const target = (input as { target?: unknown }).target;
    if (typeof target !== 'object' || target === null)
      throw new ModelFormatError('regressor model has no target scaler');
    const { mean, scale } = target as Record<string, unknown>;
    if (!(typeof mean === 'number' && Number.isFinite(mean)))
      throw new ModelFormatError(`target.mean is ${String(mean)}, expected a finite number`);
    if (!(typeof scale === 'number' && Number.isFinite(scale) && scale > 0))
      throw new ModelFormatError(`target.scale is ${String(scale)}, expected a finite number > 0`);
    if (json.topology.units[json.topology.units.length - 1] !== 1)
      throw new ModelFormatError('regressor output layer must have 1 unit');
    const model = new MlpRegressor(optionsFromJson(json));
    model.targetMean = mean;
    model.targetScale = scale;
    model.restore(json);
    return model;
  }
}
