import { outputBuffer } from '@candlelab/core';
import { checkInteger, checkNonNegative } from './labelColumns.js';

/**
 * Exponentially weighted standard deviation of simple close-to-close returns
 * r_t = close_t / close_{t−1} − 1: AFML's `getDailyVol` estimate for barrier widths, computed
 * causally (the value at t uses returns up to t). Same weights and bias correction as pandas
 * `ewm(span, adjust=True).std()`: weights (1 − α)^k with α = 2 / (span + 1), weighted variance
 * times (Σw)² / ((Σw)² − Σw²). A NaN return (missing close) leaves the state unchanged and gives
 * NaN at that bar.
 *
 * @param span default 100 (AFML's `span0`).
 * @param minPeriods returns needed before a value is given (default 20; at least 2); NaN before.
 */
export function ewmVolatility(close: Float64Array, span = 100, minPeriods = 20, out?: Float64Array): Float64Array {
  checkNonNegative('span', span, 1);
  checkInteger('minPeriods', minPeriods, 2);
  const n = close.length;
  const vol = outputBuffer(n, out).fill(Number.NaN);
  const decay = 1 - 2 / (span + 1);
  let sumW = 0;
  let sumW2 = 0;
  let mean = 0;
  let variance = 0; // biased weighted variance
  let count = 0;
  for (let t = 1; t < n; t++) {
    const r = close[t]! / close[t - 1]! - 1;
    if (!Number.isFinite(r)) continue;
    // Online weighted mean/variance (West's algorithm) after decaying the old weights.
    sumW *= decay;
    sumW2 *= decay * decay;
    const newSumW = sumW + 1;
    const delta = r - mean;
    const newMean = mean + delta / newSumW;
    variance = (sumW * variance + delta * (r - newMean)) / newSumW;
    mean = newMean;
    sumW = newSumW;
    sumW2 += 1;
    count++;
    if (count >= minPeriods) {
      const denominator = sumW * sumW - sumW2;
      vol[t] = denominator > 0 ? Math.sqrt(Math.max(0, (variance * sumW * sumW) / denominator)) : Number.NaN;
    }
  }
  return vol;
}
