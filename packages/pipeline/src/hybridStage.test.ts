import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bars, copyBars, sliceBars } from '@candlelab/core';
import { computeFeatures } from '@candlelab/features';
import { openModelStore } from '@candlelab/registry';
import { universeDataYaml } from '@candlelab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestOutOfSample } from './backtestStage.js';
import { loadSizingAllocator, predictHybrid, SizingConfigSchema } from './hybridSizing.js';
import { type HybridFolds, runHybridFolds } from './hybridStage.js';
import { loadStrategyBars } from './loadStrategyBars.js';
import { predictSignal } from './predictSignal.js';
import { loadStrategy, parseStrategy, type StrategyConfig } from './strategyConfig.js';
import { buildStrategyDataset, type StrategyDataset, strategyFeatureSet } from './strategyDataset.js';
import { strategySplits } from './strategySplits.js';
import { trainStrategy } from './trainStrategy.js';
import { runStrategyFolds, type StrategyFolds } from './walkForwardStage.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-hybrid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A hybrid strategy: a small GBDT decides entries, a tiny PPO allocator sizes them. */
const yaml = (symbols: readonly string[]) => `name: hybrid-test
seed: 5
${universeDataYaml(symbols)}
features:
  name: hybrid-test
  features:
    - { kind: returns, period: 1 }
    - { kind: returns, period: 24 }
    - { kind: indicator, id: rsi, params: { period: 14 } }
labels: { kind: forwardReturn, horizon: 4, target: binary }
model: { kind: gbdt, params: { nEstimators: 15, numLeaves: 7, minDataInLeaf: 30 } }
sizing:
  kind: ppo
  sizes: [0, 0.5, 1]
  window: 3
  episodeLength: 128
  totalTimesteps: 1024
  params: { numEnvs: 2, numSteps: 128, hiddenSizes: [16] }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 4, workers: 1 }
backtest: { entryThreshold: 0.5 }
importance: { enabled: false }
gates: [trades >= 1]
registry: { root: models }
`;

interface Run {
  data: StrategyDataset;
  folds: StrategyFolds;
  hybrid: HybridFolds;
}

async function run(config: StrategyConfig, edit?: (bars: Bars) => Bars, folds?: number): Promise<Run> {
  const loaded = await loadStrategyBars(config.data, config.data.symbols, '.');
  const data = buildStrategyDataset(
    config,
    config.data.symbols.map((s) => (edit ? edit(loaded.get(s)!.bars) : loaded.get(s)!.bars)),
  );
  const splits = strategySplits(config, data.dataset).slice(0, folds);
  const strategyFolds = await runStrategyFolds(config, data, splits);
  const entries = backtestOutOfSample(config, data, strategyFolds.walkForward);
  const hybrid = await runHybridFolds(config, data, splits, strategyFolds.models, entries.signals);
  return { data, folds: strategyFolds, hybrid };
}

describe('sizing: schema', () => {
  it('fills the defaults and refuses sizing beside a ppo model or unordered sizes', () => {
    const sizing = SizingConfigSchema.parse({ kind: 'ppo' });
    expect(sizing).toMatchObject({
      sizes: [0, 0.25, 0.5, 0.75, 1],
      window: 4,
      observeFeatures: true,
      episodeLength: 512,
      clipObservation: 5,
      totalTimesteps: 20_000,
    });
    expect(sizing.params.hiddenSizes).toEqual([64, 64]);
    expect(SizingConfigSchema.safeParse({ kind: 'ppo', sizes: [1, 0.5] }).success).toBe(false);
    expect(() => parseStrategy(yaml(['BTC/USDT']).replace('model: { kind: gbdt', 'model: { kind: ppo'))).toThrow();
    expect(() =>
      parseStrategy(
        yaml(['BTC/USDT']).replace(
          'model: { kind: gbdt, params: { nEstimators: 15, numLeaves: 7, minDataInLeaf: 30 } }',
          'model: { kind: ppo }',
        ),
      ),
    ).toThrow(/sizes itself/);
  });
});

