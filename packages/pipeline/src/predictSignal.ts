import { type Bars, InvalidParameterError, ModelFormatError, StoreError } from '@candlelab/core';
import { computeFeatures } from '@candlelab/features';
import { labelClasses } from '@candlelab/labels';
import type { PpoModelJson } from '@candlelab/ppo';
import type { LoadedModel, Manifest, ModelStore } from '@candlelab/registry';
import { loadStrategyBars } from './loadStrategyBars.js';
import { loadModel } from './modelStage.js';
import { ppoModelConfig } from './ppoModelConfig.js';
import { PPO_ENV_FILE, ppoActionNames, replayPpo } from './ppoPredict.js';
import { type LatestPrediction, predictLatest } from './predictLatest.js';
import { type LoadedStrategy, parseStrategy, type StrategyConfig } from './strategyConfig.js';
import { strategyBars, strategyFeatureSet } from './strategyDataset.js';

export interface PredictSignalOptions {
  /** The strategy whose data section says where candles come from (store first, then source). */
  strategy: LoadedStrategy;
  /** Where the models are. */
  store: ModelStore;
  /** Symbol to predict; default the first of the strategy's `data.symbols`. */
  symbol?: string;
  /** A model id; default the newest model of the strategy trained on `symbol` (alone or in a universe). */
  modelId?: string;
}

export interface PredictedSignal extends LatestPrediction {
  /** The model that predicted. */
  model: Manifest;
  /** Class names in probability order. */
  classes: readonly string[];
}

/** The symbols a model was trained on (a universe model is registered as `A/B+C/D`). */
export const modelSymbols = (manifest: Pick<Manifest, 'symbol'>): string[] => manifest.symbol.split('+');

/**
 * `candlelab predict` as a function: the strategy's newest model for the symbol (or the one
 * named), its stored config's features, labels and position rule, the latest bars loaded store
 * first and prepared as in training (resampled when the config says so) → `predictLatest`. A
 * model never predicts a symbol it was not trained on.
 */
export async function predictSignal(options: PredictSignalOptions): Promise<PredictedSignal> {
  const { strategy, store } = options;
  const symbol = options.symbol ?? strategy.config.data.symbols[0]!;
  let id = options.modelId;
  if (id === undefined) {
    const candidates = (await store.list({ strategy: strategy.config.name })).filter((m) =>
      modelSymbols(m).includes(symbol),
    );
    const newest = candidates.reduce<Manifest | undefined>(
      (best, m) =>
        best === undefined ||
        m.createdAt > best.createdAt ||
        (m.createdAt === best.createdAt && m.version > best.version)
          ? m
          : best,
      undefined,
    );
    if (!newest)
      throw new StoreError(
        `no model of strategy ${strategy.config.name} trained on ${symbol} in ${store.location}: run candlelab train first`,
      );
    id = newest.id;
  }
  const stored = await store.load(id);
  const trainedOn = modelSymbols(stored.manifest);
  if (!trainedOn.includes(symbol))
    throw new InvalidParameterError(
      'symbol',
      symbol,
      `model ${stored.manifest.id} was trained on ${trainedOn.join(', ')}, not ${symbol}; train a model for ${symbol} or choose another model`,
    );
  // Features, labels and the position rule are the ones the model was trained and backtested with.
  const trained = parseStrategy(stored.config, `${stored.manifest.id}/config.yaml`);
  const loadedBars = await loadStrategyBars(strategy.config.data, [symbol], strategy.baseDir);
  const bars = strategyBars(trained, loadedBars.get(symbol)!.bars);
  if (trained.model.kind === 'ppo') return predictPpoSignal(stored, trained, bars);
  const classes = labelClasses(trained.labels);
  const model = await loadModel(stored.model);
  const prediction = predictLatest(
    model,
    bars,
    strategyFeatureSet(trained),
    classes,
    trained.backtest,
    stored.manifest.id,
  );
  return { ...prediction, model: stored.manifest, classes: classes.classes };
}

/**
 * A PPO agent's signal: its action on the last bar, with every action's probability, after
 * replaying its own positions from flat over the last episode length of bars (`replayPpo`).
 */
function predictPpoSignal(stored: LoadedModel, trained: StrategyConfig, bars: Bars): PredictedSignal {
  const file = stored.extraFiles[PPO_ENV_FILE];
  if (!file) throw new ModelFormatError(`${stored.manifest.id}: ${PPO_ENV_FILE} is missing, so the agent cannot act`);
  const envSpec: unknown = JSON.parse(new TextDecoder().decode(file));
  const { env } = ppoModelConfig(trained);
  const decision = replayPpo(
    stored.model as unknown as PpoModelJson,
    envSpec,
    bars,
    computeFeatures(bars, strategyFeatureSet(trained)),
    env.episodeLength,
  );
  const probability = decision.probabilities[decision.action] ?? 0;
  const action = decision.position > 0 ? 'buy' : decision.position < 0 ? 'sell' : 'hold';
  return {
    time: decision.time,
    symbol: bars.symbol,
    probabilities: decision.probabilities,
    decision: { position: decision.position as -1 | 0 | 1, action, confidence: probability },
    missingFeatures: [],
    signal: { time: decision.time, symbol: bars.symbol, action, confidence: probability, source: stored.manifest.id },
    model: stored.manifest,
    classes: ppoActionNames(env.actionScheme, trained.backtest.allowShort),
  };
}
