import { NotEnoughDataError } from '@candlelab/core';
import { checkInteger, type IndexRange, type Split } from './indexRange.js';
import { checkLabelTimes, type LabelTimes, purgeTrain } from './purge.js';

export interface PurgedKFoldOptions {
  /** Number of folds. Default 5. */
  nSplits?: number;
  /** Rows embargoed after each test fold. Default 0. */
  embargo?: number;
}

/** `n` rows cut into `k` contiguous groups whose sizes differ by at most one (numpy's `array_split`). */
export function contiguousGroups(n: number, k: number): IndexRange[] {
  const groups: IndexRange[] = [];
  const base = Math.floor(n / k);
  const extra = n % k;
  let start = 0;
  for (let g = 0; g < k; g++) {
    const end = start + base + (g < extra ? 1 : 0);
    groups.push({ start, end });
    start = end;
  }
  return groups;
}

/**
 * Purged k-fold cross-validation (López de Prado, AFML §7.4): contiguous test folds, training on
 * all other rows except those whose label window overlaps the test fold (purge) and the
 * `embargo` rows right after it. Every row is tested exactly once.
 */
export function purgedKFold(times: LabelTimes, options: PurgedKFoldOptions = {}): Split[] {
  checkLabelTimes(times, 'purgedKFold');
  const n = times.time.length;
  const k = checkInteger('nSplits', options.nSplits ?? 5, 2);
  const embargo = checkInteger('embargo', options.embargo ?? 0, 0);
  if (n < k) throw new NotEnoughDataError(`purgedKFold with nSplits=${k}`, k, n);
  const all = [{ start: 0, end: n }];
  return contiguousGroups(n, k).map((test) => ({ train: purgeTrain(times, all, [test], embargo), test: [test] }));
}
