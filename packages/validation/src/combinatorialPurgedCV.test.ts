import { InvalidParameterError } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryLabelTimes, expectPurgedAndEmbargoed } from '../test/splitProperties.js';
import { binomial, combinatorialPurgedCV, cpcvPathPredictions } from './combinatorialPurgedCV.js';
import { rangesToIndices } from './indexRange.js';

describe('combinatorialPurgedCV', () => {
  it('has C(N,k) splits and φ = k/N·C(N,k) paths (AFML ch. 12: N=6, k=2 → 15 splits, 5 paths)', () => {
    const time = Float64Array.from({ length: 60 }, (_, i) => i);
    const cv = combinatorialPurgedCV({ time }, { nGroups: 6, nTestGroups: 2 });
    expect(cv.splits).toHaveLength(15);
    expect(cv.paths).toHaveLength(5);
    expect(cv.splits[0]!.testGroups).toEqual([0, 1]);
    expect(cv.splits[14]!.testGroups).toEqual([4, 5]);
    // AFML fig. 12.1: path 1 takes group 1 from split (1,2), groups 2..6 from the first splits testing them.
    expect([...cv.paths[0]!]).toEqual([0, 0, 1, 2, 3, 4]);
    expect(binomial(10, 3)).toBe(120);
  });

  it('property: purge/embargo hold; each row tested C(N−1,k−1) times; each path covers every group once from a split testing it', () => {
    fc.assert(
      fc.property(
        arbitraryLabelTimes(90),
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 4 }),
        (times, nGroups, kRaw, embargo) => {
          const k = Math.min(kRaw, nGroups - 1);
          fc.pre(times.time.length >= nGroups);
          const cv = combinatorialPurgedCV(times, { nGroups, nTestGroups: k, embargo });
          expect(cv.splits).toHaveLength(binomial(nGroups, k));
          const count = new Uint16Array(times.time.length);
          for (const split of cv.splits) {
            expectPurgedAndEmbargoed(times, split, embargo);
            for (const i of rangesToIndices(split.test)) count[i]!++;
          }
          expect(count.every((c) => c === binomial(nGroups - 1, k - 1))).toBe(true);
          expect(cv.paths).toHaveLength((k / nGroups) * binomial(nGroups, k));
          const used = new Set<string>();
          for (const path of cv.paths) {
            path.forEach((s, g) => {
              expect(cv.splits[s]!.testGroups).toContain(g);
              used.add(`${s}/${g}`);
            });
          }
          expect(used.size).toBe(cv.splits.length * k);
        },
      ),
    );
  });

  it('assembles each backtest path from the splits that tested its groups', () => {
    const time = Float64Array.from({ length: 23 }, (_, i) => i);
    const cv = combinatorialPurgedCV({ time }, { nGroups: 5, nTestGroups: 3 });
    // Split s predicts 1000·s + row, so every path value reveals which split produced it.
    const predictions = cv.splits.map((split, s) =>
      Float64Array.from(rangesToIndices(split.test), (row) => 1000 * s + row),
    );
    const paths = cpcvPathPredictions(cv, predictions);
    expect(paths).toHaveLength(6);
    paths.forEach((path, p) => {
      cv.groups.forEach((group, g) => {
        for (let row = group.start; row < group.end; row++) expect(path[row]).toBe(1000 * cv.paths[p]![g]! + row);
      });
    });
    expect(() => cpcvPathPredictions(cv, predictions.slice(1))).toThrow(/one array per split/);
  });

  it('rejects k >= N', () => {
    expect(() => combinatorialPurgedCV({ time: new Float64Array(10) }, { nGroups: 3, nTestGroups: 3 })).toThrow(
      InvalidParameterError,
    );
  });
});
