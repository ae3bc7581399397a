import { type Bars, candleAt, sliceBars, timeframeToMs } from '@candlelab/core';
import { btcHourly, loadFixtureBars } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { buildDataset } from './buildDataset.js';
import { computeFeatures } from './computeFeatures.js';
import { FeatureStream } from './FeatureStream.js';
import { standardFeatureSet } from './standardFeatureSet.js';

/** First (bar, column) where the streamed raw rows differ in bits from the batch columns, or undefined. */
function firstDifference(bars: Bars, stream: FeatureStream, step: (i: number) => void): string | undefined {
  const batch = computeFeatures(bars, standardFeatureSet());
  expect(stream.names).toEqual(batch.names);
  for (let i = 0; i < bars.time.length; i++) {
    step(i);
    const row = stream.latest();
    for (let k = 0; k < batch.columns.length; k++) {
      if (!Object.is(row[k], batch.columns[k]![i]))
        return `bar ${i}, ${batch.names[k]}: stream ${row[k]}, batch ${batch.columns[k]![i]}`;
    }
  }
  return undefined;
}

/** Number of missing base bars (gaps) in `bars`. */
function gapCount(bars: Bars): number {
  const step = timeframeToMs(bars.timeframe);
  let gaps = 0;
  for (let i = 1; i < bars.time.length; i++) if (bars.time[i]! - bars.time[i - 1]! !== step) gaps++;
  return gaps;
}

describe('FeatureStream', () => {
  // The first 6,000 BTC/USDT hours (2017-08 → 2018-04) include exchange outages (gaps), which
  // exercise the higher-timeframe buckets completed by time.
  const bars = btcHourly({ first: 6000 });
  const set = standardFeatureSet();

  it('replays real bars one by one bit-identical to computeFeatures on every column and bar', () => {
    expect(gapCount(bars)).toBeGreaterThan(0);
    const stream = new FeatureStream(set, bars.symbol, bars.timeframe);
    expect(stream.names).toHaveLength(124);
    expect(firstDifference(bars, stream, (i) => stream.update(candleAt(bars, i)))).toBeUndefined();
    expect(stream.length).toBe(bars.time.length);
  });

  it('rows equal buildDataset rows exactly, null during the warm-up', () => {
    const part = sliceBars(bars, 0, 1500);
    const labels = { label: Float64Array.from(part.close, (_, i) => i % 2) };
    const { dataset, rows } = buildDataset(part, set, labels);
    const byBar = new Map<number, number>();
    rows.forEach((bar, r) => {
      byBar.set(bar, r);
    });
    const stream = new FeatureStream(set, part.symbol, part.timeframe);
    const d = dataset.featureNames.length;
    let compared = 0;
    for (let i = 0; i < part.time.length; i++) {
      const row = stream.update(candleAt(part, i));
      if (i < stream.warmup) {
        expect(row).toBeNull();
        continue;
      }
      const r = byBar.get(i);
      if (r === undefined) continue; // dropped (missing feature): not in the dataset
      for (let k = 0; k < d; k++) expect(Object.is(row![k], dataset.X[r * d + k]), dataset.featureNames[k]).toBe(true);
      compared++;
    }
    expect(compared).toBe(rows.length);
  });

  it('replace() of a forming bar, then the final close, equals a plain update (every column, every bar)', () => {
    const part = sliceBars(bars, 0, 2500);
    const plain = new FeatureStream(set, part.symbol, part.timeframe);
    const revised = new FeatureStream(set, part.symbol, part.timeframe);
    for (let i = 0; i < part.time.length; i++) {
      const bar = candleAt(part, i);
      const expected = plain.update(bar);
      // Two forming versions (a spike, then a NaN-free dip), then the closed bar.
      revised.update({ ...bar, high: bar.high * 1.02, close: bar.close * 1.015, volume: bar.volume * 0.4 });
      revised.replace({ ...bar, low: bar.low * 0.97, close: bar.close * 0.98, volume: bar.volume * 0.8 });
      const got = revised.replace(bar);
      if (expected === null) {
        expect(got).toBeNull();
        continue;
      }
      const a = plain.latest();
      const b = revised.latest();
      for (let k = 0; k < a.length; k++) {
        if (!Object.is(a[k], b[k])) expect.fail(`bar ${i}, ${plain.names[k]}: update ${a[k]}, replace ${b[k]}`);
      }
    }
    expect(revised.length).toBe(plain.length);
  });

  it('is bit-identical on 5m bars with gaps cut in and higher timeframes 1h and 4h', () => {
    // Cut out single bars, whole hours and the last bars of some hours, so buckets complete by
    // time (the next bucket opens) as well as by their closing bar.
    const full = loadFixtureBars('ohlcv/freqtrade/ETH_BTC-5m.json.gz');
    const keep = Array.from(full.time.keys()).filter(
      (i) => !(i % 97 === 0 || (i >= 2000 && i < 2030) || (i % 12 === 11 && i % 5 === 0)),
    );
    const five = { ...full };
    for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
      five[field] = Float64Array.from(keep, (i) => full[field][i]!);
    expect(gapCount(five)).toBeGreaterThan(50);
    const fiveSet = standardFeatureSet({ higherTimeframes: ['1h', '4h'] });
    const stream = new FeatureStream(fiveSet, five.symbol, five.timeframe);
    const batch = computeFeatures(five, fiveSet);
    let first: string | undefined;
    for (let i = 0; i < five.time.length && first === undefined; i++) {
      stream.update(candleAt(five, i));
      const row = stream.latest();
      for (let k = 0; k < row.length; k++) {
        if (!Object.is(row[k], batch.columns[k]![i])) {
          first = `bar ${i}, ${batch.names[k]}`;
          break;
        }
      }
    }
    expect(first).toBeUndefined();
    expect(Number.isFinite(stream.latest()[stream.names.indexOf('4h_rsi_14')]!)).toBe(true);
  });

  it('refuses bars out of order and replacements of another time', () => {
    const stream = new FeatureStream({ features: [{ kind: 'returns', period: 1 }] }, bars.symbol, bars.timeframe);
    expect(() => stream.replace(candleAt(bars, 0))).toThrow(/candle.time/);
    stream.update(candleAt(bars, 0));
    const forming = { ...candleAt(bars, 1), close: bars.close[0]! * 1.01 };
    expect(stream.update(forming)![0]).toBeCloseTo(Math.log(1.01), 12);
    expect(stream.replace(candleAt(bars, 1))![0]).toBe(Math.log(bars.close[1]! / bars.close[0]!));
    expect(() => stream.update(candleAt(bars, 1))).toThrow(/candle.time/);
    expect(() => stream.replace(candleAt(bars, 0))).toThrow(/candle.time/);
    expect(stream.length).toBe(2);
  });

  it('keeps accepting the deprecated maxHistory option, still validated against the warm-up', () => {
    expect(() => new FeatureStream(set, bars.symbol, bars.timeframe, { maxHistory: 10 })).toThrow(/maxHistory/);
    const stream = new FeatureStream(set, bars.symbol, bars.timeframe, { maxHistory: 600 });
    for (let i = 0; i < 700; i++) stream.update(candleAt(bars, i));
    // No history is kept, so even with a cap the row is the full-history batch row.
    const batch = computeFeatures(sliceBars(bars, 0, 700), set);
    batch.columns.forEach((column, k) => {
      expect(Object.is(stream.latest()[k], column[699]), batch.names[k]).toBe(true);
    });
  });
});
