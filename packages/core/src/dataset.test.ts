import { describe, expect, it } from 'vitest';
import { sliceRows, takeRows, validateDataset, validateMatrix } from './dataset.js';
import { ValidationError } from './errors.js';
import type { Dataset } from './estimator.js';

function dataset(): Dataset {
  return {
    X: Float64Array.from([1, 2, 3, 4, 5, 6]),
    y: Float64Array.from([0, 1, 0]),
    featureNames: ['a', 'b'],
    time: Float64Array.from([10, 20, 30]),
    weights: Float64Array.from([1, 2, 3]),
  };
}

describe('dataset helpers', () => {
  it('accepts a consistent dataset', () => {
    expect(validateDataset(dataset(), 'fit')).toBeDefined();
  });

  it('names mismatched lengths', () => {
    const ds = { ...dataset(), time: Float64Array.from([1, 2]) };
    expect(() => validateDataset(ds, 'fit')).toThrow(/time has 2 values, y has 3/);
    const ds2 = { ...dataset(), X: new Float64Array(5) };
    expect(() => validateDataset(ds2, 'fit')).toThrow(/X has 5 values, expected rows \(3\) × features \(2\)/);
  });

  it('names the row and feature of a bad value; NaN features only when allowed', () => {
    const ds = dataset();
    ds.X[3] = Number.NaN;
    expect(() => validateDataset(ds, 'fit')).toThrow(/row 1, b: feature value is NaN/);
    expect(() => validateDataset(ds, 'fit', { allowMissingFeatures: true })).not.toThrow();
    ds.X[3] = Number.POSITIVE_INFINITY;
    expect(() => validateDataset(ds, 'fit', { allowMissingFeatures: true })).toThrow(ValidationError);
    const bad = dataset();
    bad.y[2] = Number.NaN;
    bad.weights![0] = -1;
    try {
      validateDataset(bad, 'fit');
    } catch (error) {
      expect((error as ValidationError).rows).toEqual([0, 2]);
    }
  });

  it('takes and slices rows with every per-row column', () => {
    const picked = takeRows(dataset(), [2, 0]);
    expect(Array.from(picked.X)).toEqual([5, 6, 1, 2]);
    expect(Array.from(picked.y)).toEqual([0, 0]);
    expect(Array.from(picked.time)).toEqual([30, 10]);
    expect(Array.from(picked.weights!)).toEqual([3, 1]);
    expect(Array.from(sliceRows(dataset(), 1, 3).time)).toEqual([20, 30]);
  });

  it('checks prediction matrices against the model width', () => {
    expect(() => validateMatrix({ data: new Float64Array(6), rows: 3, cols: 2 }, 3, 'predict')).toThrow(
      /model expects 3/,
    );
    expect(() => validateMatrix({ data: Float64Array.from([1, Number.NaN]), rows: 1, cols: 2 }, 2, 'predict')).toThrow(
      /row 0, column 1/,
    );
  });
});
