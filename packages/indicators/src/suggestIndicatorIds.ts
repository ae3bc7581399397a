import { suggestNames } from '@candlelab/core';
import { indicatorIds } from './registry.js';

/**
 * The registered indicator ids closest to an unknown one, for "did you mean 'rsi'?" messages in
 * strategy-file validation: at most `max` (default 3) ids within an edit distance (Levenshtein
 * plus adjacent transpositions, case ignored) of a third of the longer name, at least 2; nearest
 * first, ties in registry order. An exact id (in any case) comes back alone; `[]` when nothing is
 * close.
 */
export function suggestIndicatorIds(id: string, max = 3): string[] {
  return suggestNames(id, indicatorIds, max);
}
