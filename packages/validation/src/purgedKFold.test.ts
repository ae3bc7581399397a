import { InvalidParameterError, ValidationError } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryLabelTimes, expectPurgedAndEmbargoed } from '../test/splitProperties.js';
import reference from './__fixtures__/reference.json' with { type: 'json' };
import { rangesToIndices } from './indexRange.js';
import { purgedKFold } from './purgedKFold.js';

describe('purgedKFold', () => {
  // Reference: AFML snippet 7.3 (PurgedKFold) transcribed in __fixtures__/make_reference.py.
  it.each(reference.purgedKFold)(
    'matches López de Prado’s PurgedKFold (n=$time.length, k=$nSplits, embargo=$embargo)',
    (c) => {
      const splits = purgedKFold(
        { time: Float64Array.from(c.time), labelEnd: Float64Array.from(c.labelEnd) },
        { nSplits: c.nSplits, embargo: c.embargo },
      );
      expect(splits.map((s) => ({ train: [...rangesToIndices(s.train)], test: [...rangesToIndices(s.test)] }))).toEqual(
        c.folds,
      );
    },
  );

  it('property: purge and embargo hold, train and test are disjoint, every row tested once', () => {
    fc.assert(
      fc.property(
        arbitraryLabelTimes(),
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 0, max: 6 }),
        (times, nSplits, embargo) => {
          fc.pre(times.time.length >= nSplits);
          const splits = purgedKFold(times, { nSplits, embargo });
          const count = new Uint8Array(times.time.length);
          for (const split of splits) {
            expectPurgedAndEmbargoed(times, split, embargo);
            for (const i of rangesToIndices(split.test)) count[i]!++;
          }
          expect(count.every((c) => c === 1)).toBe(true);
        },
      ),
    );
  });

  it('without labelEnd, trains on every other row', () => {
    const time = Float64Array.from({ length: 10 }, (_, i) => i * 1000);
    const splits = purgedKFold({ time }, { nSplits: 5 });
    expect(splits[2]!.train).toEqual([
      { start: 0, end: 4 },
      { start: 6, end: 10 },
    ]);
  });

  it('rejects unsorted time and label ends before their sample', () => {
    expect(() => purgedKFold({ time: Float64Array.from([0, 2, 1]) }, { nSplits: 2 })).toThrow(ValidationError);
    try {
      purgedKFold({ time: Float64Array.from([0, 1, 2]), labelEnd: Float64Array.from([1, 0, 2]) }, { nSplits: 2 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).rows).toEqual([1]);
    }
    expect(() => purgedKFold({ time: Float64Array.from([0, 1, 2]) }, { nSplits: 2, embargo: -1 })).toThrow(
      InvalidParameterError,
    );
  });
});
