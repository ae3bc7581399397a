import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Bars,
  barsBetween,
  barsToCandles,
  barsToOhlcv,
  candlesToBars,
  checkBars,
  concatBars,
  emptyBars,
  ohlcvToBars,
  sliceBars,
  validateBars,
} from './bars.js';
import { ValidationError } from './errors.js';

function makeBars(rows: Array<[number, number, number, number, number, number]>): Bars {
  const bars = emptyBars('BTC/USDT', '1h', rows.length);
  rows.forEach(([t, o, h, l, c, v], i) => {
    bars.time[i] = t;
    bars.open[i] = o;
    bars.high[i] = h;
    bars.low[i] = l;
    bars.close[i] = c;
    bars.volume[i] = v;
  });
  return bars;
}

const H = 3_600_000;
const good: Array<[number, number, number, number, number, number]> = [
  [0, 10, 12, 9, 11, 100],
  [H, 11, 13, 10, 12, 50],
  [2 * H, 12, 12, 8, 9, 0],
];

describe('checkBars', () => {
  it('accepts consistent bars', () => {
    expect(checkBars(makeBars(good))).toEqual({ valid: true, issues: [], truncated: false });
  });

  it.each([
    ['NaN price', 1, 4, Number.NaN, 'close'],
    ['Infinity high', 1, 2, Number.POSITIVE_INFINITY, 'high'],
    ['negative price', 2, 1, -5, 'open'],
    ['negative volume', 0, 5, -1, 'volume'],
  ])('reports %s with its row and field', (_name, row, column, value, field) => {
    const rows = good.map((r) => [...r] as typeof r);
    rows[row]![column] = value;
    const report = checkBars(makeBars(rows));
    expect(report.valid).toBe(false);
    expect(report.issues.some((issue) => issue.row === row && issue.field === field)).toBe(true);
  });

  it('reports high < low and open outside the range', () => {
    const rows = good.map((r) => [...r] as typeof r);
    rows[1] = [H, 11, 9, 10, 12, 1];
    const report = checkBars(makeBars(rows));
    expect(new Set(report.issues.map((i) => i.row))).toEqual(new Set([1]));
    expect(report.issues.map((i) => i.reason)).toEqual(['high 9 < low 10', 'high 9 < max(open, close) 12']);
  });

  it('reports unsorted and duplicate times', () => {
    const rows = good.map((r) => [...r] as typeof r);
    rows[1]![0] = 0;
    rows[2]![0] = -H;
    const report = checkBars(makeBars(rows));
    expect(report.issues.map((i) => [i.row, i.field])).toEqual([
      [1, 'time'],
      [2, 'time'],
    ]);
    expect(report.issues[0]!.reason).toMatch(/duplicate/);
    expect(report.issues[1]!.reason).toMatch(/not sorted/);
  });

  it('reports mismatched column lengths', () => {
    const bars = makeBars(good);
    bars.volume = new Float64Array(2);
    expect(checkBars(bars).issues).toEqual([{ field: 'volume', reason: 'column has 2 values, time has 3' }]);
  });

  it('checks grid alignment when asked', () => {
    const bars = makeBars(good);
    bars.time[2] = 2 * H + 1;
    expect(checkBars(bars).valid).toBe(true);
    expect(checkBars(bars, { requireAligned: true }).issues[0]).toMatchObject({ row: 2, field: 'time' });
  });

  it('caps the number of issues and says so', () => {
    const bars = emptyBars('X', '1m', 1000);
    const report = checkBars(bars, { maxIssues: 5 });
    expect(report.issues).toHaveLength(5);
    expect(report.truncated).toBe(true);
  });

  it('validateBars throws a ValidationError listing offending rows', () => {
    const rows = good.map((r) => [...r] as typeof r);
    rows[2]![4] = Number.NaN;
    try {
      validateBars(makeBars(rows));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).rows).toEqual([2]);
      expect((error as ValidationError).message).toMatch(/row 2, close: close is NaN/);
    }
  });

  it('validates an empty series as valid', () => {
    expect(checkBars(emptyBars('X', '1d')).valid).toBe(true);
  });
});

describe('conversions', () => {
  it('round-trips Candle[] and ccxt rows through Bars', () => {
    const bars = makeBars(good);
    expect(candlesToBars(barsToCandles(bars), 'BTC/USDT', '1h')).toEqual(bars);
    expect(ohlcvToBars(barsToOhlcv(bars), 'BTC/USDT', '1h')).toEqual(bars);
  });

  it('refuses ccxt rows with missing values, naming row and field', () => {
    expect(() =>
      ohlcvToBars(
        [
          [0, 1, 2, 1, 1, 5],
          [H, 1, 2, 1, null, 5],
        ],
        'X',
        '1h',
      ),
    ).toThrow(/row 1, close: expected a number, got null/);
    expect(() => ohlcvToBars([[0, 1, 2]], 'X', '1h')).toThrow(/row 0: expected \[time, open/);
  });

  it('slices, selects by time and concatenates', () => {
    const bars = makeBars(good);
    expect(Array.from(sliceBars(bars, 1).time)).toEqual([H, 2 * H]);
    expect(Array.from(barsBetween(bars, H, 2 * H).close)).toEqual([12]);
    expect(concatBars([sliceBars(bars, 0, 1), sliceBars(bars, 1)])).toEqual(bars);
  });

  it('every valid generated series passes; any corrupted row is reported at its index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(), fc.integer({ min: 0, max: 3 }), (n, at, kind) => {
        const bars = emptyBars('X', '1m', n);
        for (let i = 0; i < n; i++) {
          bars.time[i] = i * 60_000;
          bars.open[i] = 10 + (i % 3);
          bars.close[i] = 10 + (i % 5);
          bars.high[i] = 20;
          bars.low[i] = 5;
          bars.volume[i] = i;
        }
        expect(checkBars(bars).valid).toBe(true);
        const row = at % n;
        if (kind === 0) bars.low[row] = 30;
        if (kind === 1) bars.close[row] = Number.NaN;
        if (kind === 2) bars.volume[row] = -1;
        if (kind === 3) bars.time[row] = row === 0 ? 0.5 : bars.time[row - 1]!;
        expect(checkBars(bars).issues.map((i) => i.row)).toContain(row);
      }),
    );
  });
});
