import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { weightsBacktest } from '@candlelab/backtest';
import { type Bars, copyBars, sliceBars } from '@candlelab/core';
import { openModelStore } from '@candlelab/registry';
import { universeDataYaml } from '@candlelab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStrategyBars } from './loadStrategyBars.js';
import { type PortfolioFolds, predictPortfolio, runPortfolioFolds } from './portfolioStage.js';
import { predictSignal } from './predictSignal.js';
import { loadStrategy, parseStrategy, type StrategyConfig } from './strategyConfig.js';
import { buildStrategyDataset } from './strategyDataset.js';
import { strategySplits } from './strategySplits.js';
import { trainStrategy } from './trainStrategy.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-allocator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SYMBOLS = ['ETH/USDT', 'SOL/USDT', 'BNB/USDT'];
const yaml = `name: allocator-test
seed: 4
${universeDataYaml(SYMBOLS)}
features:
  name: allocator-test
  features: [{ kind: returns, period: 1 }]
labels: { kind: forwardReturn, horizon: 1, target: binary }
model:
  kind: ppo
  env: { kind: portfolio, window: 4, episodeLength: 128 }
  totalTimesteps: 1024
  seeds: 2
  randomRuns: 2
  params: { numEnvs: 2, numSteps: 128, hiddenSizes: [8] }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 1 }
gates: [sharpe > 1.5]
registry: { root: models }
`;

async function run(config: StrategyConfig, edit?: (bars: Bars) => Bars, folds?: number): Promise<PortfolioFolds> {
  const loaded = await loadStrategyBars(config.data, config.data.symbols, '.');
  const data = buildStrategyDataset(
    config,
    config.data.symbols.map((s) => (edit ? edit(loaded.get(s)!.bars) : loaded.get(s)!.bars)),
  );
  return runPortfolioFolds(config, data, strategySplits(config, data.dataset).slice(0, folds));
}

describe('env.kind: portfolio', () => {
  const config = parseStrategy(yaml);
  let first: PortfolioFolds;
  beforeAll(async () => {
    first = await run(config);
  }, 120_000);

  it('refuses shorts and shadow trading beside the long-only portfolio env', () => {
    expect(() => parseStrategy(yaml.replace('gates:', 'backtest: { allowShort: true }\ngates:'))).toThrow(/long-only/);
    expect(() => parseStrategy(yaml.replace('gates: [sharpe > 1.5]', 'shadow: {}'))).toThrow(/weights, not entries/);
  });

  it('decides weights over the symbols and cash on every test bar, backtested through weightsBacktest', () => {
    expect(first.columns).toEqual(['w_ETH/USDT', 'w_SOL/USDT', 'w_BNB/USDT', 'w_cash']);
    const [eth] = first.signals;
    for (let i = 0; i < eth!.time.length; i++) {
      const row = eth!.proba.subarray(4 * i, 4 * i + 4);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      first.signals.forEach((x, k) => {
        expect(x.positions[i]).toBe(row[k]);
      });
    }
    // The report's equity is weightsBacktest's run of the stitched weights.
    const from = first.models[0]!.testFrom;
    const rows = eth!.time.length;
    const window = first.assets.map((a) => sliceBars(a, from, from + rows + 1));
    const targets = new Float64Array((rows + 1) * 4);
    targets.set(eth!.proba);
    const equity = weightsBacktest(window, targets, { feesBps: 10, slippageBps: 5 }).equity;
    expect(first.backtest.portfolio.equity).toEqual(equity);
    expect(first.backtest.portfolioBacktest.totalReturn).toBeCloseTo(equity[equity.length - 1]! - 1, 12);
    for (const policy of [first.oos.agent, first.oos.equalWeight, first.oos.random])
      expect(Number.isFinite(policy.sharpe)).toBe(true);
  });

  it('predictPortfolio on bars up to t gives the backtested weights on every out-of-sample bar', () => {
    const [eth] = first.signals;
    let checked = 0;
    for (let i = 0; i < eth!.time.length; i++) {
      const model = first.models[eth!.fold[i]!]!;
      const t = model.testFrom + (i - eth!.fold.indexOf(eth!.fold[i]!));
      expect(first.assets[0]!.time[t]).toBe(eth!.time[i]);
      const upToT = first.assets.map((a) => sliceBars(a, 0, t + 1));
      const live = predictPortfolio(model.agent, JSON.parse(JSON.stringify(model.envSpec)), upToT, {
        from: model.testFrom,
      });
      expect(live.weights).toEqual(eth!.proba.subarray(4 * i, 4 * i + 4));
      checked++;
    }
    expect(checked).toBe(eth!.time.length);
  }, 60_000);

  it('repeats bit for bit with the same seed, and changing bars after t leaves the weights up to t unchanged', async () => {
    const [eth] = first.signals;
    const cutTime = eth!.time[eth!.fold.indexOf(1) + 50]!;
    const edit = (bars: Bars) => {
      const copy = copyBars(bars);
      for (let i = 0; i < copy.time.length; i++) {
        if (copy.time[i]! <= cutTime) continue;
        const k = 1 + 0.2 * Math.sin(i);
        for (const column of [copy.open, copy.high, copy.low, copy.close]) column[i] = column[i]! * k;
      }
      return copy;
    };
    const edited = await run(config, edit, 2);
    const n = edited.signals[0]!.time.findIndex((t) => t > cutTime);
    expect(n).toBeGreaterThan(300);
    expect(edited.models[0]).toEqual(first.models[0]);
    expect(edited.signals[0]!.proba.subarray(0, 4 * n)).toEqual(eth!.proba.subarray(0, 4 * n));
    expect(edited.signals[0]!.proba.subarray(4 * n)).not.toEqual(
      eth!.proba.subarray(4 * n, 4 * edited.signals[0]!.time.length),
    );
  }, 120_000);

  it('trains from the strategy file, registers the agent, and predict returns every weight', async () => {
    const path = join(dir, 'allocator.yaml');
    writeFileSync(path, yaml);
    const loaded = loadStrategy(path);
    const result = await trainStrategy(loaded);
    const allocator = result.allocator!;
    expect(result.metrics.sharpe).toBe(allocator.oos.agent.sharpe);
    expect(result.gates.results[0]!.expression).toBe('sharpe > 1.5');
    const report = readFileSync(result.reportPath!, 'utf8');
    expect(report).toContain('Portfolio allocator out of sample: the agent');
    expect(readFileSync(result.predictionsPath!, 'utf8').split('\n')[0]).toBe(
      'time,time_ms,symbol,fold,close,p_w_ETH/USDT,p_w_SOL/USDT,p_w_BNB/USDT,p_w_cash,position',
    );
    const store = await openModelStore(join(dir, 'models'));
    try {
      const predicted = await predictSignal({ strategy: loaded, store, symbol: 'SOL/USDT' });
      const weights = predicted.weights!;
      expect(Object.keys(weights)).toEqual(['w_ETH/USDT', 'w_SOL/USDT', 'w_BNB/USDT', 'w_cash']);
      expect(Object.values(weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(predicted.signal.size).toBe(weights['w_SOL/USDT']);
    } finally {
      await store.close();
    }
  }, 120_000);
});
