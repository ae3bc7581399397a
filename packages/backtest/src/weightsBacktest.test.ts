import { copyBars, Rng } from '@candlelab/core';
import { PortfolioEnv } from '@candlelab/env';
import { universeHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { weightsBacktest } from './weightsBacktest.js';

const assets = universeHourly()
  .slice(0, 3)
  .map((b) => copyBars(b, 0, 400));

describe('weightsBacktest', () => {
  it('all in cash earns nothing; all in one asset from the first open earns its open → close path', () => {
    const n = assets[0]!.time.length;
    const cash = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) cash[i * 4 + 3] = 1;
    const flat = weightsBacktest(assets, cash, { feesBps: 10 });
    expect(flat.equity.every((e) => e === 1)).toBe(true);
    const first = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) first[i * 4] = 1;
    const long = weightsBacktest(assets, first);
    const a = assets[0]!;
    for (let i = 1; i < n; i++) expect(long.equity[i]).toBeCloseTo(a.close[i]! / a.open[1]!, 10);
    // The first fill trades the whole portfolio: the fee is charged on turnover 1.
    expect(weightsBacktest(assets, first, { feesBps: 10, slippageBps: 5 }).equity[1]).toBeCloseTo(
      (1 - 0.0015) * (a.close[1]! / a.open[1]!),
      12,
    );
  });

  it('is the PortfolioEnv equity, bar for bar, for any weights (the env steps with the same rebalance)', () => {
    const env = new PortfolioEnv({ assets, window: 4, turnoverCost: 0.0015, randomStart: false });
    const rng = new Rng(1);
    let { info } = env.reset();
    const start = info.index;
    const targets: number[] = [];
    const equity = [info.equity];
    for (;;) {
      const logits = Float64Array.from({ length: 4 }, () => rng.normal() * 2);
      const step = env.step(logits);
      const exp = Array.from(logits, (x) => Math.exp(x - Math.max(...logits)));
      const sum = exp.reduce((p, q) => p + q, 0);
      targets.push(...exp.map((x) => x / sum));
      equity.push(step.info.equity);
      info = step.info;
      if (step.truncated) break;
    }
    const window = assets.map((b) => copyBars(b, start, info.index + 1));
    const result = weightsBacktest(window, targets, { feesBps: 10, slippageBps: 5 });
    expect(result.equity.length).toBe(equity.length);
    for (const [i, e] of equity.entries()) expect(result.equity[i]! / e - 1).toBeCloseTo(0, 12);
  });

  it('refuses weights that do not sum to 1, naming the row', () => {
    const n = assets[0]!.time.length;
    const bad = new Float64Array(n * 4).fill(0.25);
    bad[8] = 0.5;
    expect(() => weightsBacktest(assets, bad)).toThrow(/targets\[2\]/);
  });
});
