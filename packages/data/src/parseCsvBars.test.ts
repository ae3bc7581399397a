import { ValidationError } from '@candlelab/core';
import { readFixture } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { parseCsvBars } from './parseCsvBars.js';

const opts = { symbol: 'BTC/USDT', timeframe: '1h' as const };
const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseCsvBars', () => {
  it('reads the GOOG fixture (pandas index header, ISO dates) exactly', () => {
    const text = readFixture('csv/GOOG.csv').toString('utf8');
    const bars = parseCsvBars(text, { symbol: 'GOOG', timeframe: '1d', requireAligned: true });
    const lines = text.trim().split('\n');
    expect(bars.time.length).toBe(lines.length - 1);
    expect(bars.time[0]).toBe(Date.UTC(2004, 7, 19));
    expect([bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]).toEqual([
      100, 104.06, 95.96, 100.34, 22351900,
    ]);
    const last = lines.at(-1)!.split(',');
    expect(bars.time.at(-1)).toBe(Date.parse(`${last[0]}T00:00:00Z`));
    expect(bars.close.at(-1)).toBe(Number(last[4]));
  });

  it('detects no header, semicolons, and epoch seconds / milliseconds / ISO timestamps alike', () => {
    const rows = [
      [T0 / 1000, 10, 12, 9, 11, 5],
      [T0 + H, 11, 13, 10, 12, 6],
    ];
    const seconds = parseCsvBars(rows.map((r) => r.join(';')).join('\n'), opts);
    expect(Array.from(seconds.time)).toEqual([T0, T0 + H]);
    const iso = parseCsvBars(
      `date,o,h,l,c,vol\n2024-01-01T00:00:00Z,10,12,9,11,5\n2024-01-01 01:00,11,13,10,12,6\n`,
      opts,
    );
    expect(Array.from(iso.time)).toEqual([T0, T0 + H]);
    expect(Array.from(iso.volume)).toEqual([5, 6]);
    const quoted = parseCsvBars(
      `"Timestamp","Open","High","Low","Close","Volume"\r\n"${T0}","10","12","9","11","5"\r\n`,
      opts,
    );
    expect(quoted.close[0]).toBe(11);
  });

  it('maps columns by name in any order and defaults a missing volume to 0', () => {
    const bars = parseCsvBars(`close,low,high,open,timestamp\n11,9,12,10,${T0}\n`, opts);
    expect([bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]).toEqual([10, 12, 9, 11, 0]);
  });

  it('names the line and field of a malformed row', () => {
    const error = errorOf(() =>
      parseCsvBars(`time,open,high,low,close,volume\n${T0},10,12,9,11,5\n${T0 + H},11,abc,10,12,6\n`, opts),
    );
    expect(error.issues).toEqual([{ row: 2, field: 'high', reason: 'line 3: cannot read "abc" as a decimal number' }]);
    expect(error.message).toContain('line 3');
    const short = errorOf(() => parseCsvBars(`${T0},10,12,9,11,5\n${T0 + H},11,13\n`, opts));
    expect(short.issues[0]).toMatchObject({ row: 1, field: 'low' });
  });

  it.each([
    ['NaN price', `${T0 + H},NaN,13,10,12,6`, 'open'],
    ['negative price', `${T0 + H},-11,13,10,12,6`, 'open'],
    ['high < low', `${T0 + H},11,9,10,10.5,6`, 'high'],
    ['negative volume', `${T0 + H},11,13,10,12,-6`, 'volume'],
    ['duplicate time', `${T0},11,13,10,12,6`, 'time'],
    ['unsorted time', `${T0 - H},11,13,10,12,6`, 'time'],
    ['bad timestamp', `yesterday,11,13,10,12,6`, 'time'],
  ])('rejects %s naming line 3', (_name, row, field) => {
    const error = errorOf(() => parseCsvBars(`time,open,high,low,close,volume\n${T0},10,12,9,11,5\n${row}\n`, opts));
    expect(
      error.issues.some((issue) => issue.row === 2 && issue.field === field && issue.reason.startsWith('line 3')),
    ).toBe(true);
  });

  it('rejects misaligned times only when asked to', () => {
    const text = `${T0 + 60_000},10,12,9,11,5\n`;
    expect(parseCsvBars(text, opts).time[0]).toBe(T0 + 60_000);
    expect(errorOf(() => parseCsvBars(text, { ...opts, requireAligned: true })).issues[0]).toMatchObject({
      row: 0,
      field: 'time',
    });
  });

  it('refuses a header without price columns', () => {
    expect(errorOf(() => parseCsvBars('time,foo,bar\n1,2,3\n', opts)).issues.map((i) => i.field)).toEqual([
      'open',
      'high',
      'low',
      'close',
    ]);
  });
});

