import { candleAt } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { DirectStream } from './defineIndicator.js';
import { type IndicatorId, indicatorEntry } from './registry.js';

/** Every indicator with a dedicated streaming form, with parameter sets that reach each seeding branch. */
const CASES: [IndicatorId, Record<string, unknown>][] = [
  ['sma', { period: 20 }],
  ['sma', { period: 1 }],
  ['ema', { period: 20 }],
  ['ema', { period: 1 }],
  ['rsi', { period: 14 }],
  ['rsi', { period: 7, smoothing: 'ewm' }],
  ['cmo', { period: 14 }],
  ['macd', {}],
  ['macd', { fast: 5, slow: 35, signal: 5, seeding: 'independent' }],
  ['ppo', {}],
  ['bbands', { period: 20, stdDev: 2 }],
  ['atr', { period: 14 }],
  ['atr', { period: 14, seed: 'tradingview' }],
  ['natr', { period: 7 }],
];

describe('dedicated streaming forms (DirectStream)', () => {
  const bars = btcHourly({ last: 1500 });

  it.each(CASES)('%s %j: update and replace are bit-identical to batch on every output', (id, params) => {
    const entry = indicatorEntry(id);
    const batch = entry.batch(bars, params);
    const outputs = entry.outputs;
    const columns = outputs.map((name) => (batch instanceof Float64Array ? batch : batch[name]!));
    const plain = entry.stream(params);
    const revised = entry.stream(params);
    expect(plain).toBeInstanceOf(DirectStream);
    for (let i = 0; i < bars.time.length; i++) {
      const bar = candleAt(bars, i);
      plain.update(bar);
      revised.update({ ...bar, high: bar.high * 1.01, low: bar.low * 0.98, close: bar.close * 1.007 });
      revised.replace({ ...bar, close: bar.close * 0.995 });
      revised.replace(bar);
      for (let k = 0; k < outputs.length; k++) {
        const want = columns[k]![i]!;
        if (!Object.is(plain.rawAt(k), want) || !Object.is(revised.rawAt(k), want))
          expect.fail(`bar ${i}, ${outputs[k]}: update ${plain.rawAt(k)}, replace ${revised.rawAt(k)}, batch ${want}`);
      }
      expect(plain.isStable).toBe(i >= plain.warmup);
      expect(plain.value === null).toBe(i < plain.warmup);
      expect(revised.length).toBe(i + 1);
    }
    const value = plain.value;
    if (outputs.length === 1) expect(value).toBe(columns[0]!.at(-1));
    else expect(value).toEqual(Object.fromEntries(outputs.map((name, k) => [name, columns[k]!.at(-1)])));
  });

  it('the first replace acts as update', () => {
    const stream = indicatorEntry('ema').stream({ period: 1 });
    expect(stream.replace(candleAt(bars, 0))).toBe(bars.close[0]);
    expect(stream.length).toBe(1);
  });
});
