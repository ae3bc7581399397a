import { ValidationError } from '@candlelab/core';
import { loadFixtureBars, readFixture } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { parseJsonBars } from './parseJsonBars.js';

const opts = { symbol: 'ETH/BTC', timeframe: '5m' as const };
const T0 = Date.UTC(2024, 0, 1);

describe('parseJsonBars', () => {
  it('reads a freqtrade fixture identically to the fixture loader', () => {
    const text = readFixture('ohlcv/freqtrade/ETH_BTC-5m.json.gz').toString('utf8');
    const bars = parseJsonBars(text, { ...opts, requireAligned: true });
    const expected = loadFixtureBars('ohlcv/freqtrade/ETH_BTC-5m.json.gz');
    expect(Array.from(bars.time)).toEqual(Array.from(expected.time));
    expect(Array.from(bars.close)).toEqual(Array.from(expected.close));
    expect(Array.from(bars.volume)).toEqual(Array.from(expected.volume));
  });

  it('reads Binance-style string numbers, objects and ISO / second timestamps', () => {
    const fromStrings = parseJsonBars([[T0, '1', '2', '0.5', '1.5', '10']], opts);
    expect([fromStrings.open[0], fromStrings.close[0], fromStrings.volume[0]]).toEqual([1, 1.5, 10]);
    const fromObjects = parseJsonBars(
      JSON.stringify([
        { date: '2024-01-01T00:00:00Z', open: 1, high: 2, low: 0.5, close: 1.5 },
        { timestamp: T0 / 1000 + 300, o: 1.5, h: 2, l: 1, c: 1.8, v: 3 },
      ]),
      opts,
    );
    expect(Array.from(fromObjects.time)).toEqual([T0, T0 + 300_000]);
    expect(Array.from(fromObjects.volume)).toEqual([0, 3]);
  });

  it('names the element and field of bad input', () => {
    const bad = () => parseJsonBars([[T0, 1, 2, 0.5, 1.5, 10], [T0 + 300_000, 1, null, 0.5, 1.5, 10], 'x'], opts);
    expect(bad).toThrow(ValidationError);
    try {
      bad();
    } catch (error) {
      expect((error as ValidationError).issues.slice(0, 2)).toEqual([
        { row: 1, field: 'high', reason: 'element 1: cannot read null as high' },
        { row: 2, reason: 'element 2: expected an array or object, got "x"' },
      ]);
    }
    expect(() => parseJsonBars('{"not":"an array"}', opts)).toThrow(ValidationError);
    expect(() => parseJsonBars('[[1,2', opts)).toThrow(/not valid JSON/);
    const unsorted = () =>
      parseJsonBars(
        [
          [T0 + 300_000, 1, 2, 0.5, 1.5, 10],
          [T0, 1, 2, 0.5, 1.5, 10],
        ],
        opts,
      );
    expect(unsorted).toThrow(/element 1: time/);
  });

  it('accepts a UTF-8 byte order mark (was "not valid JSON")', () => {
    const text = `\uFEFF${JSON.stringify([[T0, 1, 2, 0.5, 1.5, 10]])}`;
    expect(parseJsonBars(text, opts).close[0]).toBe(1.5);
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify([[T0, 1, 2, 0.5, 1.5, 3]])),
    ]);
    expect(parseJsonBars(bytes.toString('utf8'), opts).time[0]).toBe(T0);
  });

  it('matches object keys case-insensitively, like CSV headers', () => {
    const bars = parseJsonBars(
      [
        { Date: '2024-01-01T00:00:00Z', Open: 1, High: 2, Low: 0.5, Close: 1.5, Volume: 7 },
        { OPENTIME: T0 + 300_000, OPEN: 1.5, HIGH: 2, LOW: 1, CLOSE: 1.8 },
      ],
      opts,
    );
    expect(Array.from(bars.time)).toEqual([T0, T0 + 300_000]);
    expect(Array.from(bars.close)).toEqual([1.5, 1.8]);
    expect(Array.from(bars.volume)).toEqual([7, 0]);
    const twice = () => parseJsonBars([{ time: T0, open: 1, Open: 2, high: 2, low: 0.5, close: 1.5 }], opts);
    expect(twice).toThrow(/keys open, Open differ only in case/);
  });

  it('refuses hexadecimal prices and ambiguous or far-off times, naming the element and field', () => {
    const hex = () => parseJsonBars([[T0, '0x64', 120, 90, 110, 1]], opts);
    expect(hex).toThrow(ValidationError);
    expect(hex).toThrow('element 0: cannot read "0x64" as a decimal number');
    expect(() => parseJsonBars([[20240101, 1, 2, 0.5, 1.5, 1]], opts)).toThrow(/cannot tell the unit of 20240101/);
    expect(() => parseJsonBars([[T0 * 1000 * 1000 * 1000, 1, 2, 0.5, 1.5, 1]], opts)).toThrow(/cannot tell the unit/);
    expect(parseJsonBars([[T0 * 1000, 1, 2, 0.5, 1.5, 1]], opts).time[0]).toBe(T0); // microseconds
    expect(parseJsonBars([[T0 / 1000, 1, 2, 0.5, 1.5, 1]], { ...opts, timeUnit: 's' }).time[0]).toBe(T0);
  });
});
