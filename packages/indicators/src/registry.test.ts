import { type Candle, ConfigError, InvalidParameterError } from '@candlelab/core';
import { btcHourly, expectArraysClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bbands, rsi, sma, stoch } from './index.js';
import {
  computeIndicator,
  IndicatorRefSchema,
  indicatorEntry,
  indicatorIds,
  indicators,
  indicatorWarmup,
  parseIndicatorRef,
  streamIndicator,
} from './registry.js';

const bars = btcHourly({ last: 500 });

function expectInvalid(fn: () => unknown, parameter: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as InvalidParameterError).parameter).toBe(parameter);
    return;
  }
  throw new Error(`expected InvalidParameterError for '${parameter}'`);
}

describe('registry', () => {
  it('lists at least 60 indicators plus 10 candlestick patterns, keyed by their ids', () => {
    expect(indicatorIds.length).toBeGreaterThanOrEqual(70);
    for (const id of indicatorIds) expect(indicatorEntry(id).id).toBe(id);
    const groups = new Map<string, number>();
    for (const id of indicatorIds) groups.set(indicators[id].group, (groups.get(indicators[id].group) ?? 0) + 1);
    expect(groups.get('pattern')).toBeGreaterThanOrEqual(10);
    expect(indicatorIds.length - (groups.get('pattern') ?? 0)).toBeGreaterThanOrEqual(60);
    expect([...groups.keys()].sort()).toEqual([
      'momentum',
      'pattern',
      'statistics',
      'structure',
      'trend',
      'volatility',
      'volume',
    ]);
  });

  it('computes by id with validated parameters and defaults', () => {
    expectArraysClose(computeIndicator('rsi', bars, { period: 14 }), rsi.batch(bars.close), { rel: 0 });
    expect(Object.keys(computeIndicator('macd', bars))).toEqual(['macd', 'signal', 'histogram']);
    expect(indicatorWarmup('macd')).toBe(33);
    expect(indicatorWarmup('bbands', { period: 50 })).toBe(49);
    expect(streamIndicator('atr', { seed: 'tradingview' }).warmup).toBe(13);
  });

  it('parses config references and reports the failing path', () => {
    expect(IndicatorRefSchema.parse({ id: 'rsi', params: { period: 7 } })).toEqual({
      id: 'rsi',
      params: { period: 7 },
    });
    expect(parseIndicatorRef({ id: 'ema' })).toEqual({ id: 'ema', params: {} });
    expect(() => parseIndicatorRef({ id: 'rsi', params: { period: 0 } }, 'features[0]')).toThrow(ConfigError);
    try {
      parseIndicatorRef({ id: 'rsi', params: { period: 0 } });
    } catch (error) {
      expect((error as ConfigError).issues[0]!.field).toBe('params.period');
    }
    expect(() => parseIndicatorRef({ id: 'nope' })).toThrow(ConfigError);
  });
});

describe('parameter validation', () => {
  it('throws InvalidParameterError naming the parameter', () => {
    expectInvalid(() => sma.batch(bars.close, { period: 0 }), 'period');
    expectInvalid(() => sma.batch(bars.close, { period: -3 }), 'period');
    expectInvalid(() => sma.batch(bars.close, { period: 2.5 }), 'period');
    expectInvalid(() => computeIndicator('macd', bars, { fast: 26, slow: 12 }), 'fast');
    expectInvalid(() => computeIndicator('macd', bars, { fast: 12, slow: 12 }), 'fast');
    expectInvalid(() => computeIndicator('kama', bars, { fast: 30, slow: 2 }), 'fast');
    expectInvalid(() => bbands.batch(bars.close, { stdDev: -1 }), 'stdDev');
    expectInvalid(() => computeIndicator('rsi', bars, { smoothing: 'sma' as never }), 'smoothing');
    expectInvalid(() => computeIndicator('vwap', bars, { session: '7x' as never }), 'session');
    expectInvalid(() => streamIndicator('stoch', { kPeriod: 0 }), 'kPeriod');
  });

  it('names a missing or mismatched input column', () => {
    expectInvalid(() => computeIndicator('atr', bars.close), 'input');
    expectInvalid(
      () => computeIndicator('atr', { high: bars.high, low: bars.low.subarray(1), close: bars.close }),
      'input',
    );
    expect(() => sma.batch(bars.close, {}, new Float64Array(3))).toThrow(RangeError);
  });

  it('accepts plain arrays and records of columns', () => {
    expectArraysClose(sma.batch(Array.from(bars.close), { period: 5 }), sma.batch(bars, { period: 5 }), { rel: 0 });
    const k = stoch.batch({ high: bars.high, low: bars.low, close: bars.close });
    expectArraysClose(k.k, stoch.batch(bars).k, { rel: 0 });
  });
});

describe('streaming', () => {
  it('follows a forming candle with replace and is null until stable', () => {
    const stream = sma.stream({ period: 3 });
    const bar = (close: number): Candle => ({ time: 0, open: close, high: close, low: close, close, volume: 1 });
    expect(stream.update(bar(1))).toBeNull();
    expect(stream.update(bar(2))).toBeNull();
    expect(stream.isStable).toBe(false);
    expect(stream.update(bar(3))).toBe(2);
    expect(stream.replace(bar(6))).toBe(3);
    expect(stream.replace(bar(9))).toBe(4);
    expect(stream.update(bar(3))).toBeCloseTo((2 + 9 + 3) / 3, 12);
    expect(stream.isStable).toBe(true);
    expect(stream.length).toBe(4);
  });
});

describe('invariants (fast-check)', () => {
  const series = fc.array(fc.double({ min: 1, max: 1e5, noNaN: true }), { minLength: 40, maxLength: 200 });

  it('SMA of a constant series is that constant; RSI stays within [0, 100]', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 1, max: 30 }), (xs, period) => {
        const constant = sma.batch(new Float64Array(xs.length).fill(xs[0]!), { period });
        for (let i = period - 1; i < xs.length; i++) expect(constant[i]).toBeCloseTo(xs[0]!, 6);
        const r = rsi.batch(xs, { period });
        for (let i = period; i < xs.length; i++) expect(r[i]! >= 0 && r[i]! <= 100).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('Bollinger bands are ordered and %B is 0.5 at the middle', () => {
    fc.assert(
      fc.property(series, (xs) => {
        const b = bbands.batch(xs);
        for (let i = 19; i < xs.length; i++) {
          expect(b.upper[i]! >= b.middle[i]! - 1e-9 && b.middle[i]! >= b.lower[i]! - 1e-9).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });
});
