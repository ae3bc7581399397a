import { vectorizedBacktest } from '@candlelab/backtest';
import { type Bars, ConfigError, sliceBars } from '@candlelab/core';
import { TradingEnv } from '@candlelab/env';
import { computeFeatures } from '@candlelab/features';
import { PPO } from '@candlelab/ppo';
import { universeDataYaml } from '@candlelab/test-utils';
import { rangesToIndices, type Split } from '@candlelab/validation';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SymbolSignals } from './backtestStage.js';
import { loadStrategyBars } from './loadStrategyBars.js';
import { type PpoModelConfigInput, PpoModelConfigSchema, ppoModelConfig } from './ppoModelConfig.js';
import { parsePpoEnvSpec, predictPpo } from './ppoPredict.js';
import { type PpoFolds, ppoStandardization, runPpoFolds, trainFinalPpo } from './ppoStage.js';
import { parseStrategy, type StrategyConfig } from './strategyConfig.js';
import { buildStrategyDataset, type StrategyDataset, strategyFeatureSet } from './strategyDataset.js';
import { strategySplits } from './strategySplits.js';

/** A small causal feature set: the agent's observations stay small, so the tests stay fast. */
const FEATURES = `features:
  name: ppo-test
  features:
    - { kind: returns, period: 1 }
    - { kind: returns, period: 4 }
    - { kind: returns, period: 24 }
    - { kind: indicator, id: rsi, params: { period: 14 } }
    - { kind: priceRelative, id: sma, params: { period: 48 } }
    - { kind: volumeRatio, period: 24 }`;

/**
 * A strategy as the YAML gives it, with `model` replaced by a PPO section (the strategy schema's
 * model union is where the lead lists `ppo`; until then the section is parsed here).
 */
function ppoStrategy(options: {
  symbols: string[];
  allowShort: boolean;
  model?: Partial<PpoModelConfigInput>;
  validationSize?: number;
}) {
  const config = parseStrategy(`name: ppo-test
seed: 11
${universeDataYaml(options.symbols)}
${FEATURES}
labels: { kind: forwardReturn, horizon: 4, target: binary }
model: { kind: gbdt }
validation: { method: walkForward, trainSize: 900, validationSize: ${options.validationSize ?? 200}, testSize: 300, gap: 4 }
backtest: { allowShort: ${options.allowShort}, feesBps: 10, slippageBps: 5 }
`);
  const model = PpoModelConfigSchema.parse({
    kind: 'ppo',
    totalTimesteps: 2048,
    seeds: 2,
    randomRuns: 5,
    env: { episodeLength: 256 },
    params: { numEnvs: 4, numSteps: 128, hiddenSizes: [32, 32] },
    ...options.model,
  });
  return { ...config, model: model as unknown as StrategyConfig['model'] };
}

async function strategyData(config: StrategyConfig, edit?: (bars: Bars) => Bars) {
  const loaded = await loadStrategyBars(config.data, config.data.symbols, '.');
  const bars = config.data.symbols.map((symbol) => {
    const b = loaded.get(symbol)!.bars;
    return edit ? edit(b) : b;
  });
  const data = buildStrategyDataset(config, bars);
  return { data, splits: strategySplits(config, data.dataset) };
}

/** The bar index of each signal (signals are a subset of the symbol's bars, in order). */
function barIndexOf(bars: Bars, times: Float64Array): Int32Array {
  let i = 0;
  return Int32Array.from(times, (t) => {
    while (bars.time[i]! < t) i++;
    return i;
  });
}

/**
 * Largest relative gap, over every fold's test window, between the equity of `TradingEnv` taking
 * the signals' positions as actions and a `vectorizedBacktest` of the same positions. Not zero:
 * the env sizes an entry so that notional × (1 + fee) is the cash, the vectorized engine so that
 * the notional is the equity (the fee paid from cash), so it holds (1 + fee) times the units — a
 * fee × trade-return effect per trade; and a long → short flip is one fill there, two in the env.
 */
