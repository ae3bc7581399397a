/** Summary statistics shared by the metrics; inputs are trusted (validated by the caller). */

/** Neumaier-compensated sum: accurate to a few ulps however long the series. */
export function sum(values: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Arithmetic mean. */
export function mean(values: ArrayLike<number>): number {
  return sum(values) / values.length;
}

/** Whether every value is exactly equal (then every spread statistic is exactly 0). */
export function isConstant(values: ArrayLike<number>): boolean {
  const first = values[0]!;
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false;
  return true;
}

/**
 * Central moment sums `Σ(x - m)^k` for k = 2, 3, 4 around `m`; exactly 0 for a constant series
 * (so that "zero volatility" is detected exactly, not as a rounding residue).
 */
export function centralSums(values: ArrayLike<number>, m: number): { s2: number; s3: number; s4: number } {
  if (isConstant(values)) return { s2: 0, s3: 0, s4: 0 };
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - m;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  return { s2, s3, s4 };
}

/** Sample standard deviation (ddof = 1); exactly 0 for a constant series. Needs n >= 2. */
export function sampleStd(values: ArrayLike<number>, m = mean(values)): number {
  return Math.sqrt(centralSums(values, m).s2 / (values.length - 1));
}

/**
 * `numerator / denominator` with the conventions used for ratios of a spread: a zero denominator
 * gives 0 when the numerator is 0 too, and ±Infinity (the numerator's sign) otherwise.
 */
export function ratioOrInfinity(numerator: number, denominator: number): number {
  if (denominator !== 0) return numerator / denominator;
  if (numerator === 0) return 0;
  return numerator > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}
