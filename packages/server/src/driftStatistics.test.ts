import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ksTwoSample, populationStabilityIndex, sortedFinite } from './driftStatistics.js';

// Reference values: scipy.stats.ks_2samp (statistic), scipy.stats.kstwobign.sf (asymptotic
// p-value) and the PSI computed with numpy, by scripts/driftReference.py.
const reference = JSON.parse(readFileSync(new URL('./__fixtures__/drift-reference.json', import.meta.url), 'utf8')) as {
  cases: Array<{ name: string; reference: number[]; live: number[]; ks: number; pValue: number; psi: number }>;
};

describe('drift statistics against scipy / numpy', () => {
  for (const c of reference.cases) {
    it(c.name, () => {
      const ref = sortedFinite(c.reference);
      const live = sortedFinite(c.live);
      const ks = ksTwoSample(ref, live);
      expect(ks.statistic).toBeCloseTo(c.ks, 12);
      expect(ks.pValue).toBeCloseTo(c.pValue, 10);
      if (c.pValue > 1e-3) expect(ks.pValue / c.pValue).toBeCloseTo(1, 8);
      expect(populationStabilityIndex(ref, live, 10)).toBeCloseTo(c.psi, 10);
    });
  }

  it('drops non-finite values and gives NaN for an empty sample', () => {
    expect(Array.from(sortedFinite([3, Number.NaN, 1, Number.POSITIVE_INFINITY, 2]))).toEqual([1, 2, 3]);
    expect(ksTwoSample(new Float64Array(0), sortedFinite([1])).pValue).toBeNaN();
    expect(populationStabilityIndex(sortedFinite([1, 2]), new Float64Array(0))).toBeNaN();
  });

  it('a sample against itself has PSI 0, D 0 and p 1', () => {
    const x = sortedFinite(reference.cases[0]!.reference);
    expect(populationStabilityIndex(x, x)).toBe(0);
    expect(ksTwoSample(x, x)).toEqual({ statistic: 0, pValue: 1 });
  });

  it('refuses fewer than 2 bins', () => {
    expect(() => populationStabilityIndex(sortedFinite([1]), sortedFinite([1]), 1)).toThrow(/bins/);
  });
});
