import { outputBuffer } from '@candlelab/core';

/** Gaussian membership μ(x; mean, sigma) = exp(−(x − mean)² / (2 sigma²)); `sigma > 0`. NaN in → NaN out. */
export function gaussianAt(x: number, mean: number, sigma: number): number {
  const d = x - mean;
  return Math.exp((-0.5 / (sigma * sigma)) * d * d);
}

/** {@link gaussianAt} over a whole column, into `out` when given. */
export function gaussian(values: Float64Array, mean: number, sigma: number, out?: Float64Array): Float64Array {
  const n = values.length;
  const result = outputBuffer(n, out);
  const k = -0.5 / (sigma * sigma);
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    result[i] = Math.exp(k * d * d);
  }
  return result;
}
