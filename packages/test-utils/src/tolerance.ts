/** Options for approximate comparison: passes when `|a - e| <= abs + rel * |e|`. */
export interface Tolerance {
  rel?: number;
  abs?: number;
}

/** First index where two arrays disagree beyond tolerance (NaN equals NaN), or -1. */
export function firstMismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance = {},
): number {
  const rel = tolerance.rel ?? 1e-12;
  const abs = tolerance.abs ?? 0;
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) return i;
  }
  return -1;
}

/**
 * Throws an error naming the first differing index, both values and the relative difference
 * when `actual` and `expected` differ beyond the tolerance (or in length).
 */
export function expectArraysClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance = {},
  label = 'arrays',
): void {
  const index = firstMismatch(actual, expected, tolerance);
  if (index === -1) return;
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} differs from expected ${expected.length}`);
  }
  const a = actual[index]!;
  const e = expected[index]!;
  const relDiff = Math.abs(a - e) / Math.max(Math.abs(e), Number.MIN_VALUE);
  throw new Error(
    `${label}: index ${index}: got ${a}, expected ${e} (relative difference ${relDiff.toExponential(3)}, tolerance rel ${tolerance.rel ?? 1e-12} abs ${tolerance.abs ?? 0})`,
  );
}

/** Scalar version of {@link expectArraysClose}. */
export function expectClose(actual: number, expected: number, tolerance: Tolerance = {}, label = 'value'): void {
  expectArraysClose([actual], [expected], tolerance, label);
}
