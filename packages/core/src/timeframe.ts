import { InvalidParameterError } from './errors.js';

/** Units a timeframe may use: seconds, minutes, hours, days, weeks. */
export type TimeframeUnit = 's' | 'm' | 'h' | 'd' | 'w';

/** A bar length written as `<count><unit>`, e.g. `1m`, `15m`, `4h`, `1d`, `1w`. */
export type Timeframe = `${number}${TimeframeUnit}`;

const UNIT_MS: Record<TimeframeUnit, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const TIMEFRAME_PATTERN = /^([1-9]\d*)([smhdw])$/;

/** Epoch (1970-01-01) was a Thursday; weekly bars open on Monday 00:00 UTC as on most exchanges. */
const WEEK_OFFSET_MS = 4 * UNIT_MS.d;

export interface ParsedTimeframe {
  count: number;
  unit: TimeframeUnit;
  ms: number;
}

export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === 'string' && TIMEFRAME_PATTERN.test(value);
}

/** Parses a timeframe string; throws {@link InvalidParameterError} naming `timeframe` for anything else. */
export function parseTimeframe(timeframe: string): ParsedTimeframe {
  const match = TIMEFRAME_PATTERN.exec(timeframe);
  if (!match) {
    throw new InvalidParameterError(
      'timeframe',
      timeframe,
      'expected <count><unit> with unit one of s, m, h, d, w (e.g. 1m, 15m, 4h, 1d, 1w)',
    );
  }
  const count = Number(match[1]);
  const unit = match[2] as TimeframeUnit;
  return { count, unit, ms: count * UNIT_MS[unit] };
}

/** Length of one bar of `timeframe`, in milliseconds. */
export function timeframeToMs(timeframe: string): number {
  return parseTimeframe(timeframe).ms;
}

/** The grid of bar opens of `timeframe`: opens are `offset + k * ms` (offset is non-zero for weeks only). */
export function timeframeGrid(timeframe: string): { ms: number; offset: number } {
  const { unit, ms } = parseTimeframe(timeframe);
  return { ms, offset: unit === 'w' ? WEEK_OFFSET_MS : 0 };
}

/** The open time of the bar of `timeframe` that contains `time` (UTC ms). Weeks open on Monday. */
export function alignTime(time: number, timeframe: string): number {
  const { ms, offset } = timeframeGrid(timeframe);
  return Math.floor((time - offset) / ms) * ms + offset;
}

/** Whether `time` is exactly a bar open of `timeframe`. */
export function isAligned(time: number, timeframe: string): boolean {
  return alignTime(time, timeframe) === time;
}

/** Market calendars used to annualize: crypto trades 365 days × 24 h; equities 252 days × 6.5 h. */
export type MarketCalendar = 'crypto' | 'equity';

/** Number of bars of `timeframe` in one year of the given calendar (default crypto). */
export function barsPerYear(timeframe: string, calendar: MarketCalendar = 'crypto'): number {
  const ms = timeframeToMs(timeframe);
  if (calendar === 'crypto') return (365 * UNIT_MS.d) / ms;
  if (ms >= UNIT_MS.d) return (252 * UNIT_MS.d) / ms;
  return (252 * 6.5 * UNIT_MS.h) / ms;
}

/**
 * The calendar a series trades on, read from its bar times: `crypto` when any bar opens on a
 * Saturday or Sunday (UTC), `equity` otherwise. Series shorter than a week of bars cannot show
 * weekends and are taken as `crypto` only if a weekend bar is seen, so short weekday-only
 * samples read as `equity`: pass the calendar explicitly where that matters.
 */
export function inferCalendar(time: ArrayLike<number>): MarketCalendar {
  for (let i = 0; i < time.length; i++) {
    const day = new Date(time[i]!).getUTCDay();
    if (day === 0 || day === 6) return 'crypto';
  }
  return 'equity';
}
