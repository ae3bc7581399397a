import { outputBuffer } from '@candlelab/core';

/**
 * Sigmoid membership μ(x; center, slope) = 1 / (1 + exp(−slope · (x − center))), scikit-fuzzy's
 * `sigmf` with its `(b, c)` named `(center, slope)`. A positive slope makes a right shoulder
 * (high values are members, e.g. "overbought"), a negative slope a left shoulder ("oversold");
 * `slope` must not be 0. NaN in → NaN out.
 */
export function sigmoidAt(x: number, center: number, slope: number): number {
  return 1 / (1 + Math.exp(-slope * (x - center)));
}

/** {@link sigmoidAt} over a whole column, into `out` when given. */
export function sigmoid(values: Float64Array, center: number, slope: number, out?: Float64Array): Float64Array {
  const n = values.length;
  const result = outputBuffer(n, out);
  for (let i = 0; i < n; i++) result[i] = 1 / (1 + Math.exp(-slope * (values[i]! - center)));
  return result;
}
