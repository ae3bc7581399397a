import { InvalidParameterError } from '@candlelab/core';

/** A half-open range of row indices `[start, end)`. */
export interface IndexRange {
  start: number;
  end: number;
}

/**
 * One split of a dataset's rows, as sorted, disjoint index ranges. Every splitter in this package
 * returns these (not index arrays), so a 45,000-row walk-forward costs a few objects per fold;
 * turn them into row indices with {@link rangesToIndices} when a model needs them.
 */
export interface Split {
  train: IndexRange[];
  test: IndexRange[];
  /** Held-out rows for early stopping, between train and test (chronological splits only). */
  validation?: IndexRange[];
}

/** Number of rows covered by `ranges`. */
export function rangesLength(ranges: readonly IndexRange[]): number {
  let total = 0;
  for (const range of ranges) total += range.end - range.start;
  return total;
}

/** The row indices covered by `ranges`, in order. */
export function rangesToIndices(ranges: readonly IndexRange[]): Uint32Array {
  const out = new Uint32Array(rangesLength(ranges));
  let k = 0;
  for (const range of ranges) for (let i = range.start; i < range.end; i++) out[k++] = i;
  return out;
}

/** Sorted row indices → the fewest sorted, disjoint ranges covering exactly them. */
export function indicesToRanges(indices: ArrayLike<number>): IndexRange[] {
  const out: IndexRange[] = [];
  let k = 0;
  while (k < indices.length) {
    const start = indices[k]!;
    let end = start + 1;
    k++;
    while (k < indices.length && indices[k] === end) {
      end++;
      k++;
    }
    out.push({ start, end });
  }
  return out;
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(parameter: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new InvalidParameterError(parameter, value, `expected an integer >= ${min}`);
  return value;
}
