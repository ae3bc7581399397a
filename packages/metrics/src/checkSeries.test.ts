import { NotEnoughDataError, ValidationError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { checkSameLength, checkSeries } from './checkSeries.js';

describe('checkSeries', () => {
  it('names the argument and every bad index (up to 10, then truncated)', () => {
    const values = new Float64Array(30).fill(Number.NaN);
    try {
      checkSeries('demo', 'returns', values);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const e = error as ValidationError;
      expect(e.rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(e.truncated).toBe(true);
      expect(e.issues[0]).toEqual({ row: 0, field: 'returns', reason: 'is not finite (NaN)' });
    }
  });

  it('empty → ValidationError, too short → NotEnoughDataError, mismatch → ValidationError', () => {
    expect(() => checkSeries('demo', 'x', [])).toThrow(ValidationError);
    expect(() => checkSeries('demo', 'x', [1], 2)).toThrow(NotEnoughDataError);
    expect(() => checkSeries('demo', 'x', [1, 2], 2)).not.toThrow();
    expect(() => checkSameLength('demo', 'a', [1], 'b', [1, 2])).toThrow('demo: b: has 2 values but a has 1');
  });
});
