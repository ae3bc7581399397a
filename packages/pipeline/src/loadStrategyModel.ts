import { type Classifier, ModelFormatError } from '@candlelab/core';
import type { FeatureSet } from '@candlelab/features';
import { type LabelClasses, labelClasses } from '@candlelab/labels';
import type { PpoModelJson } from '@candlelab/ppo';
import type { LoadedModel, Manifest, ModelStore } from '@candlelab/registry';
import { loadSizingAllocator, SIZING_FILE, type SizingAllocator } from './hybridSizing.js';
import { loadModel } from './modelStage.js';
import { ppoModelConfig } from './ppoModelConfig.js';
import { PPO_ENV_FILE } from './ppoPredict.js';
import { parseStrategy, type StrategyConfig } from './strategyConfig.js';
import { strategyFeatureSet } from './strategyDataset.js';

/** What every registered model carries: the strategy it was trained and backtested with. */
interface StrategyModelBase {
  id: string;
  manifest: Manifest;
  metrics: Record<string, number>;
  /** The model's stored `config.yaml`, parsed: its features, labels and position rule. */
  strategy: StrategyConfig;
  featureSet: FeatureSet;
  /** The strategy's backtest section: the probability → position rule and the costs. */
  rule: StrategyConfig['backtest'];
  /** The other stored files (out-of-sample predictions, …), verified by the store. */
  extraFiles: LoadedModel['extraFiles'];
}

/** A classifier, with the hybrid sizing allocator when the strategy has a `sizing:` section. */
export interface ClassifierStrategyModel extends StrategyModelBase {
  kind: 'classifier';
  classifier: Classifier;
  /** Class names and which index means up / down. */
  classes: LabelClasses;
  sizing?: SizingAllocator;
}

/** A PPO agent: a single-asset trader or a portfolio allocator, with its stored environment spec. */
export interface PpoStrategyModel extends StrategyModelBase {
  kind: 'ppo';
  env: 'trading' | 'portfolio';
  agent: PpoModelJson;
  /** The parsed `ppo_env.json` (checked by the predictor that uses it). */
  envSpec: unknown;
}

export type StrategyModel = ClassifierStrategyModel | PpoStrategyModel;

const json = (file: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(file));

/**
 * Loads a registered model with everything it was trained and backtested with (every artifact
 * verified by the store): its stored `config.yaml` through `parseStrategy`, then the classifier
 * (and the sizing allocator of a hybrid) or the PPO agent with its environment spec. The one
 * loader behind `predictSignal` and the server, so both act exactly as the backtest did.
 */
export async function loadStrategyModel(store: ModelStore, id: string): Promise<StrategyModel> {
  const stored = await store.load(id);
  const modelId = stored.manifest.id;
  const strategy = parseStrategy(stored.config, `${modelId}/config.yaml`);
  const base: StrategyModelBase = {
    id: modelId,
    manifest: stored.manifest,
    metrics: stored.metrics,
    strategy,
    featureSet: strategyFeatureSet(strategy),
    rule: strategy.backtest,
    extraFiles: stored.extraFiles,
  };
  if (strategy.model.kind === 'ppo') {
    const file = stored.extraFiles[PPO_ENV_FILE];
    if (!file) throw new ModelFormatError(`${modelId}: ${PPO_ENV_FILE} is missing, so the agent cannot act`);
    return {
      ...base,
      kind: 'ppo',
      env: ppoModelConfig(strategy).env.kind,
      agent: stored.model as unknown as PpoModelJson,
      envSpec: json(file),
    };
  }
  const model: ClassifierStrategyModel = {
    ...base,
    kind: 'classifier',
    classifier: await loadModel(stored.model),
    classes: labelClasses(strategy.labels),
  };
  if (!strategy.sizing) return model;
  const file = stored.extraFiles[SIZING_FILE];
  if (!file) throw new ModelFormatError(`${modelId}: ${SIZING_FILE} is missing, so the model cannot size`);
  return { ...model, sizing: loadSizingAllocator(json(file)) };
}
