import { type Bars, emptyBars, sliceBars } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { completedHigherTimeframe, joinCompleted, timeframeRatio } from './higherTimeframe.js';

const HOUR = 3_600_000;

/** Hourly bars starting at `startHour` (UTC hours since epoch), close = index + 1, skipping `gaps`. */
function hourly(n: number, startHour: number, gaps: readonly number[] = []): Bars {
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !gaps.includes(i));
  const bars = emptyBars('TEST', '1h', keep.length);
  keep.forEach((i, r) => {
    bars.time[r] = (startHour + i) * HOUR;
    bars.open[r] = i + 0.5;
    bars.high[r] = i + 2;
    bars.low[r] = i;
    bars.close[r] = i + 1;
    bars.volume[r] = 1;
  });
  return bars;
}

describe('completedHigherTimeframe', () => {
  it('aggregates 4h buckets and exposes one only after its last hour closed', () => {
    const { bars, lastCompleted } = completedHigherTimeframe(hourly(10, 0), '4h');
    expect([...bars.time]).toEqual([0, 4 * HOUR]);
    expect([...bars.open]).toEqual([0.5, 4.5]);
    expect([...bars.high]).toEqual([5, 9]);
    expect([...bars.low]).toEqual([0, 4]);
    expect([...bars.close]).toEqual([4, 8]);
    expect([...bars.volume]).toEqual([4, 4]);
    // Hour 3 closes the first bucket; hours 0-2 see nothing completed yet.
    expect([...lastCompleted]).toEqual([-1, -1, -1, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('skips a first bucket cut by the start of the data', () => {
    const { bars, lastCompleted } = completedHigherTimeframe(hourly(8, 2), '4h');
    expect([...bars.time]).toEqual([4 * HOUR]);
    expect([...lastCompleted]).toEqual([-1, -1, -1, -1, -1, 0, 0, 0]);
  });

  it('completes a bucket whose last hours are missing when the next bucket starts', () => {
    const { bars, lastCompleted } = completedHigherTimeframe(hourly(9, 0, [3]), '4h');
    expect([...bars.close]).toEqual([3, 8]);
    expect([...lastCompleted]).toEqual([-1, -1, -1, 0, 0, 0, 1, 1]);
  });

  it('is causal: a prefix of the data gives a prefix of the join', () => {
    const bars = hourly(50, 1, [17, 18, 30]);
    const full = completedHigherTimeframe(bars, '4h');
    for (let t = 0; t < bars.time.length; t++) {
      const part = completedHigherTimeframe(sliceBars(bars, 0, t + 1), '4h');
      expect([...part.lastCompleted]).toEqual([...full.lastCompleted.subarray(0, t + 1)]);
      const k = part.bars.time.length;
      expect([...part.bars.close]).toEqual([...full.bars.close.subarray(0, k)]);
    }
  });

  it('joins with NaN before the first completed bar', () => {
    const joined = joinCompleted(Float64Array.of(10, 20), Int32Array.of(-1, 0, 1));
    expect([...joined]).toEqual([Number.NaN, 10, 20]);
  });

  it('refuses a timeframe that is not a larger multiple', () => {
    expect(() => timeframeRatio('1h', '90m')).toThrow(/timeframe/);
    expect(() => timeframeRatio('4h', '1h')).toThrow(/timeframe/);
    expect(timeframeRatio('1h', '1d')).toBe(24);
  });
});
