import { ValidationError } from '@candlelab/core';
import { checkInteger, type IndexRange, indicesToRanges } from './indexRange.js';

/** The time columns that purging needs: when each sample's features are known and when its label ends. */
export interface LabelTimes {
  /** Sorted sample times (epoch ms). */
  time: Float64Array;
  /** Time each sample's label is fully known (`>= time`). Default: `time` (labels known at once, so nothing is purged). */
  labelEnd?: Float64Array;
}

/** Checks that `time` is sorted and `labelEnd` (when given) has one value `>= time` per row. */
export function checkLabelTimes(times: LabelTimes, context: string): Float64Array {
  const { time } = times;
  const labelEnd = times.labelEnd ?? time;
  if (labelEnd.length !== time.length) {
    throw new ValidationError(context, [
      { field: 'labelEnd', reason: `labelEnd has ${labelEnd.length} values, time has ${time.length}` },
    ]);
  }
  for (let i = 0; i < time.length; i++) {
    if (i > 0 && !(time[i]! >= time[i - 1]!))
      throw new ValidationError(context, [{ row: i, field: 'time', reason: 'time is not sorted ascending' }]);
    if (!(labelEnd[i]! >= time[i]!)) {
      throw new ValidationError(context, [
        { row: i, field: 'labelEnd', reason: `labelEnd ${labelEnd[i]} is before time ${time[i]}` },
      ]);
    }
  }
  return labelEnd;
}

/**
 * Purged and embargoed training rows (López de Prado, AFML §7.4): every row outside `test` whose
 * label window `[time, labelEnd]` overlaps a test block's window `[time of its first row, max
 * labelEnd of the block]` is purged, and the first `embargo` rows after each block are embargoed.
 * Adjacent test ranges form one block. Windows are closed intervals, so a label ending exactly at
 * a test block's start is purged (AFML keeps it; this is the stricter choice).
 *
 * @param candidates rows that may train, sorted; typically everything outside `test`.
 * @param embargo rows embargoed after each test block (AFML's `pctEmbargo × n`). Default 0.
 */
export function purgeTrain(
  times: LabelTimes,
  candidates: readonly IndexRange[],
  test: readonly IndexRange[],
  embargo = 0,
): IndexRange[] {
  checkInteger('embargo', embargo, 0);
  const { time } = times;
  const labelEnd = times.labelEnd ?? time;
  const n = time.length;
  const keep = new Uint8Array(n);
  for (const range of candidates) keep.fill(1, range.start, range.end);
  for (const range of test) keep.fill(0, range.start, range.end);
  let k = 0;
  while (k < test.length) {
    const blockStart = test[k]!.start;
    let blockEnd = test[k]!.end;
    while (k + 1 < test.length && test[k + 1]!.start === blockEnd) blockEnd = test[++k]!.end;
    k++;
    if (blockEnd <= blockStart) continue;
    const windowStart = time[blockStart]!;
    let windowEnd = -Infinity;
    for (let i = blockStart; i < blockEnd; i++) if (labelEnd[i]! > windowEnd) windowEnd = labelEnd[i]!;
    for (let i = 0; i < n; i++) if (keep[i] === 1 && time[i]! <= windowEnd && labelEnd[i]! >= windowStart) keep[i] = 0;
    let after = blockEnd;
    while (after < n && time[after]! <= windowEnd) after++;
    keep.fill(0, after, Math.min(n, after + embargo));
  }
  const indices: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i] === 1) indices.push(i);
  return indicesToRanges(indices);
}
