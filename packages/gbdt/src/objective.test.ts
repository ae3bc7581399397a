import { Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { computeGradients } from './objective.js';

describe('computeGradients', () => {
  const n = 1003; // not a multiple of the 16-row product blocks
  const rng = new Rng(5);
  const raw = Float64Array.from({ length: n }, () => 8 * rng.normal()); // some beyond the 1e-15 clip
  const y = Float64Array.from({ length: n }, () => rng.int(2));
  const weights = Float64Array.from({ length: n }, () => 0.5 + rng.float());

  /** Binary log-loss row by row, straight from the definition (clipped as the implementation documents). */
  function logLoss(w: Float64Array | undefined): number {
    let sum = 0;
    let total = 0;
    for (let r = 0; r < n; r++) {
      const p = 1 / (1 + Math.exp(-raw[r]!));
      const q = Math.min(Math.max(y[r] === 1 ? p : 1 - p, 1e-15), 1 - 1e-15);
      sum -= (w ? w[r]! : 1) * Math.log(q);
      total += w ? w[r]! : 1;
    }
    return sum / total;
  }

  it('returns the binary log-loss of the scores it differentiates, weighted or not', () => {
    const gh = new Float32Array(2 * n);
    expect(computeGradients('binary', raw, y, undefined, n, 1, gh)).toBeCloseTo(logLoss(undefined), 12);
    expect(computeGradients('binary', raw, y, weights, n, 1, gh)).toBeCloseTo(logLoss(weights), 12);
    const p = 1 / (1 + Math.exp(-raw[7]!));
    expect(gh[14]).toBe(Math.fround((p - y[7]!) * weights[7]!));
    expect(gh[15]).toBe(Math.fround(p * (1 - p) * weights[7]!));
  });

  it('returns the mean squared error for regression, with gradient residual and unit hessian', () => {
    const gh = new Float32Array(2 * n);
    let sum = 0;
    for (let r = 0; r < n; r++) sum += (raw[r]! - y[r]!) ** 2;
    expect(computeGradients('regression', raw, y, undefined, n, 1, gh)).toBeCloseTo(sum / n, 12);
    expect(gh[6]).toBe(Math.fround(raw[3]! - y[3]!));
    expect(gh[7]).toBe(1);
  });
});
