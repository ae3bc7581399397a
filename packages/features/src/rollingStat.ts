import { InvalidParameterError, outputBuffer } from '@candlelab/core';
import type { RollingStat } from './featureSetSchema.js';

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
 */
export function rollingStat(values: Float64Array, stat: RollingStat, window: number, out?: Float64Array): Float64Array {
  checkWindow(window, 2);
  const n = values.length;
  const result = outputBuffer(n, out);
  if (stat === 'min' || stat === 'max' || stat === 'argmin' || stat === 'argmax') {
    rollingExtreme(values, stat, window, result);
    return result;
  }
  let shift = Number.NaN;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let nanCount = 0;
  const w = window;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) nanCount++;
    else {
      if (Number.isNaN(shift)) shift = v;
      const x = v - shift;
      const x2 = x * x;
      s1 += x;
      s2 += x2;
      s3 += x2 * x;
      s4 += x2 * x2;
    }
    if (i >= w) {
      const old = values[i - w]!;
      if (Number.isNaN(old)) nanCount--;
      else {
        const x = old - shift;
        const x2 = x * x;
        s1 -= x;
        s2 -= x2;
        s3 -= x2 * x;
        s4 -= x2 * x2;
      }
    }
    if ((i + 1) % w === 0 && !Number.isNaN(v)) {
      // Re-anchor every `window` bars on the newest value and rebuild the sums from the window, so
      // rounding never accumulates and a drifting level (prices) never dwarfs the window's spread.
      shift = v;
      s1 = s2 = s3 = s4 = 0;
      for (let j = Math.max(0, i - w + 1); j <= i; j++) {
        const u = values[j]!;
        if (Number.isNaN(u)) continue;
        const x = u - shift;
        const x2 = x * x;
        s1 += x;
        s2 += x2;
        s3 += x2 * x;
        s4 += x2 * x2;
      }
    }
    if (i < w - 1 || nanCount > 0) {
      result[i] = Number.NaN;
      continue;
    }
    const mean = s1 / w;
    const m2 = Math.max(0, s2 / w - mean * mean);
    switch (stat) {
      case 'mean':
        result[i] = mean + shift;
        break;
      case 'std':
        result[i] = Math.sqrt(m2);
        break;
      case 'skew': {
        const m3 = s3 / w - 3 * mean * (s2 / w) + 2 * mean * mean * mean;
        result[i] = m2 > 1e-300 ? m3 / (m2 * Math.sqrt(m2)) : Number.NaN;
        break;
      }
      case 'kurtosis': {
        const mean2 = mean * mean;
        const m4 = s4 / w - 4 * mean * (s3 / w) + 6 * mean2 * (s2 / w) - 3 * mean2 * mean2;
        result[i] = m2 > 1e-300 ? m4 / (m2 * m2) - 3 : Number.NaN;
        break;
      }
    }
  }
  return result;
}

function rollingExtreme(
  values: Float64Array,
  stat: 'min' | 'max' | 'argmin' | 'argmax',
  w: number,
  result: Float64Array,
): void {
  const n = values.length;
  const wantMax = stat === 'max' || stat === 'argmax';
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let lastNan = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) lastNan = i;
    else {
      // Drop older entries that can no longer be the extreme (ties: the newer one wins).
      while (tail > head && (wantMax ? values[deque[tail - 1]!]! <= v : values[deque[tail - 1]!]! >= v)) tail--;
      deque[tail++] = i;
    }
    while (tail > head && deque[head]! <= i - w) head++;
    if (i < w - 1 || lastNan > i - w) {
      result[i] = Number.NaN;
      continue;
    }
    const at = deque[head]!;
    result[i] = stat === 'min' || stat === 'max' ? values[at]! : 1 - (i - at) / (w - 1);
  }
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
  let shift = Number.NaN;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let nanPairs = 0;
  const w = window;
  for (let i = 0; i < n; i++) {
    if (i >= lag) {
      const x = values[i]!;
      const y = values[i - lag]!;
      if (Number.isNaN(x) || Number.isNaN(y)) nanPairs++;
      else {
        if (Number.isNaN(shift)) shift = y;
        const a = x - shift;
        const b = y - shift;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
      }
      const j = i - w;
      if (j >= lag) {
        const xo = values[j]!;
        const yo = values[j - lag]!;
        if (Number.isNaN(xo) || Number.isNaN(yo)) nanPairs--;
        else {
          const a = xo - shift;
          const b = yo - shift;
          sx -= a;
          sy -= b;
          sxx -= a * a;
          syy -= b * b;
          sxy -= a * b;
        }
      }
    }
    if ((i + 1) % w === 0 && i >= lag && !Number.isNaN(values[i]!)) {
      // Re-anchor every `window` bars (see rollingStat).
      shift = values[i]!;
      sx = sy = sxx = syy = sxy = 0;
      for (let j = Math.max(lag, i - w + 1); j <= i; j++) {
        const xv = values[j]!;
        const yv = values[j - lag]!;
        if (Number.isNaN(xv) || Number.isNaN(yv)) continue;
        const a = xv - shift;
        const b = yv - shift;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
      }
    }
    if (i < w + lag - 1 || nanPairs > 0) {
      result[i] = Number.NaN;
      continue;
    }
    const cov = sxy - (sx * sy) / w;
    const vx = sxx - (sx * sx) / w;
    const vy = syy - (sy * sy) / w;
    result[i] = vx > 1e-300 && vy > 1e-300 ? Math.max(-1, Math.min(1, cov / Math.sqrt(vx * vy))) : Number.NaN;
  }
  return result;
}
