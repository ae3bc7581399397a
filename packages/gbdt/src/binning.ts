import type { Rng } from '@candlelab/core';

/** Histogram slots per feature: 255 value bins + the NaN bin. */
export const BINS_PER_FEATURE = 256;

/**
 * Quantile bins of every feature. Bin `b` of feature `f` holds the values in
 * `(upperBounds[f][b-1], upperBounds[f][b]]`; the last bound is `+Infinity`. NaN goes to the
 * extra bin `numBins[f]`, so a feature uses `numBins[f] + 1 <= 256` bins and fits a byte.
 * Binned rows are `stride` bytes long (features padded to a multiple of 4, so that histogram
 * building can read four bins per 32-bit load); feature `f` owns histogram slots
 * `binOffset[f] = 256 f ..`.
 */
export interface BinMapper {
  upperBounds: Float64Array[];
  /** Bins for non-missing values, per feature (the NaN bin is `numBins[f]`). */
  numBins: Uint16Array;
  /** Bytes per binned row: the number of features rounded up to a multiple of 4. */
  stride: number;
  /** Offset of each feature's first slot in a histogram (`256 f`). */
  binOffset: Int32Array;
  /** Histogram slots over all (padded) features, `256 · stride`. */
  totalBins: number;
}

/**
 * Bin upper bounds of one feature from its sorted non-missing values: every distinct value gets
 * its own bin when there are at most `maxBins`; otherwise bins are filled greedily to about equal
 * counts (a value never straddles two bins). Bounds sit midway between neighbouring values.
 */
export function quantileUpperBounds(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  if (n === 0) return Float64Array.of(Number.POSITIVE_INFINITY);
  const distinct = new Float64Array(n);
  const counts = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (m > 0 && distinct[m - 1] === v) counts[m - 1]!++;
    else {
      distinct[m] = v;
      counts[m++] = 1;
    }
  }
  const bounds: number[] = [];
  if (m <= maxBins) {
    for (let i = 0; i < m - 1; i++) bounds.push(midpoint(distinct[i]!, distinct[i + 1]!));
  } else {
    let remaining = n;
    let binsLeft = maxBins;
    let inBin = 0;
    for (let i = 0; i < m - 1 && binsLeft > 1; i++) {
      inBin += counts[i]!;
      const target = remaining / binsLeft;
      // Close the bin once it reaches its share, or before a value that would overfill it by more.
      const next = counts[i + 1]!;
      if (inBin >= target || inBin + next - target > target - inBin) {
        bounds.push(midpoint(distinct[i]!, distinct[i + 1]!));
        remaining -= inBin;
        binsLeft--;
        inBin = 0;
      }
    }
  }
  bounds.push(Number.POSITIVE_INFINITY);
  return Float64Array.from(bounds);
}

function midpoint(a: number, b: number): number {
  const mid = a + (b - a) / 2;
  // Keep a <= bound < b even where rounding would land on b.
  return mid < b ? mid : a;
}

/**
 * Learns bin edges from the rows of row-major `X` (`n × d`), using a seeded sample of
 * `sampleSize` rows when `n` is larger.
 */
export function fitBinMapper(
  X: Float64Array,
  n: number,
  d: number,
  maxBins: number,
  sampleSize: number,
  rng: Rng,
): BinMapper {
  let rows: Uint32Array | undefined;
  if (n > sampleSize) {
    // Partial Fisher–Yates: the first `sampleSize` entries form a uniform sample, sorted for locality.
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = 0; i < sampleSize; i++) {
      const j = i + rng.int(n - i);
      const tmp = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = tmp;
    }
    rows = perm.subarray(0, sampleSize).sort();
  }
  const m = rows ? rows.length : n;
  const upperBounds: Float64Array[] = [];
  const numBins = new Uint16Array(d);
  const stride = (d + 3) & ~3;
  const binOffset = Int32Array.from({ length: d }, (_, f) => f * BINS_PER_FEATURE);
  // The sample, column by column (one sequential pass over the sampled rows).
  const columns = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    const base = (rows ? rows[i]! : i) * d;
    for (let f = 0; f < d; f++) columns[f * m + i] = X[base + f]!;
  }
  for (let f = 0; f < d; f++) {
    const column = columns.subarray(f * m, f * m + m);
    let k = 0;
    for (let i = 0; i < m; i++) {
      const v = column[i]!;
      if (!Number.isNaN(v)) column[k++] = v;
    }
    const bounds = quantileUpperBounds(column.subarray(0, k).sort(), maxBins);
    upperBounds.push(bounds);
    numBins[f] = bounds.length;
  }
  return { upperBounds, numBins, stride, binOffset, totalBins: stride * BINS_PER_FEATURE };
}

/**
 * Bins row-major `X` (`n × d`) into a row-major `n × stride` byte matrix (NaN → the feature's
 * NaN bin; padding bytes 0).
 */
export function binMatrix(X: Float64Array, n: number, d: number, mapper: BinMapper): Uint8Array {
  const stride = mapper.stride;
  const out = new Uint8Array(n * stride);
  // All bounds in one array, feature f at 256 f, padded with +Infinity to 256 per feature, so that a
  // fixed eight-step branch-free search finds the bin (the row-by-row pass reads X sequentially).
  const bounds = new Float64Array(d * BINS_PER_FEATURE).fill(Number.POSITIVE_INFINITY);
  for (let f = 0; f < d; f++) bounds.set(mapper.upperBounds[f]!, f * BINS_PER_FEATURE);
  const nanBins = mapper.numBins;
  for (let r = 0; r < n; r++) {
    const base = r * d;
    const o = r * stride;
    for (let f = 0; f < d; f++) {
      const v = X[base + f]!;
      if (Number.isNaN(v)) {
        out[o + f] = nanBins[f]!;
        continue;
      }
      // The number of bounds below v, which is the first bin whose upper bound is >= v.
      const first = f * BINS_PER_FEATURE;
      let b = first;
      b += 128 & -(bounds[b + 127]! < v);
      b += 64 & -(bounds[b + 63]! < v);
      b += 32 & -(bounds[b + 31]! < v);
      b += 16 & -(bounds[b + 15]! < v);
      b += 8 & -(bounds[b + 7]! < v);
      b += 4 & -(bounds[b + 3]! < v);
      b += 2 & -(bounds[b + 1]! < v);
      b += 1 & -(bounds[b]! < v);
      out[o + f] = b - first;
    }
  }
  return out;
}
