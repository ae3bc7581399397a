import { InvalidParameterError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { chronologicalSplit } from './chronologicalSplit.js';

describe('chronologicalSplit', () => {
  it('splits 70/15/15 by default', () => {
    expect(chronologicalSplit(100)).toEqual({
      train: [{ start: 0, end: 70 }],
      validation: [{ start: 70, end: 85 }],
      test: [{ start: 85, end: 100 }],
    });
  });

  it('leaves gap rows before validation and test', () => {
    expect(chronologicalSplit(100, { fractions: { train: 0.6, validation: 0.2, test: 0.2 }, gap: 3 })).toEqual({
      train: [{ start: 0, end: 57 }],
      validation: [{ start: 60, end: 77 }],
      test: [{ start: 80, end: 100 }],
    });
  });

  it('cuts at dates', () => {
    const time = Float64Array.from({ length: 10 }, (_, i) => 1000 * i);
    expect(chronologicalSplit(time, { validationStart: 5500, testStart: 8000 })).toEqual({
      train: [{ start: 0, end: 6 }],
      validation: [{ start: 6, end: 8 }],
      test: [{ start: 8, end: 10 }],
    });
  });

  it('rejects fractions that do not sum to 1 and date cuts without time', () => {
    expect(() => chronologicalSplit(100, { fractions: { train: 0.8, validation: 0.3, test: 0.1 } })).toThrow(
      InvalidParameterError,
    );
    expect(() => chronologicalSplit(100, { validationStart: 1, testStart: 2 })).toThrow(/time column/);
  });
});
