import { candleAt, sliceBars } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { computeFeatures } from './computeFeatures.js';
import { FeatureStream } from './FeatureStream.js';
import { standardFeatureSet } from './standardFeatureSet.js';

describe('FeatureStream', () => {
  const bars = btcHourly({ last: 320 });
  const set = standardFeatureSet({ higherTimeframes: ['4h'] });

  it('gives exactly the batch row for each new bar, null during warm-up', () => {
    const batch = computeFeatures(bars, set);
    const stream = new FeatureStream(set, bars.symbol, bars.timeframe);
    expect(stream.names).toEqual(batch.names);
    for (let i = 0; i < bars.time.length; i++) {
      const row = stream.update(candleAt(bars, i));
      if (i < stream.warmup) {
        expect(row).toBeNull();
        continue;
      }
      if (i % 20 !== 0 && i !== bars.time.length - 1) continue;
      batch.columns.forEach((column, k) => {
        expect(Object.is(row![k], column[i]), batch.names[k]).toBe(true);
      });
    }
  });

  it('replace revises the forming bar; update refuses old times', () => {
    const stream = new FeatureStream({ features: [{ kind: 'returns', period: 1 }] }, bars.symbol, bars.timeframe);
    stream.update(candleAt(bars, 0));
    const forming = { ...candleAt(bars, 1), close: bars.close[0]! * 1.01 };
    expect(stream.update(forming)![0]).toBeCloseTo(Math.log(1.01), 12);
    expect(stream.replace(candleAt(bars, 1))![0]).toBeCloseTo(Math.log(bars.close[1]! / bars.close[0]!), 12);
    expect(() => stream.update(candleAt(bars, 1))).toThrow(/candle.time/);
    expect(stream.length).toBe(2);
  });

  it('with a history cap keeps the newest bars and still matches finite-memory features', () => {
    const finite = {
      features: [
        { kind: 'returns' as const, period: 3 },
        { kind: 'indicator' as const, id: 'sma' as const, params: { period: 10 } },
      ],
    };
    const stream = new FeatureStream(finite, bars.symbol, bars.timeframe, { maxHistory: 50 });
    let row: Float64Array | null = null;
    for (let i = 0; i < 200; i++) row = stream.update(candleAt(bars, i));
    expect(stream.length).toBe(50);
    const batch = computeFeatures(sliceBars(bars, 0, 200), finite);
    expect(row![0]).toBeCloseTo(batch.columns[0]![199]!, 12);
    expect(row![1]).toBeCloseTo(batch.columns[1]![199]!, 8);
    expect(() => new FeatureStream(set, bars.symbol, bars.timeframe, { maxHistory: 10 })).toThrow(/maxHistory/);
  });
});
