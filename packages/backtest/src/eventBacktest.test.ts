import { type Bars, copyBars, emptyBars, Rng } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OrderRequest, runEventBacktest, type Strategy, type StrategyContext } from './eventBacktest.js';

/** Bars from [open, high, low, close] rows. */
function ohlc(rows: [number, number, number, number][], symbol = 'X'): Bars {
  const bars = emptyBars(symbol, '1h', rows.length);
  rows.forEach(([o, h, l, c], i) => {
    bars.time[i] = i * 3_600_000;
    bars.open[i] = o;
    bars.high[i] = h;
    bars.low[i] = l;
    bars.close[i] = c;
  });
  return bars;
}

/** Submits `order` once at bar `at`. */
function once(at: number, order: OrderRequest, closeAt?: number): Strategy {
  return {
    onBar(ctx) {
      if (ctx.index === at) ctx.submit(order);
      if (ctx.index === closeAt) ctx.closePosition(order.symbol);
    },
  };
}

const flatBar = (p: number): [number, number, number, number] => [p, p, p, p];

describe('runEventBacktest: orders', () => {
  it('fills a market order at the next open and records the round trip', () => {
    const bars = ohlc([flatBar(100), [102, 103, 101, 102], [104, 106, 103, 105], [107, 108, 106, 107]]);
    const r = runEventBacktest(bars, once(0, { side: 'buy', size: { kind: 'fixed', quantity: 10 } }, 2), {
      initialCash: 1000,
      feesBps: 10,
    });
    expect(r.fills[0]).toMatchObject({ index: 1, quantity: 10, price: 102 });
    expect(r.trades).toHaveLength(1);
    const trade = r.trades[0]!;
    expect(trade).toMatchObject({
      side: 'long',
      entryIndex: 1,
      exitIndex: 3,
      entryPrice: 102,
      exitPrice: 107,
      exitReason: 'signal',
      holdBars: 3,
    });
    const fees = 10 * 102 * 0.001 + 10 * 107 * 0.001;
    expect(trade.pnl).toBeCloseTo(50 - fees, 10);
    expect(r.equity[3]).toBeCloseTo(1000 + 50 - fees, 10);
    expect(trade.mfe).toBeCloseTo(107 / 102 - 1, 12); // bar 3's high of 108 came after the exit at its open
    expect(trade.mae).toBeCloseTo(1 - 101 / 102, 12);
  });

  it('fills limit and stop entries at the level, or at the open when the open gaps past it', () => {
    const bars = ohlc([flatBar(100), [99, 100, 95, 97], [97, 99, 96, 98], [105, 106, 104, 105]]);
    const limit = runEventBacktest(
      bars,
      once(0, { side: 'buy', type: 'limit', limitPrice: 96, size: { kind: 'fixed', quantity: 1 } }),
    );
    expect(limit.fills[0]).toMatchObject({ index: 1, price: 96 });
    const stop = runEventBacktest(
      bars,
      once(0, { side: 'buy', type: 'stop', stopPrice: 101, size: { kind: 'fixed', quantity: 1 } }),
    );
    expect(stop.fills[0]).toMatchObject({ index: 3, price: 105 });
    const expired = runEventBacktest(
      bars,
      once(0, { side: 'buy', type: 'stop', stopPrice: 101, expiresAfterBars: 2, size: { kind: 'fixed', quantity: 1 } }),
    );
    expect(expired.fills).toHaveLength(0);
  });

  it('bar touching both stop and target: conservative rule takes the stop', () => {
    // entry at 100 (open of bar 1); stop 95, target 110; bar 2 touches both
    const bars = ohlc([flatBar(100), [100, 101, 99, 100], [100, 111, 94, 105], flatBar(105)]);
    const r = runEventBacktest(
      bars,
      once(0, { side: 'buy', size: { kind: 'fixed', quantity: 1 }, stopLoss: 0.05, takeProfit: 0.1 }),
    );
    expect(r.trades[0]).toMatchObject({ exitIndex: 2, exitPrice: 95, exitReason: 'stopLoss' });
  });

  it('open gapping through the target fills at the open (better than the level)', () => {
    const bars = ohlc([flatBar(100), [100, 101, 99, 100], [115, 116, 94, 105], flatBar(105)]);
    const r = runEventBacktest(
      bars,
      once(0, { side: 'buy', size: { kind: 'fixed', quantity: 1 }, stopLoss: 0.05, takeProfit: 0.1 }),
    );
    expect(r.trades[0]).toMatchObject({ exitIndex: 2, exitPrice: 115, exitReason: 'takeProfit' });
  });

  it('short with take-profit and slippage-free limit exit', () => {
    const bars = ohlc([flatBar(100), [100, 101, 99, 100], [98, 99, 89, 90], flatBar(90)]);
    const r = runEventBacktest(bars, once(0, { side: 'sell', size: { kind: 'fixed', quantity: 2 }, takeProfit: 0.1 }), {
      slippageBps: 10,
    });
    const t = r.trades[0]!;
    expect(t.side).toBe('short');
    expect(t.entryPrice).toBeCloseTo(100 * 0.999, 10);
    expect(t.exitPrice).toBeCloseTo(99.9 * 0.9, 10);
    expect(t.exitReason).toBe('takeProfit');
    expect(t.pnl).toBeCloseTo(2 * (99.9 - 99.9 * 0.9), 10);
  });

  it('trailing stop follows the highest high seen before the bar', () => {
    const bars = ohlc([flatBar(100), [100, 110, 100, 109], [109, 120, 108, 118], [118, 119, 107, 110], flatBar(110)]);
    const r = runEventBacktest(bars, once(0, { side: 'buy', size: { kind: 'fixed', quantity: 1 }, trailingStop: 0.1 }));
    // highest high before bar 3 is 120 → level 108; bar 3 low 107 hits it
    expect(r.trades[0]).toMatchObject({ exitIndex: 3, exitReason: 'trailingStop' });
    expect(r.trades[0]!.exitPrice).toBeCloseTo(108, 10);
  });

  it('sizes by fraction of equity, capped Kelly and volatility target', () => {
    const bars = btcHourly({ last: 200 });
    const fraction = runEventBacktest(bars, once(50, { side: 'buy', size: { kind: 'fraction', fraction: 0.5 } }), {
      initialCash: 1000,
    });
    expect(fraction.fills[0]!.quantity * bars.open[51]!).toBeCloseTo(500, 8);
    const kelly = runEventBacktest(
      bars,
      once(50, { side: 'buy', size: { kind: 'kelly', winRate: 0.6, payoffRatio: 2, multiplier: 1, cap: 0.3 } }),
    );
    // f* = 0.6 − 0.4/2 = 0.4 → capped at 0.3
    expect(kelly.fills[0]!.quantity * bars.open[51]!).toBeCloseTo(3000, 6);
    const negative = runEventBacktest(
      bars,
      once(50, { side: 'buy', size: { kind: 'kelly', winRate: 0.3, payoffRatio: 1 } }),
    );
    expect(negative.fills).toHaveLength(0);
    const vol = runEventBacktest(
      bars,
      once(50, {
        side: 'buy',
        size: { kind: 'volatilityTarget', targetVolatility: 0.2, lookback: 20, maxFraction: 5 },
      }),
    );
    let sum = 0;
    let sumSq = 0;
    for (let i = 31; i <= 50; i++) {
      const x = Math.log(bars.close[i]! / bars.close[i - 1]!);
      sum += x;
      sumSq += x * x;
    }
    const sigma = Math.sqrt(((sumSq - (sum * sum) / 20) / 19) * 24 * 365);
    expect(vol.fills[0]!.quantity * bars.open[51]!).toBeCloseTo((10_000 * 0.2) / sigma, 4);
  });

  it('closeAtEnd flattens at the last close with fees', () => {
    const bars = ohlc([flatBar(100), flatBar(100), flatBar(110)]);
    const r = runEventBacktest(bars, once(0, { side: 'buy', size: { kind: 'fixed', quantity: 1 } }), {
      closeAtEnd: true,
      feesBps: 10,
      initialCash: 1000,
    });
    expect(r.trades[0]).toMatchObject({ exitIndex: 2, exitPrice: 110, exitReason: 'endOfData' });
    expect(r.openPositions).toHaveLength(0);
    expect(r.equity[2]).toBeCloseTo(1000 + 10 - 0.1 - 0.11, 10);
    expect(r.equity[2]).toBe(r.cash[2]);
  });

  it('multi-asset portfolio shares one cash balance', () => {
    const a = ohlc([flatBar(10), flatBar(10), flatBar(12), flatBar(12)], 'A');
    const b = ohlc([flatBar(20), flatBar(20), flatBar(18), flatBar(18)], 'B');
    const strategy: Strategy = {
      onBar(ctx) {
        if (ctx.index === 0) {
          ctx.submit({ symbol: 'A', side: 'buy', size: { kind: 'fixed', quantity: 10 } });
          ctx.submit({ symbol: 'B', side: 'sell', size: { kind: 'fixed', quantity: 5 } });
        }
      },
    };
    const r = runEventBacktest([a, b], strategy, { initialCash: 100 });
    expect(r.cash[1]).toBe(100 - 100 + 100);
    expect(r.equity[3]).toBe(100 + 10 * 2 + 5 * 2);
    expect(r.openPositions.map((p) => p.symbol)).toEqual(['A', 'B']);
    expect(() => runEventBacktest([a, ohlc([flatBar(1)], 'C')], strategy)).toThrow(/C.time/);
  });
});

