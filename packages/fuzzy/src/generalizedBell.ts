import { outputBuffer } from '@candlelab/core';

/**
 * Generalized bell membership μ(x; a, b, c) = 1 / (1 + |(x − c) / a|^(2b)) (Jang's ANFIS bell,
 * MATLAB/scikit-fuzzy `gbellmf`): `a > 0` half-width at μ = 0.5, `b > 0` slope, `c` centre.
 * NaN in → NaN out.
 */
export function generalizedBellAt(x: number, a: number, b: number, c: number): number {
  return 1 / (1 + Math.abs((x - c) / a) ** (2 * b));
}

/** {@link generalizedBellAt} over a whole column, into `out` when given. */
export function generalizedBell(
  values: Float64Array,
  a: number,
  b: number,
  c: number,
  out?: Float64Array,
): Float64Array {
  const n = values.length;
  const result = outputBuffer(n, out);
  const twoB = 2 * b;
  for (let i = 0; i < n; i++) result[i] = 1 / (1 + Math.abs((values[i]! - c) / a) ** twoB);
  return result;
}
