import { argsort } from '@candlelab/core';
import { checkSeries } from './checkSeries.js';

/**
 * 1-based ranks with ties given the average of the ranks they span (`scipy.stats.rankdata`'s
 * default 'average' method), e.g. `[10, 20, 20, 5]` → `[2, 3.5, 3.5, 1]`. Values must be finite.
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  checkSeries('averageRanks', 'values', values);
  return ranksOf(values);
}

/** {@link averageRanks} on trusted input. */
export function ranksOf(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = argsort(values);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    const value = values[order[start]!]!;
    let end = start + 1;
    while (end < n && values[order[end]!] === value) end++;
    const rank = (start + 1 + end) / 2;
    for (let j = start; j < end; j++) ranks[order[j]!] = rank;
    start = end;
  }
  return ranks;
}