function envEquityGap(bars: Bars, signals: SymbolSignals, allowShort: boolean): number {
  const at = barIndexOf(bars, signals.time);
  let worst = 0;
  for (const f of new Set(signals.fold)) {
    const rows = Array.from(signals.fold.keys()).filter((i) => signals.fold[i] === f);
    const first = at[rows[0]!]!;
    const last = at[rows[rows.length - 1]!]!;
    const window = sliceBars(bars, first, last + 2);
    const targets = new Float64Array(window.time.length);
    for (const i of rows) targets[at[i]! - first] = signals.positions[i]!;
    const backtest = vectorizedBacktest(window, targets, { feesBps: 10, slippageBps: 5 });
    const env = new TradingEnv({
      bars,
      features: new Float64Array(bars.time.length),
      featureNames: ['zero'],
      window: 1,
      allowShort,
      fee: 0.001,
      slippage: 0.0005,
      range: { start: first, end: last + 2 },
      randomStart: false,
    });
    env.reset();
    for (let j = 0; j <= last - first; j++) {
      // targetPosition actions: the position (+1 with shorts, whose action 0 is short).
      const { info } = env.step(targets[j]! + (allowShort ? 1 : 0));
      expect(info.position).toBe(targets[j]);
      worst = Math.max(worst, Math.abs(info.equity / backtest.equity[j + 1]! - 1));
    }
  }
  return worst;
}

/**
 * Replays `predictPpo` over every out-of-sample bar of symbol `s` — features of bars up to t
 * only, each fold's chosen agent, its own position (and entry fill) fed back — and expects the
 * walk-forward's positions and probabilities exactly.
 */
function expectReplayEqualsEvaluation(config: StrategyConfig, data: StrategyDataset, result: PpoFolds, s: number) {
  const signals = result.signals[s]!;
  const bars = data.bars[s]!;
  const at = barIndexOf(bars, signals.time);
  const features = computeFeatures(bars, strategyFeatureSet(config));
  const k = result.actions.length;
  for (const f of new Set(signals.fold)) {
    const { agent: json, envSpec } = result.models[f]!;
    const agent = PPO.fromJSON(json);
    const { spec } = parsePpoEnvSpec(envSpec);
    // Every fold's evaluation starts flat.
    let current = { position: 0, entryPrice: 0 };
    for (let i = 0; i < signals.time.length; i++) {
      if (signals.fold[i] !== f) continue;
      const t = at[i]!;
      const upToT = sliceBars(bars, 0, t + 1);
      const columns = features.columns.map((c) => c.subarray(0, t + 1));
      const live = predictPpo(agent, envSpec, upToT, { names: features.names, columns }, current);
      expect(live.time).toBe(signals.time[i]);
      expect(live.position).toBe(signals.positions[i]);
      expect(live.probabilities).toEqual(signals.proba.subarray(k * i, k * i + k));
      // The fill at the next open, as TradingEnv records the entry.
      if (live.position !== current.position)
        current = { position: live.position, entryPrice: bars.open[t + 1]! * (1 + live.position * spec.slippage) };
    }
  }
}

