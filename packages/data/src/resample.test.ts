import { type Bars, barsLength, emptyBars, InvalidParameterError, lowerBound, type Timeframe } from '@candlelab/core';
import { expectArraysClose, loadFixtureBars } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSyntheticBars } from './generateSyntheticBars.js';
import { resample } from './resample.js';

/** Compares our resampled bars with Binance's own bars of the coarse timeframe over their common span. */
function expectMatchesExchange(ours: Bars, theirs: Bars): number {
  const start = Math.max(ours.time[0]!, theirs.time[0]!);
  const end = Math.min(ours.time.at(-1)!, theirs.time.at(-1)!);
  const a = lowerBound(ours.time, start);
  const b = lowerBound(theirs.time, start);
  const n = lowerBound(ours.time, end + 1) - a;
  expect(lowerBound(theirs.time, end + 1) - b).toBe(n);
  for (const column of ['time', 'open', 'high', 'low', 'close'] as const) {
    expect(Array.from(ours[column].subarray(a, a + n)), column).toEqual(Array.from(theirs[column].subarray(b, b + n)));
  }
  // Volumes are sums of 8-decimal quantities: equal up to float rounding.
  expectArraysClose(ours.volume.subarray(a, a + n), theirs.volume.subarray(b, b + n), { rel: 1e-9, abs: 1e-8 });
  return n;
}

describe('resample against Binance bars of the coarse timeframe (same BTC/USDT series)', () => {
  const oneMinute = loadFixtureBars('ohlcv/binance-btc-multi/BTC_USDT-1m.json.gz');
  it.each(['5m', '15m', '30m', '1h'] as const)('1m → %s', (timeframe) => {
    const theirs = loadFixtureBars(`ohlcv/binance-btc-multi/BTC_USDT-${timeframe}.json.gz`);
    const { bars } = resample(oneMinute, timeframe);
    expect(expectMatchesExchange(bars, theirs)).toBeGreaterThan(700);
  });

  it.each(['4h', '1d'] as const)('1h → %s', (timeframe) => {
    const hourly = loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz', { last: 24 * 400 });
    const theirs = loadFixtureBars(`ohlcv/BTC_USDT-${timeframe}.json.gz`);
    const { bars } = resample(hourly, timeframe);
    expect(expectMatchesExchange(bars, theirs)).toBeGreaterThan(390);
  });
});

describe('resample rules', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const minute = (times: number[]): Bars => {
    const bars = emptyBars('X/Y', '1m', times.length);
    times.forEach((m, i) => {
      bars.time[i] = T0 + m * 60_000;
      bars.open[i] = 10 + i;
      bars.high[i] = 12 + i;
      bars.low[i] = 9 + i;
      bars.close[i] = 11 + i;
      bars.volume[i] = 1;
    });
    return bars;
  };

  it('drops or flags partial first and last bars', () => {
    const bars = minute([3, 4, 5, 6, 7, 8, 9, 10, 11]); // 5m buckets: [0,5) partial, [5,10) full, [10,15) partial
    const dropped = resample(bars, '5m');
    expect(Array.from(dropped.bars.time)).toEqual([T0 + 5 * 60_000]);
    expect([
      dropped.bars.open[0],
      dropped.bars.high[0],
      dropped.bars.low[0],
      dropped.bars.close[0],
      dropped.bars.volume[0],
    ]).toEqual([12, 18, 11, 17, 5]);
    const flagged = resample(bars, '5m', { partial: 'flag' });
    expect(Array.from(flagged.bars.time)).toEqual([T0, T0 + 5 * 60_000, T0 + 10 * 60_000]);
    expect(Array.from(flagged.counts)).toEqual([2, 5, 2]);
    expect([flagged.partialFirst, flagged.partialLast]).toEqual([true, true]);
  });

  it('keeps gaps as gaps and counts the inputs of incomplete periods', () => {
    const { bars, counts } = resample(minute([0, 1, 2, 3, 4, 15, 16, 18, 19]), '5m');
    expect(Array.from(bars.time)).toEqual([T0, T0 + 15 * 60_000]);
    expect(Array.from(counts)).toEqual([5, 4]);
  });

  it('rejects a timeframe that is not a whole multiple, or unknown', () => {
    const bars = minute([0, 1]);
    expect(() => resample({ ...bars, timeframe: '2m' }, '5m')).toThrow(InvalidParameterError);
    expect(() => resample(bars, '7x' as Timeframe)).toThrow(/timeframe/);
  });

  it('conserves volume and the price range, and equals resampling in two steps (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 600 }), (seed, count) => {
        const bars = generateSyntheticBars({ timeframe: '1m', count, seed });
        const direct = resample(bars, '1h', { partial: 'flag' }).bars;
        const twoStep = resample(resample(bars, '15m', { partial: 'flag' }).bars, '1h', { partial: 'flag' }).bars;
        expect(Array.from(twoStep.close)).toEqual(Array.from(direct.close));
        expect(Array.from(twoStep.high)).toEqual(Array.from(direct.high));
        const total = (b: Bars) => b.volume.reduce((s, v) => s + v, 0);
        expect(total(direct)).toBeCloseTo(total(bars), 6);
        expect(Math.max(...direct.high)).toBe(Math.max(...bars.high));
        expect(Math.min(...direct.low)).toBe(Math.min(...bars.low));
        expect(barsLength(direct)).toBeLessThanOrEqual(Math.ceil(count / 60) + 1);
      }),
      { numRuns: 60 },
    );
  });
});
