import { describe, expect, it } from 'vitest';
import { mergePortfolio } from './mergePortfolio.js';

describe('mergePortfolio', () => {
  it('rebalances to equal weights among the symbols trading at each bar; equity ends at the compounded return', () => {
    const a = {
      time: Float64Array.of(1, 2, 3),
      returns: Float64Array.of(0.1, 0, -0.1),
      holdReturns: Float64Array.of(0, 0.02, 0.02),
      positions: [1, 1, 0],
    };
    const b = {
      time: Float64Array.of(2, 3, 4),
      returns: Float64Array.of(0.2, 0.1, 0.05),
      holdReturns: Float64Array.of(0.04, 0, 0.01),
      positions: [0, 1, 1],
    };
    const p = mergePortfolio([a, b]);
    expect(Array.from(p.time)).toEqual([1, 2, 3, 4]);
    expect(Array.from(p.members)).toEqual([1, 2, 2, 1]);
    expect(Array.from(p.returns)).toEqual([0.1, 0.1, 0, 0.05]);
    expect(Array.from(p.exposure)).toEqual([1, 0.5, 0.5, 1]);
    expect(p.holdReturns[1]).toBeCloseTo(0.03, 15);
    expect(p.equity[p.equity.length - 1]).toBeCloseTo(1.1 * 1.1 * 1 * 1.05, 14);
    expect(p.equity.length).toBe(4);
  });

  it('a single part keeps its own series', () => {
    const a = {
      time: Float64Array.of(5, 6),
      returns: Float64Array.of(0.01, 0.02),
      holdReturns: Float64Array.of(0, 0),
      positions: [1, 0],
    };
    const p = mergePortfolio([a]);
    expect(Array.from(p.returns)).toEqual([0.01, 0.02]);
    const equity = Float64Array.of(1.01, 1.0302000000000002);
    expect(mergePortfolio([{ ...a, equity }]).equity).toBe(equity);
  });

  it('refuses parts whose columns differ in length', () => {
    expect(() =>
      mergePortfolio([
        {
          time: Float64Array.of(1, 2),
          returns: Float64Array.of(0),
          holdReturns: Float64Array.of(0, 0),
          positions: [0, 0],
        },
      ]),
    ).toThrow(/parts\[0\]/);
  });
});