/** A deterministic, causal random-walk strategy: decisions depend only on visible closes and the seed. */
function noisyStrategy(seed: number, log?: number[]): Strategy {
  const rng = new Rng(seed);
  return {
    onBar(ctx: StrategyContext) {
      const view = ctx.series();
      log?.push(view.close(), view.close(-1));
      const u = rng.float();
      const momentum = view.close() > view.close(3);
      if (u < 0.15)
        ctx.submit({
          side: momentum ? 'buy' : 'sell',
          size: { kind: 'fraction', fraction: 0.2 + u },
          stopLoss: 0.01,
          takeProfit: 0.02,
          trailingStop: 0.015,
        });
      else if (u < 0.25) ctx.closePosition();
      else if (u < 0.3)
        ctx.submit({
          side: 'sell',
          type: 'limit',
          limitPrice: view.close() * 1.003,
          size: { kind: 'fixed', quantity: 0.05 },
        });
    },
  };
}

describe('runEventBacktest: properties', () => {
  const base = btcHourly({ last: 400 });
  const runArb = fc.record({
    seed: fc.integer({ min: 0, max: 1e6 }),
    start: fc.integer({ min: 0, max: 300 }),
    fee: fc.integer({ min: 0, max: 30 }),
  });

  it('equity = cash + marked positions at every bar; trades reconcile with equity', () => {
    fc.assert(
      fc.property(runArb, ({ seed, start, fee }) => {
        const bars = copyBars(base, start, start + 100);
        const r = runEventBacktest(bars, noisyStrategy(seed), { feesBps: fee, slippageBps: fee / 3 });
        for (let i = 0; i < 100; i++) {
          expect(r.equity[i]).toBeCloseTo(r.cash[i]! + r.units[0]![i]! * bars.close[i]!, 6);
        }
        const realized = r.trades.reduce((s, t) => s + t.pnl, 0);
        const open = r.openPositions.reduce((s, p) => s + p.unrealized + p.realized, 0);
        expect(realized + open).toBeCloseTo(r.equity[99]! - 10_000, 6);
      }),
      { numRuns: 60 },
    );
  });

  it('zero fees and no position leave equity flat (orders that never fill included)', () => {
    fc.assert(
      fc.property(runArb, fc.double({ min: 1, max: 1e6, noNaN: true }), ({ start }, cash) => {
        const bars = copyBars(base, start, start + 100);
        const neverFills: Strategy = {
          onBar(ctx) {
            ctx.submit({ side: 'buy', type: 'limit', limitPrice: 1e-6, size: { kind: 'fixed', quantity: 1 } });
          },
        };
        const r = runEventBacktest(bars, neverFills, { feesBps: 0, initialCash: cash });
        expect(r.equity.every((e) => e === cash)).toBe(true);
        expect(r.trades).toHaveLength(0);
      }),
      { numRuns: 20 },
    );
  });

  it('no lookahead: altering bars after t changes nothing up to t; future reads give NaN', () => {
    fc.assert(
      fc.property(runArb, fc.double({ min: 0.5, max: 2, noNaN: true }), ({ seed, start, fee }, factor) => {
        const bars = copyBars(base, start, start + 100);
        const t = 20 + (seed % 70);
        const altered = copyBars(bars);
        for (let i = t + 1; i < 100; i++) {
          for (const f of ['open', 'high', 'low', 'close'] as const) altered[f][i] = bars[f][i]! * factor;
        }
        const logA: number[] = [];
        const logB: number[] = [];
        const a = runEventBacktest(bars, noisyStrategy(seed, logA), { feesBps: fee });
        const b = runEventBacktest(altered, noisyStrategy(seed, logB), { feesBps: fee });
        expect(Array.from(b.equity.subarray(0, t + 1))).toEqual(Array.from(a.equity.subarray(0, t + 1)));
        expect(b.fills.filter((f) => f.index <= t)).toEqual(a.fills.filter((f) => f.index <= t));
        expect(logB.slice(0, 2 * (t + 1))).toEqual(logA.slice(0, 2 * (t + 1)));
        expect(logA.filter((_, i) => i % 2 === 1).every(Number.isNaN)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
