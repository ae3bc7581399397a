import { NotEnoughDataError } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rangesLength, rangesToIndices } from './indexRange.js';
import { walkForwardSplit, walkForwardSplitByTime } from './walkForwardSplit.js';

describe('walkForwardSplit', () => {
  it('rolls windows by the retrain step', () => {
    expect(walkForwardSplit(10, { trainSize: 4, testSize: 2, gap: 1 })).toEqual([
      { train: [{ start: 0, end: 4 }], test: [{ start: 5, end: 7 }] },
      { train: [{ start: 2, end: 6 }], test: [{ start: 7, end: 9 }] },
      { train: [{ start: 4, end: 8 }], test: [{ start: 9, end: 10 }] },
    ]);
  });

  it('anchors windows at the first row and holds out validation at the end of train', () => {
    const splits = walkForwardSplit(12, { trainSize: 6, testSize: 3, anchored: true, validationSize: 2 });
    expect(splits.map((s) => [s.train, s.validation, s.test])).toEqual([
      [[{ start: 0, end: 4 }], [{ start: 4, end: 6 }], [{ start: 6, end: 9 }]],
      [[{ start: 0, end: 7 }], [{ start: 7, end: 9 }], [{ start: 9, end: 12 }]],
    ]);
  });

  it('property: train (and validation) end gap rows before test; tests are tested ceil(testSize/step)-bounded times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 200 }),
        (trainSize, testSize, step, gap, anchored, extra) => {
          const n = trainSize + gap + 1 + extra;
          const splits = walkForwardSplit(n, { trainSize, testSize, step, gap, anchored });
          const count = new Uint16Array(n);
          for (const s of splits) {
            const test = rangesToIndices(s.test);
            const train = rangesToIndices(s.train);
            expect(train[train.length - 1]! + gap).toBeLessThan(test[0]!);
            if (!anchored) expect(rangesLength(s.train)).toBe(trainSize);
            for (const i of test) count[i]!++;
          }
          // With step == testSize every row after the first window is tested exactly once.
          if (step === testSize) for (let i = trainSize + gap; i < n; i++) expect(count[i]).toBe(1);
          for (let i = 0; i < trainSize + gap; i++) expect(count[i]).toBe(0);
          for (const c of count) expect(c).toBeLessThanOrEqual(Math.ceil(testSize / step));
        },
      ),
    );
  });

  it('by time, follows the calendar across missing bars', () => {
    const hour = 3_600_000;
    const hours = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]; // bars at 6h and 7h are missing
    const time = Float64Array.from(hours, (h) => h * hour);
    const splits = walkForwardSplitByTime(time, { trainSize: 4 * hour, testSize: 2 * hour });
    expect(splits.map((s) => [s.train, s.test])).toEqual([
      [[{ start: 0, end: 4 }], [{ start: 4, end: 6 }]],
      // test window [6h, 8h) is empty: skipped
      [[{ start: 4, end: 6 }], [{ start: 6, end: 8 }]],
      [[{ start: 6, end: 8 }], [{ start: 8, end: 10 }]],
    ]);
  });

  it('throws NotEnoughDataError when no fold fits', () => {
    expect(() => walkForwardSplit(5, { trainSize: 5, testSize: 1 })).toThrow(NotEnoughDataError);
  });
});
