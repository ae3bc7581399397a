import { describe, expect, it } from 'vitest';
import { standardMetrics } from './standardMetrics.js';

describe('standardMetrics', () => {
  // Hand-computed values.
  it('wires each metric to its inputs', () => {
    const y = Float64Array.from([0, 1, 1, 0]);
    const proba = Float64Array.from([0.8, 0.2, 0.3, 0.7, 0.6, 0.4, 0.5, 0.5]);
    expect(standardMetrics.accuracy.fn(y, Float64Array.from([0, 1, 0, 0]), 2)).toBe(0.75);
    expect(standardMetrics.rocAuc.fn(y, proba, 2)).toBe(0.75);
    expect(standardMetrics.logLoss.fn(y, proba, 2)).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.7) + Math.log(0.4) + Math.log(0.5)) / 4,
      12,
    );
    const t = Float64Array.from([1, 2, 3, 4]);
    const p = Float64Array.from([1, 2, 3, 6]);
    expect(standardMetrics.mse.fn(t, p, 0)).toBe(1);
    expect(standardMetrics.rmse.fn(t, p, 0)).toBe(1);
    expect(standardMetrics.mae.fn(t, p, 0)).toBe(0.5);
    expect(standardMetrics.r2.fn(t, p, 0)).toBeCloseTo(1 - 4 / 5, 12);
    expect(standardMetrics.rankIc.fn(t, p, 0)).toBeCloseTo(1, 12);
    expect(standardMetrics.ic.fn(t, p, 0)).toBeLessThan(1);
    expect(() => standardMetrics.rocAuc.fn(y, new Float64Array(12), 3)).toThrow(/binary/);
  });
});
