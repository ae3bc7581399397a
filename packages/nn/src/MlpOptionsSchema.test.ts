import { InvalidParameterError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { MlpClassifier } from './MlpClassifier.js';
import { MlpOptionsSchema, resolveMlpClassifierOptions, resolveMlpOptions } from './MlpOptionsSchema.js';
import { MlpRegressor } from './MlpRegressor.js';

describe('MlpOptionsSchema', () => {
  it('fills every default (the ones the README documents)', () => {
    expect(resolveMlpOptions()).toEqual({
      hiddenLayers: [64, 64],
      activation: 'relu',
      dropout: 0,
      l2: 0,
      learningRate: 1e-3,
      learningRateSchedule: { kind: 'constant' },
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      batchSize: 64,
      epochs: 100,
      shuffle: true,
      earlyStopping: { patience: 10, minDelta: 0, restoreBestWeights: true },
      seed: 0,
    });
    expect(new MlpRegressor().options).toEqual(resolveMlpOptions());
  });

  it('completes a partial early-stopping object and keeps false', () => {
    expect(MlpOptionsSchema.parse({ earlyStopping: { patience: 5 } }).earlyStopping).toEqual({
      patience: 5,
      minDelta: 0,
      restoreBestWeights: true,
    });
    expect(resolveMlpOptions({ earlyStopping: false }).earlyStopping).toBe(false);
  });

  it('refuses bad and unknown options, naming them', () => {
    expect(() => resolveMlpOptions({ earlyStopping: { patience: 0 } })).toThrow(InvalidParameterError);
    expect(() => resolveMlpOptions({ earlyStopping: { patience: 0 } })).toThrow(/earlyStopping\.patience/);
    expect(() => resolveMlpOptions({ hiddenLayers: [8, 0] })).toThrow(/hiddenLayers\.1/);
    expect(() => resolveMlpOptions({ learningRateSchedule: { kind: 'step', stepSize: 0, gamma: 0.5 } })).toThrow(
      /learningRateSchedule/,
    );
    expect(() => resolveMlpOptions({ hiddenLayer: [8] } as never)).toThrow(/hiddenLayer\b/);
    // Classifier-only options belong to the classifier's schema.
    expect(() => new MlpRegressor({ classWeight: 'balanced' } as never)).toThrow(/classWeight/);
    expect(resolveMlpClassifierOptions({ classWeight: [1, 2], numClasses: 2 })).toMatchObject({
      classWeight: [1, 2],
      numClasses: 2,
      hiddenLayers: [64, 64],
    });
    expect(() => new MlpClassifier({ numClasses: 1 })).toThrow(/numClasses/);
    expect(() => new MlpClassifier({ classWeight: [1, -1] })).toThrow(/classWeight\.1/);
  });
});
