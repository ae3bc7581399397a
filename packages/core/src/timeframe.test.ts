import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from './errors.js';
import { TimeframeSchema } from './schemas.js';
import { alignTime, barsPerYear, inferCalendar, isAligned, parseTimeframe, timeframeToMs } from './timeframe.js';

describe('timeframe', () => {
  it('parses counts and units', () => {
    expect(timeframeToMs('1m')).toBe(60_000);
    expect(timeframeToMs('15m')).toBe(900_000);
    expect(timeframeToMs('4h')).toBe(14_400_000);
    expect(timeframeToMs('1d')).toBe(86_400_000);
    expect(parseTimeframe('1w')).toEqual({ count: 1, unit: 'w', ms: 604_800_000 });
  });

  it.each(['', '1', 'm', '0m', '1M', '1y', '-1h', '1.5h', ' 1h'])('refuses %j naming the parameter', (value) => {
    expect(() => parseTimeframe(value)).toThrow(InvalidParameterError);
    expect(() => parseTimeframe(value)).toThrow(/timeframe/);
  });

  it('aligns times to bar opens', () => {
    const t = Date.UTC(2022, 9, 11, 10, 37, 12);
    expect(alignTime(t, '1h')).toBe(Date.UTC(2022, 9, 11, 10));
    expect(alignTime(t, '4h')).toBe(Date.UTC(2022, 9, 11, 8));
    expect(alignTime(t, '15m')).toBe(Date.UTC(2022, 9, 11, 10, 30));
    expect(alignTime(t, '1d')).toBe(Date.UTC(2022, 9, 11));
    // 2022-10-11 was a Tuesday: the weekly bar opened on Monday 2022-10-10.
    expect(alignTime(t, '1w')).toBe(Date.UTC(2022, 9, 10));
    expect(isAligned(Date.UTC(2022, 9, 10), '1w')).toBe(true);
    expect(isAligned(Date.UTC(2022, 9, 11), '1w')).toBe(false);
  });

  it('counts bars per year for crypto and equity calendars', () => {
    expect(barsPerYear('1h')).toBe(8760);
    expect(barsPerYear('1d')).toBe(365);
    expect(barsPerYear('1d', 'equity')).toBe(252);
    expect(barsPerYear('1h', 'equity')).toBeCloseTo(1638, 10);
  });

  it('schema accepts timeframes and rejects others', () => {
    expect(TimeframeSchema.parse('5m')).toBe('5m');
    expect(TimeframeSchema.safeParse('5 minutes').success).toBe(false);
  });

  it('infers the calendar from the bar times: weekend bars mean crypto', () => {
    const day = 86_400_000;
    const monday = Date.UTC(2024, 0, 1);
    const weekdays = [0, 1, 2, 3, 4, 7, 8].map((d) => monday + d * day);
    expect(inferCalendar(weekdays)).toBe('equity');
    expect(inferCalendar([...weekdays, monday + 5 * day])).toBe('crypto');
  });
});
