import { InvalidParameterError } from '@candlelab/core';
import type { TimeRange } from './CandleStore.js';

/** Sorts ranges and joins overlapping or touching ones; empty ranges are dropped. */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TimeRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else out.push({ start: range.start, end: range.end });
  }
  return out;
}

/** The parts of `range` not covered by any of `covered` (which need not be merged). */
export function subtractRanges(range: TimeRange, covered: readonly TimeRange[]): TimeRange[] {
  const out: TimeRange[] = [];
  let cursor = range.start;
  for (const c of mergeRanges(covered)) {
    if (c.end <= cursor) continue;
    if (c.start >= range.end) break;
    if (c.start > cursor) out.push({ start: cursor, end: c.start });
    cursor = Math.max(cursor, c.end);
    if (cursor >= range.end) break;
  }
  if (cursor < range.end) out.push({ start: cursor, end: range.end });
  return out;
}

/** Throws {@link InvalidParameterError} unless `start` and `end` are integer epoch-ms with `start < end`. */
export function checkRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new InvalidParameterError('start', start, 'expected a non-negative integer epoch-ms timestamp');
  }
  if (!Number.isSafeInteger(end) || end < 0) {
    throw new InvalidParameterError('end', end, 'expected a non-negative integer epoch-ms timestamp');
  }
  if (start >= end) throw new InvalidParameterError('start', start, `start must be before end (${end})`);
}