describe('parseCsvBars hardening', () => {
  const BINANCE_T0 = Date.UTC(2025, 0, 1);
  /** A Binance public-data kline CSV (data.binance.vision, 12 columns, no header); times in µs since 2025. */
  const binanceDump = (unitFactor: number) =>
    [0, 1, 2]
      .map((i) => {
        const open = (BINANCE_T0 + i * H) * unitFactor;
        const close = (BINANCE_T0 + (i + 1) * H - 1) * unitFactor;
        return `${open},93576.00,94000.00,93500.10,93991.80,512.3,${close},48000000.1,84000,250.1,23400000.5,0`;
      })
      .join('\n');

  it('reads Binance dumps in microseconds (were year 56971, even with alignment required)', () => {
    const bars = parseCsvBars(binanceDump(1000), { ...opts, requireAligned: true });
    expect(Array.from(bars.time)).toEqual([BINANCE_T0, BINANCE_T0 + H, BINANCE_T0 + 2 * H]);
    expect(bars.close[0]).toBe(93991.8);
    expect(Array.from(parseCsvBars(binanceDump(1), opts).time)).toEqual(Array.from(bars.time));
  });

  it('refuses YYYYMMDD dates naming the line and asking for the unit; accepts a declared unit', () => {
    const text = 'date,open,high,low,close\n20201001,10,12,9,11\n20201002,11,13,10,12\n';
    const error = errorOf(() => parseCsvBars(text, { ...opts, timeframe: '1d' }));
    expect(error.issues[0]).toMatchObject({ row: 1, field: 'time' });
    expect(error.message).toMatch(/line 2: cannot tell the unit of 20201001 \(it looks like a YYYYMMDD date/);
    expect(error.message).toMatch(/timeUnit/);
    const seconds = `time,open,high,low,close\n${BINANCE_T0 / 1000},10,12,9,11\n`;
    expect(parseCsvBars(seconds, { ...opts, timeUnit: 's' }).time[0]).toBe(BINANCE_T0);
    const millis = `time,open,high,low,close\n${BINANCE_T0},10,12,9,11\n`;
    expect(errorOf(() => parseCsvBars(millis, { ...opts, timeUnit: 's' })).message).toMatch(/outside 1970/);
  });

  it('refuses times before 1970 and after 2100', () => {
    expect(errorOf(() => parseCsvBars('1969-12-31,10,12,9,11\n', opts)).issues[0]).toMatchObject({ field: 'time' });
    expect(errorOf(() => parseCsvBars('2100-01-01,10,12,9,11\n', opts)).issues[0]).toMatchObject({ field: 'time' });
  });

  it('refuses a hexadecimal price (0x64 was read as 100), naming the line and field', () => {
    const error = errorOf(() => parseCsvBars(`time,open,high,low,close\n${T0},0x64,120,90,110\n`, opts));
    expect(error.issues).toEqual([{ row: 1, field: 'open', reason: 'line 2: cannot read "0x64" as a decimal number' }]);
  });
});
