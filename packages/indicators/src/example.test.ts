// The README example, kept runnable.
import { btcHourly } from '@candlelab/test-utils';
import { expect, it } from 'vitest';
import { bbands, computeIndicator, indicatorWarmup, macd, parseIndicatorRef, rsi } from './index.js';

it('runs the README example', () => {
  const bars = btcHourly({ last: 1000 });
  const r = rsi.batch(bars.close, { period: 14 });
  expect(Number.isNaN(r[13]!)).toBe(true);
  expect(Number.isNaN(r[14]!)).toBe(false);
  const { upper, lower } = bbands.batch(bars, { period: 20, stdDev: 2 });
  expect(upper[999]! > lower[999]!).toBe(true);
  const out = new Float64Array(bars.close.length);
  expect(rsi.batch(bars, { period: 7 }, out)).toBe(out);
  const ref = parseIndicatorRef({ id: 'macd', params: { fast: 8, slow: 21 } });
  const m = computeIndicator('macd', bars, { fast: 8, slow: 21 });
  expect(ref.id).toBe('macd');
  expect(indicatorWarmup('macd', { fast: 8, slow: 21 })).toBe(28);
  const stream = macd.stream({ fast: 8, slow: 21 });
  for (let i = 0; i < bars.close.length; i++) {
    stream.update({
      time: bars.time[i]!,
      open: bars.open[i]!,
      high: bars.high[i]!,
      low: bars.low[i]!,
      close: bars.close[i]!,
      volume: bars.volume[i]!,
    });
  }
  expect(stream.isStable).toBe(true);
  expect(stream.value).toEqual({ macd: m.macd[999], signal: m.signal[999], histogram: m.histogram[999] });
});
