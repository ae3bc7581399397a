import { readFileSync } from 'node:fs';
import { emptyBars } from '@candlelab/core';
import { btcHourly, expectArraysClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maCrossoverGrid, vectorizedBacktest, vectorizedEquity, vectorizedGrid } from './vectorized.js';

const reference = JSON.parse(
  readFileSync(new URL('./__fixtures__/vectorizedReference.generated.json', import.meta.url), 'utf8'),
) as {
  positions: number[];
  nextOpen: number[];
  sameClose: number[];
};

function pricesFrom(closes: number[], opens?: number[]) {
  const bars = emptyBars('X', '1h', closes.length);
  bars.close.set(closes);
  bars.open.set(opens ?? closes);
  return bars;
}

const priceArb = fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 2, maxLength: 60 });

describe('vectorizedBacktest', () => {
  it('matches the independent Python simulation (__fixtures__/vectorizedReference.py) on BTC/USDT 1h', () => {
    const bars = btcHourly({ last: 600 });
    const options = { feesBps: 10, slippageBps: 5, initialCash: 1000 };
    const next = vectorizedBacktest(bars, reference.positions, options);
    expectArraysClose(next.equity, reference.nextOpen, { rel: 1e-10 });
    const same = vectorizedBacktest(bars, reference.positions, { ...options, fill: 'sameClose' });
    expectArraysClose(same.equity, reference.sameClose, { rel: 1e-10 });
  });

  it('vectorizedEquity (lean form) equals the detailed run, into a given buffer', () => {
    const bars = btcHourly({ last: 600 });
    const options = { feesBps: 10, slippageBps: 5, initialCash: 1000 };
    const out = new Float64Array(600);
    const lean = vectorizedEquity(bars, Float64Array.from(reference.positions), options, out);
    expect(lean.equity).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(vectorizedBacktest(bars, reference.positions, options).equity));
    expect(lean.finalEquity).toBe(out[599]);
  });

  it('trades a signal at the next open by default, at the same close only when asked', () => {
    const bars = pricesFrom([100, 110, 121], [100, 105, 115]);
    const next = vectorizedBacktest(bars, [1, 1, 1]);
    // bought at open[1] = 105: equity at bar 1 = 110/105, at bar 2 = 121/105
    expect(next.equity[0]).toBe(1);
    expect(next.equity[1]).toBeCloseTo(110 / 105, 12);
    expect(next.equity[2]).toBeCloseTo(121 / 105, 12);
    const same = vectorizedBacktest(bars, [1, 1, 1], { fill: 'sameClose' });
    expect(same.equity[2]).toBeCloseTo(1.21, 12);
  });

  it('charges fees and slippage on turnover', () => {
    const bars = pricesFrom([100, 100, 100, 100]);
    const r = vectorizedBacktest(bars, [1, 0, 1, 0], { feesBps: 10 });
    expect(r.orders).toBe(3);
    expect(r.turnover[1]).toBeCloseTo(1, 12);
    expect(r.equity[3]).toBeLessThan(1);
    expect(r.equity[3]).toBeCloseTo(1 - 0.001 * 3, 5);
  });

  it('rejects mismatched lengths and bad prices naming the field', () => {
    expect(() => vectorizedBacktest(pricesFrom([1, 2]), [1])).toThrow(/positions/);
    expect(() => vectorizedBacktest(pricesFrom([1, 0], [1, 1]), [1, 1])).toThrow(/row 1, close/);
    expect(() => vectorizedBacktest(pricesFrom([1, 2]), [1, 1], { feesBps: -1 })).toThrow(/feesBps/);
    expect(() => vectorizedBacktest(pricesFrom([1, 1], [1, Number.NaN]), [1, 1])).toThrow(/row 1, open/);
    expect(() => vectorizedGrid(pricesFrom([1, 2, 3]), new Float64Array(4))).toThrow(/multiple/);
  });

  it('property: equity = cash + units × close at every bar', () => {
    fc.assert(
      fc.property(priceArb, fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 1e6 }), (closes, fee, seed) => {
        const positions = closes.map((_, i) => [-1, 0, 0.5, 1][(seed * (i + 7)) % 4]!);
        const r = vectorizedBacktest(pricesFrom(closes), positions, { feesBps: fee, slippageBps: fee / 2 });
        for (let i = 0; i < closes.length; i++)
          expect(r.equity[i]).toBeCloseTo(r.cash[i]! + r.units[i]! * closes[i]!, 9);
      }),
    );
  });

  it('property: no position and zero fees leave equity flat', () => {
    fc.assert(
      fc.property(priceArb, (closes) => {
        const r = vectorizedBacktest(pricesFrom(closes), new Float64Array(closes.length), { initialCash: 5 });
        expect(r.orders).toBe(0);
        for (const e of r.equity) expect(e).toBe(5);
      }),
    );
  });

  it('property: altering bars after the last decision leaves earlier equity unchanged', () => {
    fc.assert(
      fc.property(
        priceArb,
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (closes, cut, factor) => {
          const t = cut % closes.length;
          const positions = closes.map((_, i) => (i % 3 === 0 ? 1 : -0.5));
          const a = vectorizedBacktest(pricesFrom(closes), positions, { feesBps: 5 });
          const altered = closes.map((c, i) => (i > t ? c * factor : c));
          const alteredPositions = positions.map((p, i) => (i > t ? -p : p));
          const b = vectorizedBacktest(pricesFrom(altered), alteredPositions, { feesBps: 5 });
          for (let i = 0; i <= t; i++) expect(b.equity[i]).toBe(a.equity[i]);
        },
      ),
    );
  });
});

describe('vectorizedGrid and maCrossoverGrid', () => {
  it('grid rows equal single-series runs', () => {
    const bars = btcHourly({ last: 300 });
    const n = 300;
    const grid = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      grid[i] = i % 2;
      grid[n + i] = i % 5 === 0 ? -1 : 1;
      grid[2 * n + i] = 0.5;
    }
    const g = vectorizedGrid(bars, grid, { feesBps: 3, keepEquity: true });
    for (let s = 0; s < 3; s++) {
      const single = vectorizedBacktest(bars, grid.subarray(s * n, (s + 1) * n), { feesBps: 3 });
      expect(g.finalEquity[s]).toBe(single.equity[n - 1]);
      expect(g.orders[s]).toBe(single.orders);
      expect(Array.from(g.equity!.subarray(s * n, (s + 1) * n))).toEqual(Array.from(single.equity));
    }
  });

  it('MA crossover grid equals the Python reference for the (10, 30) pair', () => {
    const bars = btcHourly({ last: 600 });
    const g = maCrossoverGrid(bars, {
      fast: [5, 10],
      slow: [30, 50],
      allowShort: true,
      feesBps: 10,
      slippageBps: 5,
      initialCash: 1000,
    });
    expect(g.count).toBe(4);
    const p = Array.from(g.fastLengths).findIndex((f, i) => f === 10 && g.slowLengths[i] === 30);
    expect(g.finalEquity[p]).toBeCloseTo(reference.nextOpen.at(-1)!, 6);
  });
});
