import { barsPerYear, InvalidParameterError, type MarketCalendar } from '@candlelab/core';

/**
 * How to annualize per-bar statistics. Resolution order:
 * 1. `periodsPerYear` when given (any finite number > 0);
 * 2. else `timeframe` → core's `barsPerYear(timeframe, calendar)` (crypto: 365 × 24 h, the default
 *    calendar; equity: 252 days × 6.5 h intraday, 252 days / bar length from 1d up);
 * 3. else `calendar` alone means daily bars: 365 for crypto, 252 for equity;
 * 4. else 252 (daily equity bars, the usual convention of empyrical/quantstats).
 */
export interface AnnualizationOptions {
  /** Bars per year; overrides `timeframe` and `calendar`. Default: from `timeframe`, else 252. */
  periodsPerYear?: number;
  /** Bar length such as `1h`, `4h`, `1d` used with `calendar`. Default: none. */
  timeframe?: string;
  /** Market calendar. Default `'crypto'` when `timeframe` is given. */
  calendar?: MarketCalendar;
}

/** Default periods per year when no annualization option is given (daily equity bars). */
export const DEFAULT_PERIODS_PER_YEAR = 252;

/** Resolves {@link AnnualizationOptions} to a number of bars per year (see there for the order). */
export function periodsPerYear(options: AnnualizationOptions = {}): number {
  const { periodsPerYear: given, timeframe, calendar } = options;
  if (calendar !== undefined && calendar !== 'crypto' && calendar !== 'equity') {
    throw new InvalidParameterError('calendar', calendar, "expected 'crypto' or 'equity'");
  }
  if (given !== undefined) {
    if (typeof given !== 'number' || !Number.isFinite(given) || given <= 0) {
      throw new InvalidParameterError('periodsPerYear', given, 'must be a finite number > 0');
    }
    return given;
  }
  if (timeframe !== undefined) return barsPerYear(timeframe, calendar ?? 'crypto');
  if (calendar !== undefined) return barsPerYear('1d', calendar);
  return DEFAULT_PERIODS_PER_YEAR;
}
