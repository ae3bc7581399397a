import { readFileSync } from 'node:fs';
import { expectArraysClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLLING_STATS } from './featureSetSchema.js';
import { rollingAutocorr, rollingStat } from './rollingStat.js';

/** Reference values from scipy.stats / numpy: see reference/make_reference.py. */
interface Reference {
  x: (number | null)[];
  rolling: Record<string, Record<string, (number | null)[]>>;
  acf: Record<string, (number | null)[]>;
}
const reference = JSON.parse(
  readFileSync(new URL('../reference/reference.json', import.meta.url), 'utf8'),
) as Reference;
const toArray = (values: (number | null)[]) => Float64Array.from(values, (v) => (v === null ? Number.NaN : v));
const x = toArray(reference.x);

describe('rollingStat', () => {
  for (const window of ['5', '20']) {
    for (const stat of ROLLING_STATS) {
      it(`${stat} over ${window} bars matches scipy/numpy`, () => {
        const expected = toArray(reference.rolling[window]![stat]!);
        expectArraysClose(rollingStat(x, stat, Number(window)), expected, { rel: 1e-9, abs: 1e-9 });
      });
    }
  }

  it('rejects a window below 2', () => {
    expect(() => rollingStat(x, 'mean', 1)).toThrow(/window/);
  });

  it('is causal and shift-free on random series (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 5, maxLength: 80 }),
        fc.constantFrom(...ROLLING_STATS),
        fc.integer({ min: 2, max: 10 }),
        fc.nat(),
        (values, stat, window, cutSeed) => {
          const series = Float64Array.from(values);
          const full = rollingStat(series, stat, window);
          const cut = cutSeed % series.length;
          const truncated = rollingStat(series.slice(0, cut + 1), stat, window);
          for (let i = 0; i <= cut; i++) expect(Object.is(full[i], truncated[i])).toBe(true);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('rollingAutocorr', () => {
  for (const [lag, window] of [
    [1, 10],
    [3, 25],
  ] as const) {
    it(`lag ${lag} over ${window} pairs matches numpy.corrcoef`, () => {
      expectArraysClose(rollingAutocorr(x, lag, window), toArray(reference.acf[`${lag}_${window}`]!), {
        rel: 1e-8,
        abs: 1e-9,
      });
    });
  }

  it('rejects lag 0', () => {
    expect(() => rollingAutocorr(x, 0, 10)).toThrow(/lag/);
  });
});
