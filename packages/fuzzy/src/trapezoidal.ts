import { outputBuffer } from '@candlelab/core';

/**
 * Trapezoidal membership μ(x; a, b, c, d): 0 outside (a, d), rising linearly on (a, b), 1 on
 * [b, c], falling linearly on (c, d). `a = b` or `c = d` gives a vertical edge (a hard shoulder),
 * as in scikit-fuzzy's `trapmf`. Requires `a <= b <= c <= d`. NaN in → NaN out.
 */
export function trapezoidalAt(x: number, a: number, b: number, c: number, d: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= b && x <= c) return 1;
  if (x <= a || x >= d) return 0;
  return x < b ? (x - a) / (b - a) : (d - x) / (d - c);
}

/** {@link trapezoidalAt} over a whole column, into `out` when given. */
export function trapezoidal(
  values: Float64Array,
  a: number,
  b: number,
  c: number,
  d: number,
  out?: Float64Array,
): Float64Array {
  const n = values.length;
  const result = outputBuffer(n, out);
  for (let i = 0; i < n; i++) result[i] = trapezoidalAt(values[i]!, a, b, c, d);
  return result;
}
