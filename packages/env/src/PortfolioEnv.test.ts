import { type Bars, copyBars } from '@candlelab/core';
import { universeHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { PortfolioEnv, softmax } from './PortfolioEnv.js';

const assets: Bars[] = universeHourly()
  .slice(0, 3)
  .map((b) => copyBars(b, 0, 400));

describe('PortfolioEnv', () => {
  it('maps logits to softmax weights over assets + cash', () => {
    const w = softmax([0, Math.log(2), Math.log(3), 0], new Float64Array(4));
    expect(Array.from(w).map((x) => x * 7)).toEqual([1, 2, 3, 1].map((x) => expect.closeTo(x, 12)));
  });

  it('all-cash earns nothing; a single held asset earns its close-to-close return minus the entry cost', () => {
    const cash = new PortfolioEnv({ assets, randomStart: false, window: 4 });
    cash.reset();
    const allCash = Float64Array.from([-10, -10, -10, 10]);
    for (let k = 0; k < 5; k++) {
      const r = cash.step(allCash);
      expect(r.reward).toBeCloseTo(0, 6);
    }
    const env = new PortfolioEnv({ assets, randomStart: false, window: 4, turnoverCost: 0.002 });
    const t = env.reset().info.index;
    const first = Float64Array.from([50, 0, 0, 0]); // outside the box on purpose: softmax ≈ one-hot
    let equity = 1;
    for (let k = 0; k < 6; k++) equity = env.step(first).info.equity;
    // Entry at open t+1 costs 0.2% of the traded fraction (≈1); then it holds asset 0.
    const expected = (1 - 0.002) * (assets[0]!.close[t + 6]! / assets[0]!.open[t + 1]!);
    expect(equity).toBeCloseTo(expected, 8);
  });

  it('keeps weights summing to 1 and charges turnover on rebalancing', () => {
    const env = new PortfolioEnv({ assets, randomStart: false, window: 4, turnoverCost: 0.01 });
    env.reset();
    const a = Float64Array.from([1, 0, 0, 0]);
    const b = Float64Array.from([0, 0, 1, 0]);
    let last = env.step(a);
    for (let k = 0; k < 10; k++) {
      last = env.step(k % 2 === 0 ? b : a);
      const sum = last.info.weights.reduce((s, w) => s + w, 0);
      expect(sum).toBeCloseTo(1, 12);
      expect(last.info.turnover).toBeGreaterThan(0.3);
    }
  });

  it('observes the last window of log returns and the weights, nothing later', () => {
    const env = new PortfolioEnv({ assets, randomStart: false, window: 3 });
    const { observation, info } = env.reset();
    const t = info.index;
    expect(t).toBe(3);
    expect(observation[0]).toBeCloseTo(Math.log(assets[0]!.close[1]! / assets[0]!.close[0]!), 14);
    expect(observation[8]).toBeCloseTo(Math.log(assets[2]!.close[3]! / assets[2]!.close[2]!), 14);
    expect(Array.from(observation.subarray(9))).toEqual([0, 0, 0, 1]);
  });

  it('rejects misaligned assets and wrong action sizes', () => {
    const shifted = copyBars(assets[1]!);
    shifted.time[5] = shifted.time[5]! + 1;
    expect(() => new PortfolioEnv({ assets: [assets[0]!, shifted] })).toThrow(/assets\[1\].time\[5\]/);
    const env = new PortfolioEnv({ assets });
    env.reset();
    expect(() => env.step(new Float64Array(2))).toThrow(/action/);
  });
});
