/**
 * Quantized gradients (Shi et al., "Quantized Training of Gradient Boosting Decision Trees",
 * NeurIPS 2022; LightGBM `use_quantized_grad`): each row's gradient and hessian are rounded
 * stochastically to integers `gq ∈ [-L, L]`, `hq ∈ [0, L]`, which histogram building packs into
 * one double `gq · shift + hq` per row. Sums of packed values stay exact integers below 2^53, so a
 * histogram needs one addition per row and feature instead of two; split search decodes the sums.
 * Leaf outputs are then recomputed from the exact gradients.
 */
export interface GradientQuantization {
  /** The integer pair per data row, `gq` at `2r` and `hq` at `2r + 1` (exact in float32; rows outside the sample are untouched). */
  pairs: Float32Array;
  gradScale: number;
  hessScale: number;
  /** Power of two above any hessian sum, separating the two packed fields. */
  shift: number;
}

const TWO_POW_53 = 9007199254740992;

/**
 * Levels `L` and shift for `rows` rows: the largest `L <= 4096` whose packed sums over all rows
 * stay exact; 0 when fewer than 4 levels fit (too many rows).
 */
export function quantizationLevels(rows: number): { levels: number; shift: number } {
  for (let levels = Math.min(4096, Math.floor(2 ** 26 / Math.max(rows, 1))); levels >= 4; levels--) {
    const maxSum = rows * levels;
    const shift = 2 ** Math.ceil(Math.log2(maxSum + 1));
    if (maxSum * shift + maxSum < TWO_POW_53) return { levels, shift };
  }
  return { levels: 0, shift: 0 };
}

/**
 * Quantizes the gradient pairs (`gh`, interleaved per data row) of `rows[0..count)` into `pairs` with unbiased stochastic rounding
 * driven by a hash of (row, `salt`), so results are deterministic. Returns undefined when the
 * sample is too large to pack exactly.
 */
export function quantizeGradients(
  gh: Float32Array,
  rows: Uint32Array,
  count: number,
  salt: number,
  pairs: Float32Array,
): GradientQuantization | undefined {
  const { levels, shift } = quantizationLevels(count);
  if (levels === 0) return undefined;
  let maxG = 0;
  let maxH = 0;
  for (let i = 0; i < count; i++) {
    const r = rows[i]!;
    maxG = Math.max(maxG, Math.abs(gh[2 * r]!));
    maxH = Math.max(maxH, gh[2 * r + 1]!);
  }
  const gradScale = maxG > 0 ? maxG / levels : 1;
  const hessScale = maxH > 0 ? maxH / levels : 1;
  const invG = 1 / gradScale;
  const invH = 1 / hessScale;
  for (let i = 0; i < count; i++) {
    const r = rows[i]!;
    let x = Math.imul(r ^ salt, 0x9e3779b1);
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x ^= x >>> 13;
    const u1 = (x >>> 0) / 4294967296;
    x = Math.imul(x ^ (x >>> 16), 0xc2b2ae35);
    const u2 = ((x ^ (x >>> 15)) >>> 0) / 4294967296;
    const gq = Math.min(levels, Math.max(-levels, Math.floor(gh[2 * r]! * invG + u1)));
    const hq = Math.min(levels, Math.floor(gh[2 * r + 1]! * invH + u2));
    pairs[2 * r] = gq;
    pairs[2 * r + 1] = hq;
  }
  return { pairs, gradScale, hessScale, shift };
}

/** Decodes a packed histogram (`totalBins` sums) into interleaved (gradient, hessian) pairs. */
export function decodeHistogram(packedHist: Float64Array, q: GradientQuantization, out: Float64Array): void {
  const { shift, gradScale, hessScale } = q;
  for (let b = 0; b < packedHist.length; b++) {
    const v = packedHist[b]!;
    if (v === 0) {
      out[2 * b] = 0;
      out[2 * b + 1] = 0;
      continue;
    }
    const gq = Math.floor(v / shift);
    out[2 * b] = gq * gradScale;
    out[2 * b + 1] = (v - gq * shift) * hessScale;
  }
}
