import { InvalidParameterError, NotEnoughDataError } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import reference from './__fixtures__/reference.json' with { type: 'json' };
import { rangesToIndices } from './indexRange.js';
import { timeSeriesSplit } from './timeSeriesSplit.js';

describe('timeSeriesSplit', () => {
  // Reference: scikit-learn TimeSeriesSplit (see __fixtures__/make_reference.py).
  it.each(reference.timeSeriesSplit)(
    'matches scikit-learn for n=$n nSplits=$nSplits gap=$gap testSize=$testSize maxTrainSize=$maxTrainSize',
    (c) => {
      const splits = timeSeriesSplit(c.n, {
        nSplits: c.nSplits,
        gap: c.gap,
        ...(c.testSize === null ? {} : { testSize: c.testSize }),
        ...(c.maxTrainSize === null ? {} : { maxTrainSize: c.maxTrainSize }),
      });
      expect(splits.map((s) => ({ train: [...rangesToIndices(s.train)], test: [...rangesToIndices(s.test)] }))).toEqual(
        c.folds,
      );
    },
  );

  it('property: train always precedes test by gap, and each tail row is tested once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 60, max: 300 }),
        (nSplits, gap, n) => {
          const splits = timeSeriesSplit(n, { nSplits, gap });
          const count = new Uint8Array(n);
          for (const s of splits) {
            const train = rangesToIndices(s.train);
            const test = rangesToIndices(s.test);
            expect(train[train.length - 1]! + gap).toBeLessThan(test[0]!);
            for (const i of test) count[i]!++;
          }
          const firstTest = splits[0]!.test[0]!.start;
          for (let i = 0; i < n; i++) expect(count[i]).toBe(i >= firstTest ? 1 : 0);
        },
      ),
    );
  });

  it('rejects bad parameters with typed errors', () => {
    expect(() => timeSeriesSplit(3, { nSplits: 5 })).toThrow(NotEnoughDataError);
    expect(() => timeSeriesSplit(100, { nSplits: 1 })).toThrow(InvalidParameterError);
    expect(() => timeSeriesSplit(100, { nSplits: 5, testSize: 30 })).toThrow(/testSize/);
  });
});
