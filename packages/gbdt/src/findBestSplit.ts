import type { BinMapper } from './binning.js';

/** Regularisation and constraints of split search (see {@link GbdtParams}). */
export interface SplitConstraints {
  lambdaL1: number;
  lambdaL2: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  minGainToSplit: number;
}

/** The best split found for a leaf; `gain <= 0` means the leaf is not split. */
export interface SplitCandidate {
  gain: number;
  feature: number;
  /** Rows with bin `<= bin` go left. */
  bin: number;
  /** Whether rows with missing values go left. */
  defaultLeft: boolean;
  leftGrad: number;
  leftHess: number;
}

export function emptySplit(): SplitCandidate {
  return { gain: 0, feature: -1, bin: 0, defaultLeft: false, leftGrad: 0, leftHess: 0 };
}

/** Soft-thresholded gradient sum (the L1 penalty of XGBoost's `alpha` / LightGBM's `lambda_l1`). */
function thresholdL1(g: number, l1: number): number {
  return g > l1 ? g - l1 : g < -l1 ? g + l1 : 0;
}

/** Structure score of a leaf, `T(G)² / (H + λ)`; a split's gain is children minus parent. */
export function leafScore(g: number, h: number, l1: number, l2: number): number {
  const t = thresholdL1(g, l1);
  return (t * t) / (h + l2);
}

/** Optimal leaf output `-T(G) / (H + λ)` (before the learning rate). */
export function leafOutput(g: number, h: number, l1: number, l2: number): number {
  const denominator = h + l2;
  return denominator > 0 ? -thresholdL1(g, l1) / denominator : 0;
}

/**
 * Scans the histogram of a leaf for the split with the largest gain over the candidate
 * features, trying missing values on either side (the learned default direction). A split
 * that sends all non-missing rows one way and the missing rows the other is also considered.
 * Writes the result into `out` (gain 0 when no split satisfies the constraints).
 *
 * Child row counts for `minDataInLeaf` are estimated from the hessians as LightGBM does
 * (`round(H_child · count / H_leaf)`; exact when every row's hessian is equal, as in unweighted
 * regression).
 */
export function findBestSplit(
  hist: Float64Array,
  mapper: BinMapper,
  features: Int32Array,
  numFeatures: number,
  sumGrad: number,
  sumHess: number,
  count: number,
  c: SplitConstraints,
  out: SplitCandidate,
): void {
  const { lambdaL1: l1, lambdaL2: l2, minDataInLeaf: minData, minSumHessianInLeaf: minHess } = c;
  out.gain = 0;
  out.feature = -1;
  if (!(sumHess > 0)) return;
  const parentScore = leafScore(sumGrad, sumHess, l1, l2);
  // Both children's constraints as bounds on the left hessian sum (counts estimated as H · count / H_leaf).
  const countPerHess = count / sumHess;
  const hLo = Math.max(minHess, (minData - 0.5) / countPerHess);
  const hHi = Math.min(sumHess - minHess, (count - minData + 0.5) / countPerHess);
  if (hLo > hHi) return;
  let bestGain = c.minGainToSplit;
  for (let j = 0; j < numFeatures; j++) {
    const f = features[j]!;
    const nb = mapper.numBins[f]!;
    const off = mapper.binOffset[f]! * 2;
    const nanS = off + nb * 2;
    const nanG = hist[nanS]!;
    const nanH = hist[nanS + 1]!;
    const hasNaN = nanH > 0;
    let gL = 0;
    let hL = 0;
    const lastBin = hasNaN ? nb - 1 : nb - 2;
    for (let b = 0; b <= lastBin; b++) {
      const s = off + b * 2;
      const hb = hist[s + 1]!;
      // An empty bin gives the same split as the previous one.
      if (hb === 0 && b > 0) continue;
      gL += hist[s]!;
      hL += hb;
      // Left sums only grow from here: every later split (NaN either side) breaks the constraints too.
      if (hL > hHi) break;
      // Missing values to the right.
      if (hL >= hLo) {
        const gR = sumGrad - gL;
        const gain =
          l1 > 0
            ? leafScore(gL, hL, l1, l2) + leafScore(gR, sumHess - hL, l1, l2) - parentScore
            : (gL * gL) / (hL + l2) + (gR * gR) / (sumHess - hL + l2) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          writeSplit(out, gain, f, b, false, gL, hL);
        }
      }
      // Missing values to the left (only meaningful when this leaf has any, and not at the all-left bin).
      if (hasNaN && b < nb - 1) {
        const gLL = gL + nanG;
        const hLL = hL + nanH;
        if (hLL >= hLo && hLL <= hHi) {
          const gain = leafScore(gLL, hLL, l1, l2) + leafScore(sumGrad - gLL, sumHess - hLL, l1, l2) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            writeSplit(out, gain, f, b, true, gLL, hLL);
          }
        }
      }
    }
  }
}

function writeSplit(
  out: SplitCandidate,
  gain: number,
  feature: number,
  bin: number,
  defaultLeft: boolean,
  g: number,
  h: number,
): void {
  out.gain = gain;
  out.feature = feature;
  out.bin = bin;
  out.defaultLeft = defaultLeft;
  out.leftGrad = g;
  out.leftHess = h;
}
