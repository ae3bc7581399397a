import { normalQuantile } from '@candlelab/metrics';

// Small, dependency-free tests for "is the live record worse than the backtest?". Each is one-sided
// (live worse) and checked against scipy.stats reference values in performanceTests.test.ts.

const LANCZOS = [
  0.999_999_999_999_809_9, 676.520_368_121_885_1, -1259.139_216_722_402_8, 771.323_428_777_653_1,
  -176.615_029_162_140_59, 12.507_343_278_686_905, -0.138_571_095_265_720_12, 9.984_369_578_019_572e-6,
  1.505_632_735_149_311_6e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta (modified Lentz, Numerical Recipes §6.4). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b) (scipy.special.betainc). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (scipy.stats.t.cdf; df may be fractional). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t < 0 ? tail : 1 - tail;
}

/** P(X ≤ k) for X ~ Binomial(n, p) (scipy.stats.binom.cdf). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return regularizedBeta(1 - p, n - k, k + 1);
}

/** A one-sided test result: `pValue` of "live is worse", `significant` at the given alpha. */
export interface OneSidedTest {
  statistic: number;
  pValue: number;
  significant: boolean;
}

/**
 * Exact one-sided binomial test that the live win rate is below `expected`
 * (scipy.stats.binomtest(wins, n, expected, alternative='less')): p = P(X ≤ wins).
 */
export function winRateBelow(wins: number, n: number, expected: number, alpha: number): OneSidedTest {
  const pValue = binomialCdf(wins, n, expected);
  return { statistic: n === 0 ? Number.NaN : wins / n, pValue, significant: n > 0 && pValue <= alpha };
}

/** Wilson score interval of a proportion at two-sided confidence `1 − 2·alpha` (its bounds are the one-sided `alpha` limits). */
export function wilsonInterval(successes: number, n: number, alpha: number): { lower: number; upper: number } {
  if (n === 0) return { lower: 0, upper: 1 };
  const z = normalQuantile(1 - alpha);
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

function meanVar(values: ArrayLike<number>): { n: number; mean: number; variance: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return { n, mean, variance: n > 1 ? ss / (n - 1) : Number.NaN };
}

/**
 * Welch's unequal-variance t-test that mean(`live`) < mean(`reference`)
 * (scipy.stats.ttest_ind(live, reference, equal_var=False, alternative='less')).
 * Needs at least 2 values on each side; NaN statistic and p-value 1 otherwise.
 */
export function meanBelow(
  live: ArrayLike<number>,
  reference: ArrayLike<number>,
  alpha: number,
): OneSidedTest & { df: number } {
  const a = meanVar(live);
  const b = meanVar(reference);
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  if (a.n < 2 || b.n < 2 || !(va + vb > 0))
    return { statistic: Number.NaN, df: Number.NaN, pValue: 1, significant: false };
  const statistic = (a.mean - b.mean) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const pValue = studentTCdf(statistic, df);
  return { statistic, df, pValue, significant: pValue <= alpha };
}
