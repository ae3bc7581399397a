import { BINS_PER_FEATURE, type BinMapper } from './binning.js';
import type { RowSet } from './growerMemory.js';

/**
 * Gradient histograms: for every (feature, bin) the pair (sum of gradients, sum of hessians),
 * interleaved in one `Float64Array` at `2 * (binOffset[f] + bin)`. Row counts are not
 * accumulated (a third read-modify-write per row and feature): as in LightGBM, split search
 * estimates them from the hessians.
 *
 * The all-features histogram of exact gradients is `GrowerMemory.buildHistogram` (WebAssembly);
 * these builders cover a feature subset (column sampling) and quantized gradients. All read one
 * of the grower's position-ordered row sets, so memory is scanned sequentially.
 */

/** Builds the histogram of positions `[start, end)` over the features `features[0..numFeatures)` into `hist`. */
export function buildHistogramOfFeatures(
  hist: Float64Array,
  set: RowSet,
  mapper: BinMapper,
  features: Int32Array,
  numFeatures: number,
  start: number,
  end: number,
): void {
  hist.fill(0);
  const { bins, gh } = set;
  const { stride, binOffset } = mapper;
  for (let i = start; i < end; i++) {
    const g = gh[2 * i]!;
    const h = gh[2 * i + 1]!;
    const base = i * stride;
    for (let j = 0; j < numFeatures; j++) {
      const f = features[j]!;
      const s = (binOffset[f]! + bins[base + f]!) << 1;
      hist[s]! += g;
      hist[s + 1]! += h;
    }
  }
}

/**
 * The histogram of quantized gradients (see `quantizeGradients`; the grower stores the integer
 * pair at `gh[2 i]`, `gh[2 i + 1]`), packed per row into `gq · shift + hq`: one sum per
 * (feature, bin) in `hist` (`totalBins` long), one addition per row and feature.
 */
export function buildPackedHistogram(
  hist: Float64Array,
  set: RowSet,
  shift: number,
  mapper: BinMapper,
  features: Int32Array,
  numFeatures: number,
  start: number,
  end: number,
): void {
  hist.fill(0);
  const { bins, binWords, gh } = set;
  const { stride, binOffset } = mapper;
  if (numFeatures === mapper.numBins.length) {
    // All features: four bins per 32-bit load (little-endian byte order, as on every JS platform
    // in use); the padding features accumulate into unused slots.
    const W = stride >>> 2;
    const B = BINS_PER_FEATURE;
    for (let i = start; i < end; i++) {
      const v = gh[2 * i]! * shift + gh[2 * i + 1]!;
      const base = i * W;
      for (let j = 0, o = 0; j < W; j++, o += 4 * B) {
        const w = binWords[base + j]!;
        hist[o + (w & 255)]! += v;
        hist[o + B + ((w >>> 8) & 255)]! += v;
        hist[o + 2 * B + ((w >>> 16) & 255)]! += v;
        hist[o + 3 * B + (w >>> 24)]! += v;
      }
    }
    return;
  }
  for (let i = start; i < end; i++) {
    const v = gh[2 * i]! * shift + gh[2 * i + 1]!;
    const base = i * stride;
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