describe('PpoModelConfigSchema', () => {
  it('fills every default, from ppo for the hyper-parameters', () => {
    const model = PpoModelConfigSchema.parse({ kind: 'ppo' });
    expect(model.env).toEqual({
      kind: 'trading',
      actionScheme: 'targetPosition',
      window: 8,
      episodeLength: 512,
      reward: 'logReturn',
      clipObservation: 5,
    });
    expect(model.totalTimesteps).toBe(20_000);
    expect(model.seeds).toBe(3);
    expect(model.params.gamma).toBe(0.99);
    expect(model.params.hiddenSizes).toEqual([64, 64]);
    expect('seed' in model.params).toBe(false);
  });

  it('refuses unknown keys, a seed in params and minibatches that do not divide the batch', () => {
    expect(PpoModelConfigSchema.safeParse({ kind: 'ppo', params: { gama: 0.9 } }).success).toBe(false);
    expect(PpoModelConfigSchema.safeParse({ kind: 'ppo', params: { seed: 1 } }).success).toBe(false);
    const bad = PpoModelConfigSchema.safeParse({
      kind: 'ppo',
      params: { numEnvs: 3, numSteps: 10, numMinibatches: 4 },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['params', 'numMinibatches']);
  });

  it('ppoModelConfig names the model section of a strategy that is not PPO', () => {
    const notPpo = () => ppoModelConfig({ model: { kind: 'gbdt', params: {} } as never });
    expect(notPpo).toThrow(ConfigError);
    expect(notPpo).toThrow(/model\.kind/);
  });
});

describe('runPpoFolds, one symbol, long/flat', () => {
  const config = ppoStrategy({ symbols: ['BTC/USDT'], allowShort: false });
  let data: StrategyDataset;
  let splits: Split[];
  let result: PpoFolds;
  beforeAll(async () => {
    ({ data, splits } = await strategyData(config));
    result = await runPpoFolds(config, data, splits);
  }, 120_000);

  it('scores every test row once, with flat/long positions and action probabilities', () => {
    const [signals] = result.signals;
    const tested = splits.reduce((sum, split) => sum + rangesToIndices(split.test).length, 0);
    expect(result.signals).toHaveLength(1);
    expect(signals!.time.length).toBe(tested);
    expect(result.actions).toEqual(['flat', 'long']);
    expect(new Set(signals!.positions)).toEqual(new Set([0, 1]));
    for (let i = 0; i < signals!.time.length; i++) {
      const p = signals!.proba.subarray(2 * i, 2 * i + 2);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
      // The deterministic policy takes the more probable action; the position is that action.
      expect(signals!.positions[i]).toBe(p[1]! > p[0]! ? 1 : 0);
    }
    expect(Array.from(new Set(signals!.fold))).toEqual(splits.map((_, f) => f));
    expect(result.folds).toHaveLength(splits.length);
    for (const fold of result.folds) {
      expect(fold.seeds.map((s) => s.seed)).toEqual([11, 12]);
      expect([11, 12]).toContain(fold.chosenSeed);
      expect(fold.spread.sharpe.min).toBeLessThanOrEqual(fold.agent.sharpe);
      expect(fold.spread.sharpe.max).toBeGreaterThanOrEqual(fold.agent.sharpe);
      expect(fold.buyAndHold.trades).toBe(1);
    }
  });

  it('chooses the median-Sharpe seed on the validation rows (never by test results)', () => {
    for (const fold of result.folds) {
      const [a, b] = fold.seeds;
      // Two seeds: the lower median is the one with the lower selection Sharpe.
      const expected = a!.selectionSharpe <= b!.selectionSharpe ? a!.seed : b!.seed;
      expect(fold.chosenSeed).toBe(expected);
    }
  });

  it('repeats bit for bit with the same seed', async () => {
    const again = await runPpoFolds(config, data, splits);
    expect(again.signals[0]!.positions).toEqual(result.signals[0]!.positions);
    expect(again.signals[0]!.proba).toEqual(result.signals[0]!.proba);
    expect(again.folds).toEqual(result.folds);
  }, 120_000);

  it('a vectorized backtest of the positions reproduces the env equity of every fold', () => {
    // Measured 1.6e-4 (BTC/USDT 1h, 300-bar folds, flat/long); see envEquityGap.
    expect(envEquityGap(data.bars[0]!, result.signals[0]!, false)).toBeLessThan(5e-4);
  });

  it('predictPpo replayed bar by bar gives exactly the evaluation positions of each fold', () => {
    expectReplayEqualsEvaluation(config, data, result, 0);
  });

  it('standardises with the training rows only: changing the test bars leaves the statistics alone', async () => {
    const split = splits[0]!;
    const trainRows = rangesToIndices(split.train);
    const firstTest = data.barIndex[rangesToIndices(split.test)[0]!]!;
    const scaled = (bars: Bars) => {
      const copy = { ...bars, open: bars.open.slice(), high: bars.high.slice(), low: bars.low.slice() };
      const close = bars.close.slice();
      const volume = bars.volume.slice();
      for (let i = firstTest; i < close.length; i++) {
        for (const column of [copy.open, copy.high, copy.low, close]) column[i] = column[i]! * (1 + 0.3 * Math.sin(i));
        copy.high[i] = Math.max(copy.high[i]!, copy.open[i]!, close[i]!);
        copy.low[i] = Math.min(copy.low[i]!, copy.open[i]!, close[i]!);
        volume[i] = volume[i]! * 7;
      }
      return { ...copy, close, volume };
    };
    const edited = await strategyData(config, scaled);
    expect(edited.splits[0]).toEqual(split);
    const before = ppoStandardization(data, trainRows);
    const after = ppoStandardization(edited.data, trainRows);
    expect(after.center).toEqual(before.center);
    expect(after.scale).toEqual(before.scale);
    // …and the edit did reach the data: statistics over all rows do move.
    const allRows = Uint32Array.from(data.dataset.time.keys());
    expect(ppoStandardization(edited.data, allRows).center).not.toEqual(ppoStandardization(data, allRows).center);
    // The fold's agent (trained on its train rows, chosen on its validation rows) is the same agent.
    const rerun = await runPpoFolds(config, edited.data, edited.splits.slice(0, 1));
    expect(rerun.models[0]).toEqual(result.models[0]);
  });

  it('compares agent, buy-and-hold and random on the same windows', () => {
    const { oos } = result;
    for (const policy of [oos.agent, oos.buyAndHold, oos.random])
      for (const value of [policy.sharpe, policy.totalReturn, policy.maxDrawdown])
        expect(Number.isFinite(value)).toBe(true);
    expect(oos.seedSpread.totalReturn.min).toBeLessThanOrEqual(oos.seedSpread.totalReturn.max);
    // Buy-and-hold over the stitched windows: one entry per symbol, never flat.
    expect(oos.buyAndHold.trades).toBe(1);
  });
});

describe('runPpoFolds, two symbols with shorts', () => {
  const config = ppoStrategy({ symbols: ['ETH/USDT', 'SOL/USDT'], allowShort: true });

  it('trains one agent per fold on both symbols and trades both, short/flat/long', async () => {
    const { data, splits } = await strategyData(config);
    const result = await runPpoFolds(config, data, splits.slice(0, 2));
    expect(result.actions).toEqual(['short', 'flat', 'long']);
    expect(result.signals.map((s) => s.symbol)).toEqual(['ETH/USDT', 'SOL/USDT']);
    for (const signals of result.signals) {
      expect(new Set(signals.positions)).toEqual(new Set([-1, 0, 1]));
      expect(signals.proba.length).toBe(3 * signals.time.length);
    }
    expect(result.models).toHaveLength(2);
    // Measured 4.0e-4 (ETH) and 6.2e-4 (SOL) over two 300-bar folds with long ↔ short flips; see envEquityGap.
    result.signals.forEach((signals, s) => {
      expect(envEquityGap(data.bars[s]!, signals, true)).toBeLessThan(2e-3);
      expectReplayEqualsEvaluation(config, data, result, s);
    });
  }, 120_000);

  it('reads holdBuySell actions as the env does (the position depends on the path)', async () => {
    const stepping = ppoStrategy({
      symbols: ['ETH/USDT'],
      allowShort: true,
      model: { env: { actionScheme: 'holdBuySell', episodeLength: 256 } },
    });
    const { data, splits } = await strategyData(stepping);
    const result = await runPpoFolds(stepping, data, splits.slice(0, 2));
    expect(result.actions).toEqual(['hold', 'buy', 'sell']);
    expect(new Set(result.signals[0]!.positions)).toEqual(new Set([-1, 0, 1]));
    expectReplayEqualsEvaluation(stepping, data, result, 0);
    expect(parsePpoEnvSpec(result.models[0]!.envSpec).spec.allowShort).toBe(true);
  }, 120_000);

  it('refuses fewer training envs than symbols, naming the option', async () => {
    const few = ppoStrategy({
      symbols: ['ETH/USDT', 'SOL/USDT'],
      allowShort: true,
      model: { params: { numEnvs: 1, numSteps: 128, numMinibatches: 4 } },
    });
    const { data, splits } = await strategyData(few);
    await expect(runPpoFolds(few, data, splits.slice(0, 1))).rejects.toThrow(/model\.params\.numEnvs/);
  });
});

describe('runPpoFolds without validation rows', () => {
  it('chooses the seed on its training window, and three seeds give the middle one', async () => {
    const config = ppoStrategy({
      symbols: ['BTC/USDT'],
      allowShort: false,
      validationSize: 0,
      model: { seeds: 3 },
    });
    const { data, splits } = await strategyData(config);
    expect(splits[0]!.validation).toBeUndefined();
    const [fold] = (await runPpoFolds(config, data, splits.slice(0, 1))).folds;
    expect(fold!.validationRows).toBe(0);
    const sorted = [...fold!.seeds].sort((a, b) => a.selectionSharpe - b.selectionSharpe);
    expect(fold!.chosenSeed).toBe(sorted[1]!.seed);
  }, 120_000);
});

describe('trainFinalPpo', () => {
  it('trains the deployable agent on all rows but the held-out newest ones, and predicts the last bar', async () => {
    const config = ppoStrategy({ symbols: ['BTC/USDT'], allowShort: false });
    const { data, splits } = await strategyData(config);
    const final = await trainFinalPpo(config, data);
    const holdout = rangesToIndices(splits[splits.length - 1]!.validation!).length;
    expect(final.validationRows).toBe(holdout);
    expect(final.trainRows + final.validationRows).toBe(data.dataset.time.length);
    expect(final.seeds.map((s) => s.seed)).toEqual([11, 12]);
    const bars = data.bars[0]!;
    const features = computeFeatures(bars, strategyFeatureSet(config));
    const live = predictPpo(final.agent, JSON.parse(JSON.stringify(final.envSpec)), bars, features, { position: 0 });
    expect(live.time).toBe(bars.time[bars.time.length - 1]);
    expect([0, 1]).toContain(live.position);
    expect(() => predictPpo(final.agent, { ...final.envSpec, window: 0 }, bars, features, { position: 0 })).toThrow(
      /window/,
    );
    expect(() => predictPpo(final.agent, final.envSpec, bars, features, { position: 1 })).toThrow(/entryPrice/);
  }, 120_000);
});
