import { readFileSync } from 'node:fs';
import { type Bars, copyBars, emptyBars } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatternLibrary } from './PatternLibrary.js';
import { attributeByFeature, attributeBySetup, bestHoldingPeriod, groupStats } from './shadowAnalysis.js';
import { shadowTrades } from './shadowTrades.js';

function ohlc(rows: [number, number, number, number][]): Bars {
  const bars = emptyBars('X', '1h', rows.length);
  rows.forEach(([o, h, l, c], i) => {
    bars.time[i] = i;
    bars.open[i] = o;
    bars.high[i] = h;
    bars.low[i] = l;
    bars.close[i] = c;
  });
  return bars;
}

describe('shadowTrades', () => {
  const bars = ohlc([
    [100, 100, 100, 100],
    [100, 104, 99, 103], // entry of decision 0 at 100
    [103, 111, 102, 110], // target 110 hit (10%)
    [110, 111, 96, 97], // decision-1 trade (entry 103): stop at 103*0.95 = 97.85
    [97, 98, 96, 97],
    [97, 98, 96, 98],
  ]);

  it('simulates every firing bar with stop/target, MFE/MAE, hold time and post-exit drift', () => {
    const { trades } = shadowTrades(bars, {
      entries: { a: [1, 1, 0, 0, 0, 0] },
      stopLoss: 0.05,
      takeProfit: 0.1,
      postExitBars: 2,
    });
    expect(trades).toHaveLength(2);
    const [first, second] = trades as [NonNullable<(typeof trades)[0]>, NonNullable<(typeof trades)[0]>];
    expect(first).toMatchObject({
      decisionIndex: 0,
      entryIndex: 1,
      exitIndex: 2,
      exitPrice: expect.closeTo(110, 10),
      exitReason: 'takeProfit',
      outcome: 'win',
      holdBars: 2,
    });
    expect(first.returnPct).toBeCloseTo(0.1, 12);
    expect(first.mae).toBeCloseTo(0.01, 12);
    expect(first.postExitDrift).toBeCloseTo(97 / 110 - 1, 12);
    expect(second).toMatchObject({
      entryIndex: 2,
      entryPrice: 103,
      exitIndex: 3,
      exitReason: 'stopLoss',
      outcome: 'loss',
    });
    expect(second.exitPrice).toBeCloseTo(97.85, 10);
    expect(second.mfe).toBeCloseTo(111 / 103 - 1, 12);
    expect(second.postExitDrift).toBeCloseTo(98 / 97.85 - 1, 12);
  });

  it('matches the independent Python simulation (__fixtures__/shadowReference.py) on BTC/USDT 1h', () => {
    const reference = JSON.parse(
      readFileSync(new URL('./__fixtures__/shadowReference.generated.json', import.meta.url), 'utf8'),
    ) as {
      decisionIndex: number;
      exitIndex: number;
      exitPrice: number;
      exitReason: string;
      returnPct: number;
      mfe: number;
      mae: number;
      postExitDrift: number | null;
    }[];
    const btc = btcHourly({ last: 1500 });
    const { trades } = shadowTrades(btc, {
      entries: { momentum: (v) => v.close() > v.close(5) },
      stopLoss: 0.02,
      takeProfit: 0.03,
      maxHoldBars: 24,
      postExitBars: 6,
      feesBps: 10,
    });
    expect(trades).toHaveLength(reference.length);
    trades.forEach((t, k) => {
      const r = reference[k]!;
      expect(t.decisionIndex).toBe(r.decisionIndex);
      expect(t.exitIndex).toBe(r.exitIndex);
      expect(t.exitReason).toBe(r.exitReason);
      expect(t.exitPrice).toBeCloseTo(r.exitPrice, 8);
      expect(t.returnPct).toBeCloseTo(r.returnPct, 12);
      expect(t.mfe).toBeCloseTo(r.mfe, 12);
      expect(t.mae).toBeCloseTo(r.mae, 12);
      if (r.postExitDrift === null) expect(t.postExitDrift).toBeNaN();
      else expect(t.postExitDrift).toBeCloseTo(r.postExitDrift, 12);
    });
  });

  it('time exit and shorts', () => {
    const { trades } = shadowTrades(bars, {
      entries: { s: [1, 0, 0, 0, 0, 0] },
      side: 'short',
      maxHoldBars: 3,
      postExitBars: 5,
    });
    expect(trades[0]).toMatchObject({
      side: 'short',
      exitIndex: 3,
      exitPrice: 97,
      exitReason: 'timeExit',
      outcome: 'win',
    });
    expect(trades[0]!.returnPct).toBeCloseTo(0.03, 12);
    expect(trades[0]!.postExitDrift).toBeNaN();
  });

  it('charges slippage on both fills and measures what a later exit could have made', () => {
    const plain = shadowTrades(bars, { entries: { a: [1, 0, 0, 0, 0, 0] }, takeProfit: 0.1, postExitBars: 2 })
      .trades[0]!;
    const slipped = shadowTrades(bars, {
      entries: { a: [1, 0, 0, 0, 0, 0] },
      takeProfit: 0.1,
      postExitBars: 2,
      slippageBps: 10,
      feesBps: 5,
    }).trades[0]!;
    // Entry 100 → 100.1, exit 110 → 109.89; then fees on both notionals.
    expect(slipped.returnPct).toBeCloseTo(109.89 / 100.1 - 1 - 0.0005 * (1 + 109.89 / 100.1), 12);
    expect(plain.returnPct - slipped.returnPct).toBeGreaterThan(0.0015);
    // After the exit at 110 (bar 2) the next two highs are 111 and 98: 1/110 was left on the table.
    expect(plain.postExitBest).toBeCloseTo(111 / 110 - 1, 12);
    expect(plain.leftOnTable).toBeCloseTo(111 / 110 - 1, 12);
    const lastBar = shadowTrades(bars, { entries: { a: [0, 0, 0, 0, 1, 0] }, maxHoldBars: 1 }).trades[0]!;
    expect(lastBar.postExitBest).toBeNaN();
  });

  it('no lookahead: changing every bar after t leaves every trade resolved by t unchanged', () => {
    const base = btcHourly({ last: 400 });
    const mask = Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 380 }), fc.double({ min: 0.5, max: 2, noNaN: true }), (t, factor) => {
        const altered = copyBars(base);
        for (let i = t + 1; i < 400; i++)
          for (const f of ['open', 'high', 'low', 'close'] as const) altered[f][i] = base[f][i]! * factor;
        const options = {
          entries: { m: mask },
          stopLoss: 0.01,
          takeProfit: 0.02,
          maxHoldBars: 12,
          postExitBars: 6,
          slippageBps: 5,
          feesBps: 10,
        };
        const resolvedBy = (trades: ReturnType<typeof shadowTrades>['trades']) =>
          trades.filter((x) => x.exitIndex + 6 <= t).map((x) => ({ ...x, features: Array.from(x.features) }));
        const a = resolvedBy(shadowTrades(base, options).trades);
        expect(resolvedBy(shadowTrades(altered, options).trades)).toEqual(a);
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it('predicate entry rules see only bars ≤ t: altering later bars keeps earlier decisions', () => {
    const base = btcHourly({ last: 300 });
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 280 }), fc.double({ min: 0.5, max: 2, noNaN: true }), (t, factor) => {
        const altered = copyBars(base);
        for (let i = t + 1; i < 300; i++)
          for (const f of ['open', 'high', 'low', 'close'] as const) altered[f][i] = base[f][i]! * factor;
        const rule = (v: { close(ago?: number): number }) => v.close() > v.close(5) && Number.isNaN(v.close(-1));
        const a = shadowTrades(base, { entries: { up: rule }, maxHoldBars: 5 }).trades.map((x) => x.decisionIndex);
        const b = shadowTrades(altered, { entries: { up: rule }, maxHoldBars: 5 }).trades.map((x) => x.decisionIndex);
        expect(b.filter((d) => d <= t)).toEqual(a.filter((d) => d <= t));
        expect(a.length).toBeGreaterThan(0);
      }),
      { numRuns: 30 },
    );
  });
});

