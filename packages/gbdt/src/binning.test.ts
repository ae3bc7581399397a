import { Rng } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binMatrix, fitBinMapper, quantileUpperBounds } from './binning.js';

describe('quantile binning', () => {
  it('gives every distinct value its own bin when there are few, bounds midway', () => {
    expect(Array.from(quantileUpperBounds(Float64Array.of(1, 1, 2, 4, 4, 4), 255))).toEqual([
      1.5,
      3,
      Number.POSITIVE_INFINITY,
    ]);
    expect(Array.from(quantileUpperBounds(new Float64Array(0), 255))).toEqual([Number.POSITIVE_INFINITY]);
  });

  it('makes about equal-count bins from many values', () => {
    const sorted = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const bounds = quantileUpperBounds(sorted, 10);
    expect(bounds.length).toBe(10);
    const X = Float64Array.from(sorted);
    const mapper = {
      upperBounds: [bounds],
      numBins: Uint16Array.of(10),
      stride: 4,
      binOffset: Int32Array.of(0),
      totalBins: 1024,
    };
    const counts = new Array<number>(10).fill(0);
    const bins = binMatrix(X, X.length, 1, mapper);
    for (let r = 0; r < X.length; r++) counts[bins[4 * r]!]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThanOrEqual(1);
  });

  it('property: at most maxBins bins, increasing bounds, each value in (bound[b-1], bound[b]], NaN in its own bin', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -50, max: 50 }).map((v) => v / 4),
            fc.double({ min: -1e6, max: 1e6, noNaN: true }),
            fc.constant(Number.NaN),
          ),
          { minLength: 1, maxLength: 400 },
        ),
        fc.integer({ min: 2, max: 255 }),
        (values, maxBins) => {
          const X = Float64Array.from(values);
          const mapper = fitBinMapper(X, X.length, 1, maxBins, 1000, new Rng(1));
          const bounds = mapper.upperBounds[0]!;
          expect(bounds.length).toBeLessThanOrEqual(maxBins);
          for (let b = 1; b < bounds.length; b++) expect(bounds[b]!).toBeGreaterThan(bounds[b - 1]!);
          const bins = binMatrix(X, X.length, 1, mapper);
          X.forEach((v, i) => {
            const b = bins[mapper.stride * i]!;
            if (Number.isNaN(v)) expect(b).toBe(mapper.numBins[0]);
            else {
              expect(v).toBeLessThanOrEqual(bounds[b]!);
              if (b > 0) expect(v).toBeGreaterThan(bounds[b - 1]!);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('pads rows to a multiple of 4 bytes and transposes them into per-feature columns', () => {
    const X = Float64Array.of(1, 5, Number.NaN, 2, 6, 7, 1, 5, 8);
    const mapper = fitBinMapper(X, 3, 3, 255, 100, new Rng(1));
    const bins = binMatrix(X, 3, 3, mapper);
    expect(mapper.stride).toBe(4);
    expect(Array.from(bins)).toEqual([0, 0, 2, 0, 1, 1, 0, 0, 0, 0, 1, 0]);
  });

  it('bins every value into the first bin whose upper bound holds it (against a linear scan)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, 1, -1, Number.NaN)), {
          minLength: 1,
          maxLength: 600,
        }),
        fc.integer({ min: 2, max: 255 }),
        (values, maxBins) => {
          const X = Float64Array.from(values);
          const mapper = fitBinMapper(X, X.length, 1, maxBins, X.length, new Rng(1));
          const bins = binMatrix(X, X.length, 1, mapper);
          const bounds = mapper.upperBounds[0]!;
          for (let r = 0; r < X.length; r++) {
            const v = X[r]!;
            const expected = Number.isNaN(v) ? mapper.numBins[0]! : bounds.findIndex((bound) => v <= bound);
            expect(bins[r * mapper.stride]).toBe(expected);
          }
        },
      ),
    );
  });

  it('learns edges from a seeded sample when the data is large, deterministically', () => {
    const rng = new Rng(2);
    const X = Float64Array.from({ length: 5000 }, () => rng.normal());
    const a = fitBinMapper(X, 5000, 1, 32, 500, new Rng(7));
    const b = fitBinMapper(X, 5000, 1, 32, 500, new Rng(7));
    const full = fitBinMapper(X, 5000, 1, 32, 5000, new Rng(7));
    expect(a.upperBounds[0]).toEqual(b.upperBounds[0]);
    expect(a.upperBounds[0]).not.toEqual(full.upperBounds[0]);
    // The sample's median bound is close to the true median (0).
    expect(Math.abs(a.upperBounds[0]![15]!)).toBeLessThan(0.15);
  });
});
