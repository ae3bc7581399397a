import {
  type Bars,
  emptyBars,
  InvalidParameterError,
  type Rng,
  type Seed,
  type Timeframe,
  timeframeGrid,
  toRng,
} from '@candlelab/core';

/** One market regime of the generator: annual drift and volatility of log returns. */
export interface Regime {
  /** Annual drift μ of the geometric Brownian motion. */
  mu: number;
  /** Annual volatility σ (long-run level the GARCH variance reverts to). */
  sigma: number;
}

export interface SyntheticOptions {
  /** Symbol of the series. Default `'SYN/USD'`. */
  symbol?: string;
  /** Bar length. Default `'1h'`. */
  timeframe?: Timeframe;
  /** Open time of the first bar (aligned down to the timeframe). Default 2020-01-01T00:00Z. */
  start?: number;
  /** Number of bars. Required. */
  count: number;
  /** Seed of the generator (or an `Rng`). Same seed → bit-identical bars. Default 0. */
  seed?: Seed | Rng;
  /** First open price. Default 100. */
  initialPrice?: number;
  /** Regimes visited by a Markov chain (Hamilton-style regime switching). Default bull `{ mu: 0.3, sigma: 0.5 }` and bear `{ mu: -0.4, sigma: 0.9 }`. */
  regimes?: readonly Regime[];
  /** Mean time spent in a regime before switching, days. Default 60. */
  meanRegimeDays?: number;
  /** GARCH(1,1) reaction α to the last squared shock (volatility clustering). Default 0.08. */
  garchAlpha?: number;
  /** GARCH(1,1) persistence β; `garchAlpha + garchBeta < 1`. Default 0.9. */
  garchBeta?: number;
  /** Expected jumps per year (Merton jump diffusion, Poisson arrivals). Default 4. */
  jumpsPerYear?: number;
  /** Mean log size of a jump. Default -0.02. */
  jumpMean?: number;
  /** Standard deviation of the log jump size. Default 0.06. */
  jumpStd?: number;
  /** Median volume per bar. Default 1,000. */
  baseVolume?: number;
  /** Sub-steps simulated inside each bar to form high and low. Default 12. */
  substeps?: number;
}

const YEAR_MS = 365 * 86_400_000;

/**
 * Seeded synthetic candles: geometric Brownian motion whose drift and volatility follow a Markov
 * regime chain, with GARCH(1,1) volatility clustering around the regime's level, Merton jumps, and
 * an intrabar Brownian bridge so that open, high, low and close are consistent (low ≤ open, close ≤
 * high); volume rises with the size of the move. Any timeframe; bars are contiguous (next open =
 * previous close).
 */
export function generateSyntheticBars(options: SyntheticOptions): Bars {
  const count = options.count;
  if (!Number.isInteger(count) || count < 0)
    throw new InvalidParameterError('count', count, 'expected a non-negative integer');
  const timeframe = options.timeframe ?? '1h';
  const { ms, offset } = timeframeGrid(timeframe);
  const start = Math.floor(((options.start ?? Date.UTC(2020, 0, 1)) - offset) / ms) * ms + offset;
  const regimes = options.regimes ?? [
    { mu: 0.3, sigma: 0.5 },
    { mu: -0.4, sigma: 0.9 },
  ];
  if (regimes.length === 0) throw new InvalidParameterError('regimes', regimes, 'need at least one regime');
  for (const [i, regime] of regimes.entries()) {
    if (!(regime.sigma > 0) || !Number.isFinite(regime.mu)) {
      throw new InvalidParameterError(`regimes.${i}`, regime, 'expected a finite mu and sigma > 0');
    }
  }
  const alpha = options.garchAlpha ?? 0.08;
  const beta = options.garchBeta ?? 0.9;
  if (!(alpha >= 0 && beta >= 0 && alpha + beta < 1)) {
    throw new InvalidParameterError(
      'garchBeta',
      beta,
      `need garchAlpha (${alpha}) >= 0, garchBeta >= 0 and their sum < 1`,
    );
  }
  const initialPrice = options.initialPrice ?? 100;
  if (!(initialPrice > 0)) throw new InvalidParameterError('initialPrice', initialPrice, 'expected a positive price');
  const substeps = options.substeps ?? 12;
  if (!Number.isInteger(substeps) || substeps < 1)
    throw new InvalidParameterError('substeps', substeps, 'expected a positive integer');
  const rng = toRng(options.seed);
  const dt = ms / YEAR_MS;
  const switchProbability = Math.min(1, ms / ((options.meanRegimeDays ?? 60) * 86_400_000));
  const jumpProbability = Math.min(1, (options.jumpsPerYear ?? 4) * dt);
  const jumpMean = options.jumpMean ?? -0.02;
  const jumpStd = options.jumpStd ?? 0.06;
  const baseVolume = options.baseVolume ?? 1000;
  const regimeVariance = regimes.map((regime) => regime.sigma * regime.sigma * dt);

  const bars = emptyBars(options.symbol ?? 'SYN/USD', timeframe, count);
  const { time, open, high, low, close, volume } = bars;
  const path = new Float64Array(substeps + 1);
  let regime = 0;
  let variance = regimeVariance[0]!;
  let shock = 0;
  let price = initialPrice;
  for (let i = 0; i < count; i++) {
    if (regimes.length > 1 && rng.float() < switchProbability)
      regime = (regime + 1 + rng.int(regimes.length - 1)) % regimes.length;
    const { mu, sigma } = regimes[regime]!;
    const longRun = regimeVariance[regime]!;
    // GARCH(1,1) with variance targeting: omega = (1 - alpha - beta) * long-run variance.
    variance = (1 - alpha - beta) * longRun + alpha * shock * shock + beta * variance;
    const diffusion = Math.sqrt(variance) * rng.normal();
    const jump = rng.float() < jumpProbability ? rng.normal(jumpMean, jumpStd) : 0;
    // The GARCH recursion sees the diffusion shock only; jumps are rare, separate events.
    shock = diffusion;
    const logReturn = (mu - 0.5 * sigma * sigma) * dt + diffusion + jump;
    brownianBridge(path, logReturn, Math.sqrt(variance / substeps), rng);
    let hi = 0;
    let lo = 0;
    for (let k = 1; k <= substeps; k++) {
      if (path[k]! > hi) hi = path[k]!;
      if (path[k]! < lo) lo = path[k]!;
    }
    const o = price;
    const c = o * Math.exp(logReturn);
    time[i] = start + i * ms;
    open[i] = o;
    close[i] = c;
    high[i] = Math.max(o * Math.exp(hi), o, c);
    low[i] = Math.min(o * Math.exp(lo), o, c);
    volume[i] = baseVolume * Math.exp(0.4 * rng.normal()) * (1 + (2 * Math.abs(diffusion + jump)) / Math.sqrt(longRun));
    price = c;
  }
  return bars;
}

/** A discrete Brownian bridge from 0 to `end` in `path.length - 1` steps of standard deviation `stepStd`. */
function brownianBridge(path: Float64Array, end: number, stepStd: number, rng: Rng): void {
  const steps = path.length - 1;
  path[0] = 0;
  for (let k = 1; k <= steps; k++) path[k] = path[k - 1]! + stepStd * rng.normal();
  const drift = (end - path[steps]!) / steps;
  for (let k = 1; k <= steps; k++) path[k] = path[k]! + drift * k;
  path[steps] = end;
}
