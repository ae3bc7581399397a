import { BINS_PER_FEATURE, type BinMapper } from './binning.js';

/**
 * Gradient histograms: for every (feature, bin) the pair (sum of gradients, sum of hessians),
 * interleaved in one `Float64Array` at `2 * (binOffset[f] + bin)`. Row counts are not
 * accumulated (a third read-modify-write per row and feature): as in LightGBM, split search
 * estimates them from the hessians.
 */

/**
 * Builds the histogram of rows `rows[start..end)` over the features in `features[0..numFeatures)`.
 * `bins` is the row-major byte matrix (`mapper.stride` bytes per row) and `binWords` the same
 * memory as 32-bit words; `hist` is overwritten.
 */
export function buildHistogram(
  hist: Float64Array,
  bins: Uint8Array,
  binWords: Uint32Array,
  mapper: BinMapper,
  features: Int32Array,
  numFeatures: number,
  rows: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  hist.fill(0);
  const stride = mapper.stride;
  if (numFeatures === mapper.numBins.length) {
    // All features: four bins per 32-bit load (little-endian byte order, as on every JS platform
    // in use); the padding features accumulate into unused slots.
    const words = stride >>> 2;
    const B = BINS_PER_FEATURE;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!;
      const h = hess[r]!;
      const base = r * words;
      for (let j = 0, o = 0; j < words; j++, o += 4 * B) {
        const w = binWords[base + j]!;
        let s = (o + (w & 255)) << 1;
        hist[s]! += g;
        hist[s + 1]! += h;
        s = (o + B + ((w >>> 8) & 255)) << 1;
        hist[s]! += g;
        hist[s + 1]! += h;
        s = (o + 2 * B + ((w >>> 16) & 255)) << 1;
        hist[s]! += g;
        hist[s + 1]! += h;
        s = (o + 3 * B + (w >>> 24)) << 1;
        hist[s]! += g;
        hist[s + 1]! += h;
      }
    }
    return;
  }
  const binOffset = mapper.binOffset;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const g = grad[r]!;
    const h = hess[r]!;
    const base = r * stride;
    for (let j = 0; j < numFeatures; j++) {
      const f = features[j]!;
      const s = (binOffset[f]! + bins[base + f]!) << 1;
      hist[s]! += g;
      hist[s + 1]! += h;
    }
  }
}

/**
 * Like {@link buildHistogram} for packed quantized gradients (see `quantizeGradients`): one sum
 * per (feature, bin) in `hist` (`totalBins` long), one addition per row and feature.
 */
export function buildPackedHistogram(
  hist: Float64Array,
  bins: Uint8Array,
  binWords: Uint32Array,
  mapper: BinMapper,
  features: Int32Array,
  numFeatures: number,
  rows: Uint32Array,
  start: number,
  end: number,
  packed: Float64Array,
): void {
  hist.fill(0);
  const stride = mapper.stride;
  if (numFeatures === mapper.numBins.length) {
    const words = stride >>> 2;
    const B = BINS_PER_FEATURE;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const v = packed[r]!;
      const base = r * words;
      for (let j = 0, o = 0; j < words; j++, o += 4 * B) {
        const w = binWords[base + j]!;
        hist[o + (w & 255)]! += v;
        hist[o + B + ((w >>> 8) & 255)]! += v;
        hist[o + 2 * B + ((w >>> 16) & 255)]! += v;
        hist[o + 3 * B + (w >>> 24)]! += v;
      }
    }
    return;
  }
  const binOffset = mapper.binOffset;
  for (let i = start; i < end; i++) {
    const r = rows[i]!;
    const v = packed[r]!;
    const base = r * stride;
    for (let j = 0; j < numFeatures; j++) {
      const f = features[j]!;
      hist[binOffset[f]! + bins[base + f]!]! += v;
    }
  }
}

/** `parent -= child`, in place: the histogram-subtraction trick (the sibling's histogram for free). */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i]! -= child[i]!;
}
