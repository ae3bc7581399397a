import { describe, expect, it } from 'vitest';
import { parseDecimal, parseTimestamp, readTimestamp } from './parseTimestamp.js';

const T = Date.UTC(2025, 0, 1, 13); // a 2025 hour open

describe('parseTimestamp', () => {
  it('detects seconds, milliseconds, microseconds and nanoseconds by magnitude', () => {
    expect(parseTimestamp(T / 1000)).toBe(T);
    expect(parseTimestamp(T)).toBe(T);
    // Binance public data dumps (data.binance.vision) write microseconds since 2025: was year 56971
    expect(parseTimestamp(T * 1000)).toBe(T);
    expect(parseTimestamp(String(T * 1000))).toBe(T);
    expect(parseTimestamp(`${T}000000`)).toBe(T);
    expect(parseTimestamp(Date.UTC(1990, 0, 1) / 1000)).toBe(Date.UTC(1990, 0, 1));
    expect(parseTimestamp(Date.UTC(2099, 11, 31))).toBe(Date.UTC(2099, 11, 31));
  });

  it('refuses YYYYMMDD integers (were read as 1970 epoch seconds), asking for the unit', () => {
    const reason = readTimestamp('20201001');
    expect(reason).toMatch(/YYYYMMDD/);
    expect(reason).toMatch(/timeUnit/);
    expect(parseTimestamp(20201001)).toBeNaN();
    // numbers between the unit ranges are refused too
    expect(parseTimestamp(5e10)).toBeNaN(); // 3554 as seconds, 1971 as ms
    expect(parseTimestamp(1e17)).toBeNaN();
  });

  it('uses a declared unit, still refusing times outside 1970–2100', () => {
    expect(parseTimestamp(20201001, 's')).toBe(20201001000);
    expect(parseTimestamp(T, 'ms')).toBe(T);
    expect(parseTimestamp(T * 1000, 'us')).toBe(T);
    expect(parseTimestamp(String(T * 1e6), 'ns')).toBe(T);
    expect(parseTimestamp(T, 's')).toBeNaN(); // year ~57000
    expect(readTimestamp(-1, 'ms')).toMatch(/outside 1970-01-01/);
  });

  it('reads ISO 8601 within 1970–2100 and refuses other text', () => {
    expect(parseTimestamp('2025-01-01 13:00')).toBe(T);
    expect(parseTimestamp('2025-01-01T14:00:00+01:00')).toBe(T);
    expect(parseTimestamp('1969-12-31')).toBeNaN();
    expect(parseTimestamp('2150-01-01')).toBeNaN();
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(parseTimestamp('0x64')).toBeNaN();
    expect(parseTimestamp('')).toBeNaN();
  });
});

describe('parseDecimal', () => {
  it('reads decimal numbers only: 0x64 is not 100', () => {
    expect(parseDecimal(' 12.5 ')).toBe(12.5);
    expect(parseDecimal('-.5')).toBe(-0.5);
    expect(parseDecimal('1e3')).toBe(1000);
    expect(parseDecimal('0.001')).toBe(0.001);
    expect(parseDecimal('0')).toBe(0);
    for (const text of ['0x64', '0X64', '0b11', '0o7', 'Infinity', '-Infinity', '', ' ', '1_000', 'NaN']) {
      expect(parseDecimal(text), text).toBeNaN();
    }
  });
});
