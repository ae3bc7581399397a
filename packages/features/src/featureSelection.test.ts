import { readFileSync } from 'node:fs';
import type { Dataset } from '@candlelab/core';
import { Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import {
  correlationFilter,
  mutualInfoKBest,
  mutualInformation,
  selectFeatures,
  varianceThreshold,
} from './featureSelection.js';

/** scikit-learn 1.2 VarianceThreshold(0.5) and mutual_info_score: see reference/make_reference.py. */
const reference = JSON.parse(readFileSync(new URL('../reference/reference.json', import.meta.url), 'utf8')) as {
  matrix: number[];
  varianceKept: number[];
  variances: number[];
  mi: { x: number[]; y: number[]; z: number[]; xy: number; zy: number };
};

function dataset(columns: Float64Array[], y: Float64Array): Dataset {
  const n = y.length;
  const d = columns.length;
  const X = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) X[r * d + c] = columns[c]![r]!;
  return { X, y, featureNames: columns.map((_, c) => `f${c}`), time: new Float64Array(n) };
}

describe('varianceThreshold', () => {
  it('matches scikit-learn on the training rows', () => {
    const data: Dataset = {
      X: Float64Array.from(reference.matrix),
      y: new Float64Array(100),
      featureNames: ['a', 'b', 'c', 'd'],
      time: new Float64Array(100),
    };
    const selected = varianceThreshold(data, { threshold: 0.5, rows: { start: 0, end: 60 } });
    expect(selected.indices).toEqual(reference.varianceKept);
    for (let c = 0; c < 4; c++) expect(selected.scores[c]).toBeCloseTo(reference.variances[c]!, 10);
  });
});

describe('correlationFilter', () => {
  it('drops a near-duplicate and keeps independent features', () => {
    const rng = new Rng(3);
    const n = 400;
    const a = Float64Array.from({ length: n }, () => rng.normal());
    const b = Float64Array.from(a, (v) => 2 * v + 0.01 * rng.normal());
    const c = Float64Array.from({ length: n }, () => rng.normal());
    const selected = correlationFilter(dataset([a, b, c], new Float64Array(n)), { threshold: 0.9 });
    expect(selected.names).toEqual(['f0', 'f2']);
    expect(selected.scores[1]).toBeGreaterThan(0.99);
  });
});

describe('mutualInformation', () => {
  it('equals scikit-learn mutual_info_score on discrete variables', () => {
    const { x, y, z, xy, zy } = reference.mi;
    expect(mutualInformation(Float64Array.from(x), Float64Array.from(y))).toBeCloseTo(xy, 12);
    expect(mutualInformation(Float64Array.from(z), Float64Array.from(y))).toBeCloseTo(zy, 12);
  });

  it('of a continuous variable with itself is ln(bins) and ignores NaN pairs', () => {
    const rng = new Rng(5);
    const v = Float64Array.from({ length: 1000 }, () => rng.normal());
    expect(mutualInformation(v, v, { bins: 10 })).toBeCloseTo(Math.log(10), 10);
    const withNaN = v.slice();
    withNaN[3] = Number.NaN;
    expect(Number.isFinite(mutualInformation(withNaN, v))).toBe(true);
  });

  it('k-best ranks an informative feature above noise', () => {
    const rng = new Rng(9);
    const n = 2000;
    const signal = Float64Array.from({ length: n }, () => rng.normal());
    const noise = Float64Array.from({ length: n }, () => rng.normal());
    const y = Float64Array.from(signal, (s) => (s + 0.5 * rng.normal() > 0 ? 1 : 0));
    const selected = mutualInfoKBest(dataset([noise, signal], y), { k: 1 });
    expect(selected.names).toEqual(['f1']);
    expect(selected.scores[1]).toBeGreaterThan(5 * selected.scores[0]!);
  });
});

describe('selectFeatures', () => {
  it('keeps the chosen columns in order', () => {
    const data = dataset([Float64Array.of(1, 2), Float64Array.of(3, 4), Float64Array.of(5, 6)], Float64Array.of(0, 1));
    const picked = selectFeatures(data, [2, 0]);
    expect(picked.featureNames).toEqual(['f2', 'f0']);
    expect([...picked.X]).toEqual([5, 1, 6, 2]);
    expect(() => selectFeatures(data, [3])).toThrow(/indices/);
  });
});
