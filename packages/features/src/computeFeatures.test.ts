import { type Bars, copyBars } from '@candlelab/core';
import { FuzzyEngine } from '@candlelab/fuzzy';
import { bbands, rsi, sma } from '@candlelab/indicators';
import { btcHourly, expectArraysClose } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { computeFeatures } from './computeFeatures.js';
import { completedHigherTimeframe } from './higherTimeframe.js';

const bars = btcHourly({ last: 400 });

function column(result: ReturnType<typeof computeFeatures>, name: string): Float64Array {
  const k = result.names.indexOf(name);
  expect(k, `column ${name}`).toBeGreaterThanOrEqual(0);
  return result.columns[k]!;
}

describe('computeFeatures', () => {
  const result = computeFeatures(bars, {
    features: [
      { kind: 'returns', period: 3 },
      { kind: 'returns', period: 2, log: false },
      { kind: 'volumeRatio', period: 10 },
      { kind: 'priceRelative', id: 'sma', params: { period: 30 } },
      { kind: 'bandPosition', id: 'bbands', params: { period: 20 } },
      { kind: 'indicator', id: 'rsi', params: { period: 14 } },
      { kind: 'lag', of: 'rsi_14', lag: 3 },
      {
        kind: 'fuzzy',
        input: 'rsi_14',
        sets: {
          low: { type: 'triangular', parameters: [0, 20, 50] },
          high: { type: 'sigmoid', parameters: [70, 0.3] },
        },
      },
      { kind: 'time', encoding: 'hourCos' },
      { kind: 'time', encoding: 'weekdaySin' },
      {
        kind: 'higherTimeframe',
        timeframe: '4h',
        features: [{ kind: 'indicator', id: 'sma', name: 'sma5', params: { period: 5 } }],
      },
    ],
  });
  const { close, volume } = bars;
  const n = close.length;

  it('computes returns over k bars (log and simple)', () => {
    const r3 = column(result, 'ret_3');
    const s2 = column(result, 'sret_2');
    expect(r3[2]).toBeNaN();
    for (let i = 3; i < n; i++) expect(r3[i]).toBeCloseTo(Math.log(close[i]! / close[i - 3]!), 14);
    for (let i = 2; i < n; i++) expect(s2[i]).toBeCloseTo(close[i]! / close[i - 2]! - 1, 14);
  });

  it('computes the volume ratio to its 10-bar mean', () => {
    const ratio = column(result, 'volume_ratio_10');
    for (let i = 9; i < n; i += 37) {
      let mean = 0;
      for (let j = i - 9; j <= i; j++) mean += volume[j]!;
      expect(ratio[i]).toBeCloseTo(volume[i]! / (mean / 10), 10);
    }
  });

  it('computes price relative to a moving average and the position in the bands', () => {
    const ma = sma.batch(close, { period: 30 });
    expectArraysClose(
      column(result, 'close_vs_sma_30'),
      Float64Array.from(ma, (m, i) => close[i]! / m - 1),
      { rel: 1e-12, abs: 1e-15 },
    );
    const bands = bbands.batch(close, { period: 20 });
    expectArraysClose(column(result, 'bbands_20_position'), bands.percentB, { rel: 1e-9, abs: 1e-12 });
  });

  it('lags a column and evaluates fuzzy sets like the FuzzyEngine', () => {
    const r = rsi.batch(close, { period: 14 });
    const lagged = column(result, 'rsi_14_lag3');
    for (let i = 3; i < n; i++) expect(Object.is(lagged[i], r[i - 3])).toBe(true);
    const engine = FuzzyEngine.fromConfig({
      rsi_14: {
        sets: {
          low: { type: 'triangular', parameters: [0, 20, 50] },
          high: { type: 'sigmoid', parameters: [70, 0.3] },
        },
      },
    });
    const memberships = engine.evaluate({ rsi_14: r });
    expect(column(result, 'rsi_14.low')).toEqual(memberships['rsi_14.low']);
    expect(column(result, 'rsi_14.high')).toEqual(memberships['rsi_14.high']);
  });

  it('encodes the UTC hour and weekday', () => {
    const hour = column(result, 'hourCos');
    const weekday = column(result, 'weekdaySin');
    for (let i = 0; i < n; i += 13) {
      const date = new Date(bars.time[i]!);
      const h = date.getUTCHours() + date.getUTCMinutes() / 60;
      expect(hour[i]).toBeCloseTo(Math.cos((2 * Math.PI * h) / 24), 12);
      const mondayBased = (date.getUTCDay() + 6) % 7;
      expect(weekday[i]).toBeCloseTo(Math.sin((2 * Math.PI * mondayBased) / 7), 12);
    }
  });

  it('joins higher-timeframe values from the last completed bar only', () => {
    const joined = column(result, '4h_sma5');
    const higher = completedHigherTimeframe(bars, '4h');
    const ma = sma.batch(higher.bars.close, { period: 5 });
    for (let i = 0; i < n; i++) {
      const j = higher.lastCompleted[i]!;
      expect(Object.is(joined[i], j < 0 ? Number.NaN : ma[j])).toBe(true);
      // The joined bar closed no later than this base bar.
      if (j >= 0) expect(higher.bars.time[j]! + 4 * 3_600_000).toBeLessThanOrEqual(bars.time[i]! + 3_600_000);
    }
  });

  it('is deterministic and leaves the bars untouched', () => {
    const before: Bars = copyBars(bars);
    const again = computeFeatures(bars, { features: [{ kind: 'rolling', of: 'close', stat: 'skew', window: 24 }] });
    const twice = computeFeatures(bars, { features: [{ kind: 'rolling', of: 'close', stat: 'skew', window: 24 }] });
    expect(again.columns[0]).toEqual(twice.columns[0]);
    expect(bars.close).toEqual(before.close);
  });
});
