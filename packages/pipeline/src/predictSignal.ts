import { type Bars, InvalidParameterError, StoreError } from '@candlelab/core';
import { tradingActionNames } from '@candlelab/env';
import { computeFeatures } from '@candlelab/features';
import type { Manifest, ModelStore } from '@candlelab/registry';
import { predictHybrid } from './hybridSizing.js';
import { loadStrategyBars } from './loadStrategyBars.js';
import { loadStrategyModel, type PpoStrategyModel } from './loadStrategyModel.js';
import { commonTimeBars, predictPortfolio } from './portfolioStage.js';
import { ppoModelConfig, tradingPpoModelConfig } from './ppoModelConfig.js';
import { replayPpo } from './ppoPredict.js';
import { type LatestPrediction, predictLatest } from './predictLatest.js';
import type { LoadedStrategy } from './strategyConfig.js';
import { strategyBars } from './strategyDataset.js';

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
  /**
   * Hybrid strategies (`sizing:`): the entry rule's direction, the allocator's size and the
   * position direction × size (what the backtest held), with the allocator's probability of each size.
   */
  sizing?: { direction: number; size: number; position: number; sizes: number[]; probabilities: Float64Array };
  /** Portfolio allocators: the target weight of every symbol and of cash (`probabilities` holds them too, `classes` names them). */
  weights?: Record<string, number>;
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
  const model = await loadStrategyModel(store, id);
  const trainedOn = modelSymbols(model.manifest);
  if (!trainedOn.includes(symbol))
    throw new InvalidParameterError(
      'symbol',
      symbol,
      `model ${model.id} was trained on ${trainedOn.join(', ')}, not ${symbol}; train a model for ${symbol} or choose another model`,
    );
  // Features, labels and the position rule are the ones the model was trained and backtested with.
  const trained = model.strategy;
  if (model.kind === 'ppo' && model.env === 'portfolio') {
    const all = await loadStrategyBars(strategy.config.data, trainedOn, strategy.baseDir);
    const assets = commonTimeBars(trainedOn.map((s) => strategyBars(trained, all.get(s)!.bars)));
    return predictPortfolioSignal(model, assets, symbol);
  }
  const loadedBars = await loadStrategyBars(strategy.config.data, [symbol], strategy.baseDir);
  const bars = strategyBars(trained, loadedBars.get(symbol)!.bars);
  if (model.kind === 'ppo') return predictPpoSignal(model, bars);
  const { classifier, classes, featureSet, rule, sizing } = model;
  const prediction = predictLatest(classifier, bars, featureSet, classes, rule, model.id);
  if (!sizing) return { ...prediction, model: model.manifest, classes: classes.classes };
  const hybrid = predictHybrid(classifier, sizing, bars, computeFeatures(bars, featureSet).columns, classes, rule);
  const action = hybrid.position > 0 ? 'buy' : hybrid.position < 0 ? 'sell' : 'hold';
  return {
    ...prediction,
    signal: { ...prediction.signal, action, size: hybrid.size },
    model: model.manifest,
    classes: classes.classes,
    sizing: {
      direction: hybrid.entry.position,
      size: hybrid.size,
      position: hybrid.position,
      sizes: sizing.spec.sizes,
      probabilities: hybrid.probabilities,
    },
  };
}

/**
 * A PPO agent's signal: its action on the last bar, with every action's probability, after
 * replaying its own positions from flat over the last episode length of bars (`replayPpo`).
 */
function predictPpoSignal(model: PpoStrategyModel, bars: Bars): PredictedSignal {
  const { env } = tradingPpoModelConfig(model.strategy);
  const decision = replayPpo(
    model.agent,
    model.envSpec,
    bars,
    computeFeatures(bars, model.featureSet),
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
    signal: { time: decision.time, symbol: bars.symbol, action, confidence: probability, source: model.id },
    model: model.manifest,
    classes: tradingActionNames(env.actionScheme, model.rule.allowShort),
  };
}

/**
 * A portfolio allocator's signal for one of its symbols: the agent replayed from all cash over
 * the last episode length of common bars (`predictPortfolio`), every weight returned; the
 * symbol's signal is a buy sized at its weight (a hold at weight 0).
 */
function predictPortfolioSignal(model: PpoStrategyModel, assets: readonly Bars[], symbol: string): PredictedSignal {
  const { env } = ppoModelConfig(model.strategy);
  const decision = predictPortfolio(model.agent, model.envSpec, assets, { replayBars: env.episodeLength });
  const k = assets.findIndex((a) => a.symbol === symbol);
  const weight = decision.weights[k]!;
  const action = weight > 0 ? 'buy' : 'hold';
  return {
    time: decision.time,
    symbol,
    probabilities: decision.weights,
    decision: { position: weight > 0 ? 1 : 0, action, confidence: weight },
    missingFeatures: [],
    signal: { time: decision.time, symbol, action, confidence: weight, size: weight, source: model.id },
    model: model.manifest,
    classes: decision.columns,
    weights: Object.fromEntries(decision.columns.map((name, j) => [name, decision.weights[j]!])),
  };
}
