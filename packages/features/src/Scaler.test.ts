import { readFileSync } from 'node:fs';
import { ModelFormatError, NotFittedError } from '@candlelab/core';
import { expectArraysClose } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { MinMaxScaler } from './MinMaxScaler.js';
import { RobustScaler } from './RobustScaler.js';
import { StandardScaler } from './StandardScaler.js';

/** scikit-learn 1.2 scalers fitted on rows [0, 60) of a 100 × 4 matrix: see reference/make_reference.py. */
const reference = JSON.parse(readFileSync(new URL('../reference/reference.json', import.meta.url), 'utf8')) as {
  matrix: number[];
  scalers: Record<string, number[]>;
};
const X = { data: Float64Array.from(reference.matrix), rows: 100, cols: 4 };
const classes = { StandardScaler, MinMaxScaler, RobustScaler } as const;

describe.each(Object.entries(classes))('%s', (kind, Class) => {
  it('fitted on the first 60 rows matches scikit-learn', () => {
    const scaler = new Class().fit(X, { start: 0, end: 60 });
    expectArraysClose(scaler.transform(X).data, Float64Array.from(reference.scalers[kind]!), {
      rel: 1e-10,
      abs: 1e-12,
    });
  });

  it('uses only the given rows (later rows cannot change the fit)', () => {
    const changed = { ...X, data: X.data.slice() };
    changed.data.fill(1e6, 60 * 4);
    const a = new Class().fit(X, { start: 0, end: 60 });
    const b = new Class().fit(changed, { start: 0, end: 60 });
    expect(b.center).toEqual(a.center);
    expect(b.scale).toEqual(a.scale);
    const indices = new Class().fit(
      X,
      Array.from({ length: 60 }, (_, i) => i),
    );
    expect(indices.center).toEqual(a.center);
  });

  it('round-trips through JSON and refuses other kinds or newer versions', () => {
    const scaler = new Class().fit(X, { start: 0, end: 60 });
    const json = JSON.parse(JSON.stringify(scaler.toJSON())) as Record<string, unknown>;
    const restored = Class.fromJSON(json);
    expect(restored.transform(X).data).toEqual(scaler.transform(X).data);
    expect(() => Class.fromJSON({ ...json, version: 99 })).toThrow(ModelFormatError);
    const other = kind === 'StandardScaler' ? 'MinMaxScaler' : 'StandardScaler';
    expect(() => Class.fromJSON({ ...json, kind: other })).toThrow(ModelFormatError);
    expect(() => Class.fromJSON({ ...json, scale: [1, 2] })).toThrow(ModelFormatError);
  });

  it('inverts its transform and needs fitting first', () => {
    expect(() => new Class().transform(X)).toThrow(NotFittedError);
    const scaler = new Class().fit(X);
    expectArraysClose(scaler.inverseTransform(scaler.transform(X)).data, X.data, { rel: 1e-12, abs: 1e-12 });
  });

  it('names a bad row selection', () => {
    expect(() => new Class().fit(X, { start: 50, end: 200 })).toThrow(/rows/);
  });
});