describe('runHybridFolds, two symbols', () => {
  const config = parseStrategy(yaml(['ETH/USDT', 'SOL/USDT']));
  let first: Run;
  beforeAll(async () => {
    first = await run(config);
  }, 120_000);

  it('sizes every entry: position = direction × one of the sizes, flat where the rule is flat', () => {
    const entries = backtestOutOfSample(config, first.data, first.folds.walkForward).signals;
    first.hybrid.signals.forEach((x, s) => {
      const entry = entries[s]!;
      expect(x.time).toEqual(entry.time);
      for (let i = 0; i < x.time.length; i++) {
        const size = first.hybrid.sizes[s]![i]!;
        expect([0, 0.5, 1]).toContain(size);
        expect(x.positions[i]).toBe(entry.positions[i]! * size);
      }
    });
    // The allocator does not always pick one size.
    expect(new Set(first.hybrid.sizes.flatMap((s) => Array.from(s))).size).toBeGreaterThan(1);
  });

  it('predictHybrid on bars up to t (features of those bars only) gives the backtested position on every OOS bar', () => {
    const featureSet = strategyFeatureSet(config);
    let checked = 0;
    first.hybrid.signals.forEach((x, s) => {
      const bars = first.data.bars[s]!;
      let t = 0;
      for (let i = 0; i < x.time.length; i++) {
        while (bars.time[t]! < x.time[i]!) t++;
        const upToT = sliceBars(bars, 0, t + 1);
        const allocator = loadSizingAllocator(JSON.parse(JSON.stringify(first.hybrid.allocators[x.fold[i]!])));
        const live = predictHybrid(
          first.folds.models[x.fold[i]!]!,
          allocator,
          upToT,
          computeFeatures(upToT, featureSet).columns,
          first.data.labels,
          config.backtest,
        );
        expect(live.position).toBe(x.positions[i]);
        expect(live.size).toBe(first.hybrid.sizes[s]![i]);
        expect(live.probabilities).toEqual(first.hybrid.sizeProbabilities[s]!.subarray(3 * i, 3 * i + 3));
        checked++;
      }
    });
    expect(checked).toBe(first.hybrid.signals.reduce((sum, x) => sum + x.time.length, 0));
  });

  it('repeats bit for bit with the same seed', async () => {
    const again = await run(config);
    expect(again.hybrid.allocators).toEqual(first.hybrid.allocators);
    again.hybrid.signals.forEach((x, s) => {
      expect(x.positions).toEqual(first.hybrid.signals[s]!.positions);
      expect(again.hybrid.sizeProbabilities[s]).toEqual(first.hybrid.sizeProbabilities[s]);
    });
  }, 120_000);

  it('has no lookahead: changing every bar after t leaves every position up to t unchanged', async () => {
    const x = first.hybrid.signals[0]!;
    // A bar inside the second fold's test window.
    const second = x.fold.indexOf(1);
    const cutTime = x.time[second + 100]!;
    const edit = (bars: Bars) => {
      const copy = copyBars(bars);
      for (let i = 0; i < copy.time.length; i++) {
        if (copy.time[i]! <= cutTime) continue;
        const k = 1 + 0.2 * Math.sin(i);
        for (const column of [copy.open, copy.high, copy.low, copy.close]) column[i] = column[i]! * k;
        copy.volume[i] = copy.volume[i]! * 3;
      }
      return copy;
    };
    const edited = await run(config, edit, 2);
    edited.hybrid.signals.forEach((y, s) => {
      const before = first.hybrid.signals[s]!;
      let compared = 0;
      for (let i = 0; i < y.time.length && y.time[i]! <= cutTime; i++) {
        expect(y.time[i]).toBe(before.time[i]);
        expect(y.positions[i]).toBe(before.positions[i]);
        compared++;
      }
      expect(compared).toBeGreaterThan(300);
      // …and the edit reached the later positions' inputs.
      const after = Array.from(y.proba.subarray(2 * compared));
      expect(after).not.toEqual(Array.from(before.proba.subarray(2 * compared, 2 * y.time.length)));
    });
  }, 120_000);
});

describe('sizing: in a strategy file', () => {
  it('trains, backtests the sized positions, registers the allocator, and predict returns direction, size and the size probabilities', async () => {
    const path = join(dir, 'hybrid.yaml');
    writeFileSync(path, yaml(['BTC/USDT']));
    const loaded = loadStrategy(path);
    const result = await trainStrategy(loaded, { keepFoldModels: true });
    const sizing = result.sizing!;
    expect(sizing.sizes).toEqual([0, 0.5, 1]);
    expect(sizing.meanSizeInMarket).toBeGreaterThanOrEqual(0);
    expect(sizing.meanSizeInMarket).toBeLessThanOrEqual(1);
    // The gates read the sized backtest; the report shows it beside the same entries at full size.
    expect(result.metrics.totalReturn).toBe(result.backtest.totalReturn);
    const report = readFileSync(result.reportPath!, 'utf8');
    expect(report).toContain('Hybrid sizing: sized by the allocator');
    expect(report).toContain('Hybrid sizing: the same entries at full size');
    for (const p of result.signals[0]!.positions) expect([0, 0.5, 1]).toContain(p);
    const store = await openModelStore(join(dir, 'models'));
    try {
      const predicted = await predictSignal({ strategy: loaded, store });
      const hybrid = predicted.sizing!;
      expect(hybrid.sizes).toEqual([0, 0.5, 1]);
      expect(hybrid.direction).toBe(predicted.decision.position);
      expect(hybrid.position).toBe(hybrid.direction * hybrid.size);
      expect(hybrid.probabilities).toHaveLength(3);
      expect(predicted.signal.size).toBe(hybrid.size);
    } finally {
      await store.close();
    }
  }, 120_000);
});
