import { InvalidParameterError, outputBuffer } from '@candlelab/core';
import type { RollingStat } from './featureSetSchema.js';
import { RollingAutocorr, rollingStepper } from './rollingSteps.js';

function checkWindow(window: number, min: number): void {
  if (!Number.isInteger(window) || window < min) {
    throw new InvalidParameterError('window', window, `must be an integer >= ${min}`);
  }
}

/**
 * A rolling statistic over the last `window` values (the current one included). Output `t` is NaN
 * until `window` values have been seen and whenever the window holds a NaN, so it depends only
 * on `values[t − window + 1 .. t]`.
 *
 * - `mean`; `std`: population standard deviation (ddof 0);
 * - `skew`: Fisher–Pearson coefficient `m3 / m2^1.5` (biased, as `scipy.stats.skew`);
 * - `kurtosis`: excess kurtosis `m4 / m2² − 3` (biased, as `scipy.stats.kurtosis`); NaN when `m2 = 0`;
 * - `min`, `max`; `argmin`, `argmax`: position of the extreme inside the window in [0, 1]
 *   (0 = oldest bar, 1 = newest; ties go to the newest), as in Aroon.
 *
 * Moments use running power sums of shifted values, re-anchored on the newest value and rebuilt
 * every `window` bars (so error never accumulates and price-level inputs stay accurate); extremes
 * use monotonic deques. Every statistic is O(n) and depends on bar index and past values only.
 * The one-value-at-a-time steppers in `rollingSteps.ts` do the work, so `FeatureStream` gives the
 * same bits.
 */
export function rollingStat(values: Float64Array, stat: RollingStat, window: number, out?: Float64Array): Float64Array {
  checkWindow(window, 2);
  const n = values.length;
  const result = outputBuffer(n, out);
  const stepper = rollingStepper(stat, window);
  for (let i = 0; i < n; i++) result[i] = stepper.next(values[i]!);
  return result;
}

/**
 * Rolling autocorrelation at `lag`: the Pearson correlation of `values[t]` with `values[t − lag]`
 * over the last `window` pairs ending at `t`. NaN until `window + lag − 1` values exist, when a
 * pair holds a NaN, or when either side is constant.
 */
export function rollingAutocorr(values: Float64Array, lag: number, window: number, out?: Float64Array): Float64Array {
  checkWindow(window, 3);
  if (!Number.isInteger(lag) || lag < 1) throw new InvalidParameterError('lag', lag, 'must be an integer >= 1');
  const n = values.length;
  const result = outputBuffer(n, out);
  const stepper = new RollingAutocorr(lag, window);
  for (let i = 0; i < n; i++) result[i] = stepper.next(values[i]!);
  return result;
}
