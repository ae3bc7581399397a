import { InvalidParameterError } from '@candlelab/core';

/** The finite values of a sample, sorted ascending (NaN and ±Infinity dropped). */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) out[k++] = values[i]!;
  return out.sort();
}

/** Number of values ≤ x in a sorted array (upper bound). */
function countAtMost(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Smallest bin share used in the PSI, so an empty bin contributes a large but finite term. */
const PSI_FLOOR = 1e-4;

/**
 * Population stability index of `live` against `reference` (both sorted, finite): the reference's
 * `bins`-quantile edges split the line (ties merged), and PSI = Σ (live share − reference share) ·
 * ln(live share / reference share), with shares floored at 1e-4. Rule of thumb: < 0.1 stable,
 * 0.1–0.25 moderate shift, > 0.25 large shift. NaN when either sample is empty.
 */
export function populationStabilityIndex(reference: Float64Array, live: Float64Array, bins = 10): number {
  if (!Number.isInteger(bins) || bins < 2) throw new InvalidParameterError('bins', bins, 'an integer >= 2');
  const n = reference.length;
  const m = live.length;
  if (n === 0 || m === 0) return Number.NaN;
  // Upper edges of bins 0 … bins−2 (the last bin is open); duplicate edges collapse into one bin.
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const edge = reference[Math.min(n - 1, Math.floor((k * n) / bins))]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  let psi = 0;
  let refBelow = 0;
  let liveBelow = 0;
  for (let k = 0; k <= edges.length; k++) {
    const refUpTo = k < edges.length ? countAtMost(reference, edges[k]!) : n;
    const liveUpTo = k < edges.length ? countAtMost(live, edges[k]!) : m;
    const expected = Math.max(PSI_FLOOR, (refUpTo - refBelow) / n);
    const actual = Math.max(PSI_FLOOR, (liveUpTo - liveBelow) / m);
    psi += (actual - expected) * Math.log(actual / expected);
    refBelow = refUpTo;
    liveBelow = liveUpTo;
  }
  return psi;
}

/** The two-sample Kolmogorov–Smirnov test: statistic D and its asymptotic two-sided p-value. */
export interface KsTest {
  /** sup |F_reference − F_live| over all values. */
  statistic: number;
  /** P(D ≥ observed) under "same distribution", from the Kolmogorov limit distribution. */
  pValue: number;
}

/** Kolmogorov's survival function Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2 k² λ²). */
function kolmogorovSurvival(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * Two-sample KS test of sorted finite samples: D = the largest gap between their empirical CDFs,
 * p = Q(√(n·m/(n+m)) · D) (the asymptotic distribution, as `scipy.stats.ks_2samp(method='asymp')`
 * uses via `kstwobign`). NaN statistic and p-value when either sample is empty.
 */
export function ksTwoSample(reference: Float64Array, live: Float64Array): KsTest {
  const n = reference.length;
  const m = live.length;
  if (n === 0 || m === 0) return { statistic: Number.NaN, pValue: Number.NaN };
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < n && j < m) {
    const x = Math.min(reference[i]!, live[j]!);
    while (i < n && reference[i]! <= x) i++;
    while (j < m && live[j]! <= x) j++;
    statistic = Math.max(statistic, Math.abs(i / n - j / m));
  }
  const effective = Math.sqrt((n * m) / (n + m));
  return { statistic, pValue: kolmogorovSurvival(effective * statistic) };
}
