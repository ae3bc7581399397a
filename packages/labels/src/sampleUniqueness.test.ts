import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelConcurrency, sampleUniqueness } from './sampleUniqueness.js';

describe('sampleUniqueness (AFML ch. 4)', () => {
  it('hand-worked: two overlapping labels and one alone', () => {
    // spans (0,2] = bars 1-2, (1,3] = bars 2-3, (3,5] = bars 4-5
    const endIndex = Int32Array.of(2, 3, -1, 5, -1, -1);
    expect(Array.from(labelConcurrency(endIndex))).toEqual([0, 1, 2, 1, 1, 1]);
    const u = sampleUniqueness(endIndex);
    expect(u[0]).toBe(0.75); // (1/1 + 1/2) / 2
    expect(u[1]).toBe(0.75); // (1/2 + 1/1) / 2
    expect(u[2]).toBeNaN();
    expect(u[3]).toBe(1);
  });

  it('back-to-back labels do not overlap (the label at t starts after t)', () => {
    expect(Array.from(sampleUniqueness(Int32Array.of(1, 2, 3, -1)).subarray(0, 3))).toEqual([1, 1, 1]);
  });

  it('fully nested labels: one-bar label inside a three-bar label', () => {
    // (0,3] = bars 1..3, (1,2] = bar 2: c = [0,1,2,1]
    const u = sampleUniqueness(Int32Array.of(3, 2, -1, -1));
    expect(u[0]).toBeCloseTo((1 + 0.5 + 1) / 3, 15);
    expect(u[1]).toBe(0.5);
  });

  it('property: weights in (0, 1], exactly 1 without overlap, equal to the indicator-matrix definition', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), { maxLength: 40 }),
        (spans) => {
          const n = spans.length;
          const endIndex = Int32Array.from(spans, (h, i) => (h === undefined || i + h >= n ? -1 : i + h));
          const u = sampleUniqueness(endIndex);
          // Brute force: indicator 1[t in (i, end_i]] summed per t (AFML §4.3 text).
          const c = new Array<number>(n).fill(0);
          for (let i = 0; i < n; i++) for (let t = i + 1; t <= endIndex[i]!; t++) c[t]!++;
          for (let i = 0; i < n; i++) {
            const end = endIndex[i]!;
            if (end < 0) {
              expect(u[i]).toBeNaN();
              continue;
            }
            let sum = 0;
            let alone = true;
            for (let t = i + 1; t <= end; t++) {
              sum += 1 / c[t]!;
              if (c[t]! > 1) alone = false;
            }
            expect(u[i]).toBeCloseTo(sum / (end - i), 14);
            expect(u[i]! > 0 && u[i]! <= 1).toBe(true);
            if (alone) expect(u[i]).toBe(1);
          }
        },
      ),
    );
  });
});
