import { outputBuffer } from '@candlelab/core';

/**
 * Triangular membership μ(x; a, b, c): 0 outside (a, c), rising linearly from a to 1 at b,
 * falling linearly to 0 at c. `a = b` (or `b = c`) gives a vertical edge with μ(b) = 1, as in
 * scikit-fuzzy's `trimf`. Requires `a <= b <= c`. NaN in → NaN out.
 */
export function triangularAt(x: number, a: number, b: number, c: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === b) return 1;
  if (x <= a || x >= c) return 0;
  return x < b ? (x - a) / (b - a) : (c - x) / (c - b);
}

/** {@link triangularAt} over a whole column, into `out` when given. */
export function triangular(values: Float64Array, a: number, b: number, c: number, out?: Float64Array): Float64Array {
  const n = values.length;
  const result = outputBuffer(n, out);
  for (let i = 0; i < n; i++) result[i] = triangularAt(values[i]!, a, b, c);
  return result;
}
