import { rocAuc } from '@candlelab/metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrixOf, synthetic } from '../test/syntheticData.js';
import { Gbdt } from './Gbdt.js';
import { decodeHistogram, quantizationLevels, quantizeGradients } from './quantizeGradients.js';

describe('quantized gradients', () => {
  it('chooses levels whose packed sums over all rows stay exact', () => {
    for (const rows of [1, 100, 10_000, 1_000_000, 4_000_000]) {
      const { levels, shift } = quantizationLevels(rows);
      expect(levels).toBeGreaterThanOrEqual(4);
      expect(shift).toBeGreaterThan(rows * levels);
      expect(rows * levels * shift + rows * levels).toBeLessThan(2 ** 53);
    }
    expect(quantizationLevels(100_000_000).levels).toBe(0);
  });

  it('property: decoding a sum of packed rows gives the sums of the quantized parts; rounding is unbiased', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 200,
        }),
        (pairs) => {
          const n = pairs.length;
          const gh = Float32Array.from(pairs.flat());
          const rows = Uint32Array.from({ length: n }, (_, i) => i);
          const q = quantizeGradients(gh, rows, n, 7, new Float32Array(2 * n))!;
          let sum = 0;
          let g = 0;
          let h = 0;
          for (let r = 0; r < n; r++) {
            sum += q.pairs[2 * r]! * q.shift + q.pairs[2 * r + 1]!; // packed as the histogram packs a row
            g += gh[2 * r]!;
            h += gh[2 * r + 1]!;
          }
          const out = new Float64Array(2);
          decodeHistogram(Float64Array.of(sum), q, out);
          // Each row is off by less than one quantization step.
          expect(Math.abs(out[0]! - g)).toBeLessThanOrEqual(n * q.gradScale + 1e-9);
          expect(Math.abs(out[1]! - h)).toBeLessThanOrEqual(n * q.hessScale + 1e-9);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('trains about as well as exact gradients, deterministically', () => {
    const train = synthetic(3000, 'binary', 31);
    const test = synthetic(1000, 'binary', 32);
    const auc = (quantizedGradients: boolean) => {
      const model = new Gbdt({ nEstimators: 40, numLeaves: 15, quantizedGradients });
      model.fit(train);
      return rocAuc(test.y, model.predictRaw(matrixOf(test)));
    };
    const exact = auc(false);
    const quantized = auc(true);
    expect(Math.abs(quantized - exact)).toBeLessThan(0.01);
    expect(auc(true)).toBe(quantized);
  });
});