describe('shadow analysis', () => {
  const bars = btcHourly({ last: 2000 });
  const close = bars.close;
  const momentum = new Float64Array(close.length).fill(Number.NaN);
  const range = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) {
    if (i >= 10) momentum[i] = close[i]! / close[i - 10]! - 1;
    range[i] = (bars.high[i]! - bars.low[i]!) / close[i]!;
  }
  const result = shadowTrades(bars, {
    entries: {
      breakout: (v) => v.close() > Math.max(...v.window('high', 21).subarray(0, 20)),
      dip: (v) => v.close() < v.close(3) * 0.98,
    },
    stopLoss: 0.02,
    takeProfit: 0.03,
    maxHoldBars: 24,
    features: { momentum, range },
  });

  it('attributes wins and losses by setup and by feature bucket', () => {
    const bySetup = attributeBySetup(result.trades);
    expect(bySetup.map((s) => s.setup).sort()).toEqual(['breakout', 'dip']);
    expect(bySetup.reduce((s, g) => s + g.count, 0)).toBe(result.trades.length);
    for (const g of bySetup) expect(g.wins + g.losses).toBeLessThanOrEqual(g.count);
    const buckets = attributeByFeature(result.trades, 0, 4);
    const finite = result.trades.filter((t) => !Number.isNaN(t.features[0]!)).length;
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(finite);
    for (let b = 1; b < buckets.length; b++) expect(buckets[b]!.lower).toBeGreaterThanOrEqual(buckets[b - 1]!.upper);
  });

  it('a group’s confidence is the Wilson lower bound of its win rate (reference: the closed form, checked in Python)', () => {
    const trade = result.trades[0]!;
    const group = (wins: number, count: number) =>
      groupStats(
        Array.from({ length: count }, (_, i) => ({
          ...trade,
          outcome: i < wins ? ('win' as const) : ('loss' as const),
        })),
      );
    expect(group(3, 3).confidence).toBeCloseTo(0.4385029682449545, 12);
    expect(group(60, 100).confidence).toBeCloseTo(0.5020025867910617, 12);
    expect(group(0, 5).confidence).toBe(0);
  });

  it('finds the best holding period by brute force', () => {
    const curve = bestHoldingPeriod(bars, result.trades, 30);
    let best = -Infinity;
    let bestH = 0;
    for (let h = 1; h <= 30; h++) {
      let s = 0;
      let c = 0;
      for (const t of result.trades) {
        const j = t.entryIndex + h - 1;
        if (j < close.length) {
          s += close[j]! / t.entryPrice - 1;
          c++;
        }
      }
      if (s / c > best) {
        best = s / c;
        bestH = h;
      }
    }
    expect(curve.bestHoldBars).toBe(bestH);
    expect(curve.bestMeanReturn).toBeCloseTo(best, 12);
  });

  it('pattern library separates clear clusters, reports their win rate and finds the nearest', () => {
    // two synthetic setups: features near (0, 0) always win, near (10, 10) always lose
    const trades = Array.from({ length: 40 }, (_, i) => {
      const win = i % 2 === 0;
      const c = win ? 0 : 10;
      return {
        ...result.trades[0]!,
        outcome: win ? ('win' as const) : ('loss' as const),
        returnPct: win ? 0.02 : -0.01,
        features: Float64Array.of(c + Math.sin(i) * 0.3, c + Math.cos(i) * 0.3),
      };
    });
    const library = new PatternLibrary().fit(trades, { k: 2, seed: 7 });
    const rates = library.patterns.map((p) => p.winRate).sort();
    expect(rates).toEqual([0, 1]);
    const match = library.nearest([9.5, 10.2]);
    expect(match.pattern.winRate).toBe(0);
    expect(match.pattern.meanReturn).toBeCloseTo(-0.01, 12);
    const again = new PatternLibrary().fit(trades, { k: 2, seed: 7 });
    expect(again.patterns.map((p) => Array.from(p.centroid))).toEqual(
      library.patterns.map((p) => Array.from(p.centroid)),
    );
    const real = new PatternLibrary().fit(result.trades, { k: 4, seed: 1 });
    expect(real.patterns.reduce((s, p) => s + p.count, 0)).toBe(
      result.trades.filter((t) => !Number.isNaN(t.features[0]!)).length,
    );
    expect(() => new PatternLibrary().nearest([1, 2])).toThrow(/not fitted/);
  });
});
