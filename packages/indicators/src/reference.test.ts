// Reference: __fixtures__/reference.json, produced by __fixtures__/reference.py — an independent
// numpy implementation (each window recomputed from scratch; SuperTrend ported from TradingView's
// Pine reference) on the last 600 bars of the BTC/USDT 1h fixture.
import { readFileSync } from 'node:fs';
import { btcHourly, expectArraysClose } from '@candlelab/test-utils';
import { describe, it } from 'vitest';
import { type IndicatorId, indicatorEntry } from './registry.js';

const reference = JSON.parse(readFileSync(new URL('./__fixtures__/reference.json', import.meta.url), 'utf8')) as Record<
  string,
  (number | null)[]
>;
const bars = btcHourly({ last: 600 });

describe('agreement with the numpy reference', () => {
  it.each(Object.keys(reference))('%s', (key) => {
    const [id, output] = key.split('.') as [IndicatorId, string | undefined];
    const result = indicatorEntry(id).batch(bars);
    const ours = result instanceof Float64Array ? result : result[output!]!;
    const expected = Float64Array.from(reference[key]!, (v) => (v === null ? Number.NaN : v));
    expectArraysClose(ours, expected, { rel: 1e-9, abs: 1e-9 }, key);
  });
});
