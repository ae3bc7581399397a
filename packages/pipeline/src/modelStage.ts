import { type Classifier, InvalidParameterError, ModelFormatError } from '@candlelab/core';
import { Gbdt, GbdtEnsemble } from '@candlelab/gbdt';
import { initBackend, MlpClassifier } from '@candlelab/nn';
import type { StrategyConfig } from './strategyConfig.js';

type ModelConfig = StrategyConfig['model'];

/**
 * A fresh, unfitted classifier for the configured model. The objective follows the labels
 * (binary or multiclass) and every model is seeded from the strategy seed (plus the fold, so
 * folds differ reproducibly).
 */
export function createModel(config: ModelConfig, numClasses: number, seed: number): Classifier {
  const objective =
    numClasses === 2
      ? ({ objective: 'binary' } as const)
      : ({ objective: 'multiclass', numClass: numClasses } as const);
  switch (config.kind) {
    case 'gbdt':
      return new Gbdt({ ...config.params, ...objective, seed });
    case 'ensemble': {
      if (!config.members) {
        return GbdtEnsemble.xgboostLightgbmPair({ ...objective, seed });
      }
      const members = config.members.map((params, i) => new Gbdt({ ...params, ...objective, seed: seed + i }));
      return new GbdtEnsemble(members, config.weights);
    }
    case 'nn': {
      const { backend: _backend, ...params } = config.params;
      return new MlpClassifier({ ...params, numClasses, seed });
    }
    case 'ppo':
      throw new InvalidParameterError(
        'model.kind',
        'ppo',
        'a PPO strategy trains agents (runPpoFolds), not a classifier',
      );
  }
}

/** Starts what the model needs before `createModel` (the TensorFlow.js backend for `nn`). */
export async function prepareModelRuntime(config: ModelConfig): Promise<void> {
  if (config.kind === 'nn')
    await initBackend(config.params.backend === undefined ? {} : { backend: config.params.backend });
}

/** Loads a stored model file of any kind this pipeline trains. */
export async function loadModel(json: unknown): Promise<Classifier> {
  const kind = typeof json === 'object' && json !== null ? (json as { kind?: unknown }).kind : undefined;
  if (kind === Gbdt.kind) return Gbdt.fromJSON(json);
  if (kind === GbdtEnsemble.kind) return GbdtEnsemble.fromJSON(json);
  if (kind === 'candlelab.nn.mlp-classifier') {
    await initBackend({});
    return MlpClassifier.fromJSON(json);
  }
  throw new ModelFormatError(
    `cannot load a model of kind '${String(kind)}' (expected gbdt, gbdt-ensemble or an MLP classifier)`,
  );
}
