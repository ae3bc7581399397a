import { ValidationError } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateTrades, type Trade } from './aggregateTrades.js';
import { resample } from './resample.js';

const T0 = Date.UTC(2024, 0, 1);
const opts = { symbol: 'BTC/USDT', timeframe: '1m' as const };

describe('aggregateTrades', () => {
  const trades: Trade[] = [
    { time: T0 + 1_000, price: 100, amount: 1 },
    { time: T0 + 20_000, price: 103, amount: 0.5 },
    { time: T0 + 59_999, price: 99, amount: 2 },
    { time: T0 + 180_000, price: 101, amount: 1 },
  ];

  it('builds OHLCV bars on the timeframe grid', () => {
    const bars = aggregateTrades(trades, opts);
    expect(Array.from(bars.time)).toEqual([T0, T0 + 180_000]);
    expect([bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]).toEqual([100, 103, 99, 99, 3.5]);
    const filled = aggregateTrades(trades, { ...opts, fillEmpty: true });
    expect(Array.from(filled.time)).toEqual([T0, T0 + 60_000, T0 + 120_000, T0 + 180_000]);
    expect([filled.open[1], filled.close[2], filled.volume[2]]).toEqual([99, 99, 0]);
  });

  it('gives the same bars from columns and from an async iterable of trades or batches', async () => {
    const expected = aggregateTrades(trades, opts);
    const columns = aggregateTrades(
      { time: trades.map((t) => t.time), price: trades.map((t) => t.price), amount: trades.map((t) => t.amount) },
      opts,
    );
    async function* one() {
      yield* trades;
    }
    async function* batches() {
      yield trades.slice(0, 2);
      yield trades.slice(2);
    }
    for (const bars of [columns, await aggregateTrades(one(), opts), await aggregateTrades(batches(), opts)]) {
      expect(Array.from(bars.close)).toEqual(Array.from(expected.close));
      expect(Array.from(bars.volume)).toEqual(Array.from(expected.volume));
    }
  });

  it('rejects out-of-order trades and bad prices naming the index', () => {
    expect(() => aggregateTrades([trades[1]!, trades[0]!], opts)).toThrow(ValidationError);
    try {
      aggregateTrades([trades[0]!, { time: T0 + 2_000, price: -1, amount: 1 }], opts);
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { row: 1, field: 'price', reason: 'price -1 is not a positive number' },
      ]);
    }
  });

  it('aggregating to 5m equals aggregating to 1m then resampling (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 3_000_000 }),
            fc.double({ min: 1, max: 1e5, noNaN: true }),
            fc.double({ min: 0, max: 10, noNaN: true }),
          ),
          { minLength: 1, maxLength: 300 },
        ),
        (raw) => {
          const sorted = raw
            .map(([dt, price, amount]) => ({ time: T0 + dt, price, amount }))
            .sort((a, b) => a.time - b.time);
          const direct = aggregateTrades(sorted, { symbol: 'X', timeframe: '5m' });
          const viaMinutes = resample(aggregateTrades(sorted, opts), '5m', { partial: 'flag' }).bars;
          expect(Array.from(viaMinutes.time)).toEqual(Array.from(direct.time));
          expect(Array.from(viaMinutes.high)).toEqual(Array.from(direct.high));
          expect(Array.from(viaMinutes.close)).toEqual(Array.from(direct.close));
        },
      ),
      { numRuns: 100 },
    );
  });
});
