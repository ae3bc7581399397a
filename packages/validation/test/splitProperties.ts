import fc from 'fast-check';
import { expect } from 'vitest';
import { rangesToIndices, type Split } from '../src/indexRange.js';
import type { LabelTimes } from '../src/purge.js';

/** Sorted times (with occasional ties) and label ends 0–10 steps ahead. */
export function arbitraryLabelTimes(maxRows = 120): fc.Arbitrary<Required<LabelTimes>> {
  return fc
    .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 10 })), {
      minLength: 1,
      maxLength: maxRows,
    })
    .map((rows) => {
      const time = new Float64Array(rows.length);
      const labelEnd = new Float64Array(rows.length);
      let t = 0;
      rows.forEach(([dt, horizon], i) => {
        t += dt;
        time[i] = t;
        labelEnd[i] = t + horizon;
      });
      return { time, labelEnd };
    });
}

/**
 * Asserts the purge/embargo invariants of a split, independently of how it was built: train
 * and test are disjoint; no training label window `[time, labelEnd]` overlaps the window of any
 * contiguous test block; the `embargo` rows right after each block's label window do not train.
 */
export function expectPurgedAndEmbargoed(times: Required<LabelTimes>, split: Split, embargo: number): void {
  const { time, labelEnd } = times;
  const train = rangesToIndices(split.train);
  const test = new Set(rangesToIndices(split.test));
  for (const i of train) expect(test.has(i)).toBe(false);
  const blocks: Array<[number, number]> = [];
  for (const i of [...test].sort((a, b) => a - b)) {
    const last = blocks[blocks.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else blocks.push([i, i + 1]);
  }
  for (const [start, end] of blocks) {
    const windowStart = time[start]!;
    let windowEnd = -Infinity;
    for (let i = start; i < end; i++) windowEnd = Math.max(windowEnd, labelEnd[i]!);
    const firstAfter = time.findIndex((t) => t > windowEnd);
    for (const i of train) {
      const overlaps = time[i]! <= windowEnd && labelEnd[i]! >= windowStart;
      expect(overlaps, `train row ${i} overlaps test block [${start}, ${end})`).toBe(false);
      if (firstAfter >= 0)
        expect(i >= firstAfter && i < firstAfter + embargo, `train row ${i} is embargoed`).toBe(false);
    }
  }
}
