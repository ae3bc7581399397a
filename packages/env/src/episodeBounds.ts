import { InvalidParameterError, NotEnoughDataError, type Rng } from '@candlelab/core';

/** Rows `[start, end)` of the data an environment may use (defaults: all rows). */
export interface RowRange {
  start?: number;
  end?: number;
}

/**
 * The first decision bar and the end of a range for an env that needs `lookback` rows before
 * its decision bar and at least one bar after it (where orders fill), checking the range.
 */
export function episodeBounds(
  n: number,
  range: RowRange | undefined,
  lookback: number,
  episodeLength: number | undefined,
): { rangeStart: number; first: number; end: number } {
  const rangeStart = range?.start ?? 0;
  const end = range?.end ?? n;
  if (!Number.isInteger(rangeStart) || rangeStart < 0)
    throw new InvalidParameterError('range.start', rangeStart, 'expected an integer >= 0');
  if (!Number.isInteger(end) || end > n || end <= rangeStart)
    throw new InvalidParameterError('range.end', end, `expected an integer in (${rangeStart}, ${n}]`);
  const first = rangeStart + lookback;
  const needed = lookback + 1 + (episodeLength ?? 1);
  if (end - rangeStart < needed) throw new NotEnoughDataError('environment range rows', needed, end - rangeStart);
  return { rangeStart, first, end };
}

/**
 * Where an episode starts (the first decision bar, or a uniform draw that leaves room for a whole
 * episode) and how many steps it may take before the data or `episodeLength` ends it.
 */
export function episodeStart(
  rng: Rng,
  bounds: { first: number; end: number },
  episodeLength: number | undefined,
  randomStart: boolean,
): { t: number; stepsLeft: number } {
  const lastStart = bounds.end - 1 - (episodeLength ?? 1);
  const t = randomStart ? rng.intBetween(bounds.first, lastStart) : bounds.first;
  return { t, stepsLeft: Math.min(episodeLength ?? Number.POSITIVE_INFINITY, bounds.end - 1 - t) };
}
