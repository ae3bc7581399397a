import type { Rng } from '@candlelab/core';
import type { BinMapper } from './binning.js';
import { emptySplit, findBestSplit, leafOutput, type SplitCandidate, type SplitConstraints } from './findBestSplit.js';
import { buildHistogram, buildPackedHistogram, subtractHistogram } from './histogram.js';
import type { GrowPolicy } from './params.js';
import { decodeHistogram, type GradientQuantization } from './quantizeGradients.js';
import { allocateTree, type Tree, trimTree } from './Tree.js';

/** Settings of one tree's growth (parsed {@link GbdtParams} with derived limits). */
export interface GrowerConfig extends SplitConstraints {
  growPolicy: GrowPolicy;
  /** Maximum leaves per tree. */
  numLeaves: number;
  /** Maximum depth (`Infinity` for none). */
  maxDepth: number;
  learningRate: number;
  colsampleByNode: number;
}

/**
 * Grows one tree on binned rows with gradient histograms. Reuses its buffers across trees:
 * `rows` holds the row indices of the sample (the caller fills `rows[0..rowCount)`), which
 * growth partitions in place so that each leaf owns a contiguous range `leafStart/leafCount`.
 */
export class TreeGrower {
  /** Row indices; leaf `s` owns `rows[leafStart[s] .. leafStart[s] + leafCount[s])` after {@link grow}. */
  readonly rows: Uint32Array;
  readonly leafStart: Int32Array;
  readonly leafCount: Int32Array;
  /** Tree node of each leaf slot after {@link grow}. */
  readonly leafNode: Int32Array;
  /** Leaves of the last grown tree. */
  numLeaves = 0;

  private readonly scratch: Uint32Array;
  private readonly binWords: Uint32Array;
  private readonly leafGrad: Float64Array;
  private readonly leafHess: Float64Array;
  private readonly leafDepth: Int32Array;
  private readonly leafHist: (Float64Array | undefined)[];
  private readonly leafSplit: SplitCandidate[];
  private readonly histPool: Float64Array[] = [];
  private readonly nodeFeatures: Int32Array;
  private tree: Tree = allocateTree(1);
  private nodes = 0;
  private grad: Float64Array = new Float64Array(0);
  private hess: Float64Array = new Float64Array(0);
  private treeFeatures: Int32Array = new Int32Array(0);
  private numTreeFeatures = 0;
  private rng: Rng | undefined;
  private quantization: GradientQuantization | undefined;
  private packedHist: Float64Array | undefined;

  constructor(
    private readonly bins: Uint8Array,
    /** The same bins column by column (`binsByFeature[f · n + r]`): partitioning reads one feature. */
    private readonly binsByFeature: Uint8Array,
    private readonly n: number,
    private readonly mapper: BinMapper,
    private readonly config: GrowerConfig,
  ) {
    const maxLeaves = config.numLeaves;
    this.rows = new Uint32Array(n);
    this.scratch = new Uint32Array(n);
    this.leafStart = new Int32Array(maxLeaves);
    this.leafCount = new Int32Array(maxLeaves);
    this.leafNode = new Int32Array(maxLeaves);
    this.leafGrad = new Float64Array(maxLeaves);
    this.leafHess = new Float64Array(maxLeaves);
    this.leafDepth = new Int32Array(maxLeaves);
    this.leafHist = new Array<Float64Array | undefined>(maxLeaves).fill(undefined);
    this.leafSplit = Array.from({ length: maxLeaves }, emptySplit);
    this.nodeFeatures = new Int32Array(mapper.numBins.length);
    this.binWords = new Uint32Array(bins.buffer, bins.byteOffset, bins.length >>> 2);
  }

  /**
   * Grows a tree on `rows[0..rowCount)` with per-row gradients/hessians (already weighted),
   * over the features `treeFeatures[0..numTreeFeatures)` (ascending). `rng` draws per-node
   * feature samples when `colsampleByNode < 1`. With `quantization`, histograms and split
   * search use the packed quantized gradients; leaf outputs always use the exact ones.
   */
  grow(
    grad: Float64Array,
    hess: Float64Array,
    rowCount: number,
    treeFeatures: Int32Array,
    numTreeFeatures: number,
    rng: Rng,
    quantization?: GradientQuantization,
  ): Tree {
    this.grad = grad;
    this.hess = hess;
    this.treeFeatures = treeFeatures;
    this.numTreeFeatures = numTreeFeatures;
    this.rng = rng;
    this.quantization = quantization;
    const tree = allocateTree(2 * this.config.numLeaves - 1);
    this.tree = tree;
    this.nodes = 1;
    const [g, h] = this.sums(0, rowCount, quantization);
    this.setLeaf(0, 0, rowCount, g, h, 0, 0);
    this.leafSplit[0]!.gain = 0;
    if (this.canSplit(0) && this.config.numLeaves > 1) {
      const hist = this.acquire();
      this.build(hist, 0);
      this.leafHist[0] = hist;
      this.search(0);
    }
    let leaves = 1;
    while (leaves < this.config.numLeaves) {
      const slot = this.pickLeaf(leaves);
      if (slot < 0) break;
      this.splitLeaf(slot, leaves);
      leaves++;
    }
    const { lambdaL1, lambdaL2, learningRate } = this.config;
    for (let s = 0; s < leaves; s++) {
      const [lg, lh] = quantization
        ? this.sums(this.leafStart[s]!, this.leafCount[s]!, undefined)
        : [this.leafGrad[s]!, this.leafHess[s]!];
      tree.value[this.leafNode[s]!] = learningRate * leafOutput(lg, lh, lambdaL1, lambdaL2);
      this.release(s);
    }
    this.numLeaves = leaves;
    return trimTree(tree, this.nodes);
  }

  /** Gradient and hessian sums of `rows[start .. start + count)`, exact or from the quantized values. */
  private sums(start: number, count: number, quantization: GradientQuantization | undefined): [number, number] {
    const rows = this.rows;
    const end = start + count;
    if (quantization) {
      let packed = 0;
      for (let i = start; i < end; i++) packed += quantization.packed[rows[i]!]!;
      const gq = Math.floor(packed / quantization.shift);
      return [gq * quantization.gradScale, (packed - gq * quantization.shift) * quantization.hessScale];
    }
    let g = 0;
    let h = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      g += this.grad[r]!;
      h += this.hess[r]!;
    }
    return [g, h];
  }

  private setLeaf(slot: number, start: number, count: number, g: number, h: number, depth: number, node: number): void {
    this.leafStart[slot] = start;
    this.leafCount[slot] = count;
    this.leafGrad[slot] = g;
    this.leafHess[slot] = h;
    this.leafDepth[slot] = depth;
    this.leafNode[slot] = node;
  }

  private canSplit(slot: number): boolean {
    const c = this.config;
    return (
      this.leafDepth[slot]! < c.maxDepth &&
      this.leafCount[slot]! >= 2 * c.minDataInLeaf &&
      this.leafHess[slot]! >= 2 * c.minSumHessianInLeaf
    );
  }

  /** The next leaf to split: largest gain (leaf-wise) or shallowest, then oldest (depth-wise); -1 when none gains. */
  private pickLeaf(leaves: number): number {
    let best = -1;
    if (this.config.growPolicy === 'leafwise') {
      let bestGain = 0;
      for (let s = 0; s < leaves; s++) {
        const gain = this.leafSplit[s]!.gain;
        if (gain > bestGain) {
          bestGain = gain;
          best = s;
        }
      }
      return best;
    }
    for (let s = 0; s < leaves; s++) {
      if (!(this.leafSplit[s]!.gain > 0)) continue;
      if (
        best < 0 ||
        this.leafDepth[s]! < this.leafDepth[best]! ||
        (this.leafDepth[s] === this.leafDepth[best] && this.leafNode[s]! < this.leafNode[best]!)
      )
        best = s;
    }
    return best;
  }

  private splitLeaf(slot: number, newSlot: number): void {
    const split = this.leafSplit[slot]!;
    const { feature: f, bin: t, defaultLeft } = split;
    const start = this.leafStart[slot]!;
    const count = this.leafCount[slot]!;
    const leftCount = this.partition(start, count, f, t, defaultLeft);
    const tree = this.tree;
    const node = this.leafNode[slot]!;
    const leftNode = this.nodes++;
    const rightNode = this.nodes++;
    const numBins = this.mapper.numBins[f]!;
    tree.feature[node] = f;
    tree.thresholdBin[node] = t;
    // Splitting at the last bin separates missing from non-missing values: every finite value goes left.
    tree.threshold[node] = t === numBins - 1 ? Number.MAX_VALUE : this.mapper.upperBounds[f]![t]!;
    tree.defaultLeft[node] = defaultLeft ? 1 : 0;
    tree.left[node] = leftNode;
    tree.right[node] = rightNode;
    tree.gain[node] = split.gain;
    const depth = this.leafDepth[slot]! + 1;
    const g = this.leafGrad[slot]!;
    const h = this.leafHess[slot]!;
    this.setLeaf(slot, start, leftCount, split.leftGrad, split.leftHess, depth, leftNode);
    this.setLeaf(
      newSlot,
      start + leftCount,
      count - leftCount,
      g - split.leftGrad,
      h - split.leftHess,
      depth,
      rightNode,
    );
    this.leafSplit[slot]!.gain = 0;
    this.leafSplit[newSlot]!.gain = 0;

    const parentHist = this.leafHist[slot]!;
    this.leafHist[slot] = undefined;
    const last = newSlot + 1 >= this.config.numLeaves;
    const canLeft = !last && this.canSplit(slot);
    const canRight = !last && this.canSplit(newSlot);
    if (!canLeft && !canRight) {
      this.histPool.push(parentHist);
      return;
    }
    const smaller = leftCount <= count - leftCount ? slot : newSlot;
    const larger = smaller === slot ? newSlot : slot;
    const canSmaller = smaller === slot ? canLeft : canRight;
    const canLarger = smaller === slot ? canRight : canLeft;
    const smallHist = this.acquire();
    this.build(smallHist, smaller);
    if (canLarger) {
      subtractHistogram(parentHist, smallHist);
      this.leafHist[larger] = parentHist;
      this.search(larger);
    } else this.histPool.push(parentHist);
    if (canSmaller) {
      this.leafHist[smaller] = smallHist;
      this.search(smaller);
    } else this.histPool.push(smallHist);
  }

  /** Stable in-place partition of a leaf's rows: left rows first. Returns the left count. */
  private partition(start: number, count: number, f: number, t: number, defaultLeft: boolean): number {
    const { rows, scratch } = this;
    const column = this.binsByFeature.subarray(f * this.n, (f + 1) * this.n);
    const nanBin = this.mapper.numBins[f]!;
    const end = start + count;
    let l = start;
    let rc = 0;
    if (defaultLeft) {
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        const b = column[r]!;
        if (b <= t || b === nanBin) rows[l++] = r;
        else scratch[rc++] = r;
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        if (column[r]! <= t) rows[l++] = r;
        else scratch[rc++] = r;
      }
    }
    rows.set(scratch.subarray(0, rc), l);
    return l - start;
  }

  private build(hist: Float64Array, slot: number): void {
    const start = this.leafStart[slot]!;
    const q = this.quantization;
    if (q) {
      this.packedHist ??= new Float64Array(this.mapper.totalBins);
      const end = start + this.leafCount[slot]!;
      buildPackedHistogram(
        this.packedHist,
        this.bins,
        this.binWords,
        this.mapper,
        this.treeFeatures,
        this.numTreeFeatures,
        this.rows,
        start,
        end,
        q.packed,
      );
      decodeHistogram(this.packedHist, q, hist);
      return;
    }
    buildHistogram(
      hist,
      this.bins,
      this.binWords,
      this.mapper,
      this.treeFeatures,
      this.numTreeFeatures,
      this.rows,
      start,
      start + this.leafCount[slot]!,
      this.grad,
      this.hess,
    );
  }

  private search(slot: number): void {
    let features = this.treeFeatures;
    let k = this.numTreeFeatures;
    if (this.config.colsampleByNode < 1) {
      k = Math.max(1, Math.round(k * this.config.colsampleByNode));
      features = sampleFeatures(this.treeFeatures, this.numTreeFeatures, k, this.rng!, this.nodeFeatures);
    }
    findBestSplit(
      this.leafHist[slot]!,
      this.mapper,
      features,
      k,
      this.leafGrad[slot]!,
      this.leafHess[slot]!,
      this.leafCount[slot]!,
      this.config,
      this.leafSplit[slot]!,
    );
  }

  private acquire(): Float64Array {
    return this.histPool.pop() ?? new Float64Array(this.mapper.totalBins * 2);
  }

  private release(slot: number): void {
    const hist = this.leafHist[slot];
    if (hist) this.histPool.push(hist);
    this.leafHist[slot] = undefined;
  }
}

/**
 * `k` of the first `m` entries of `from`, drawn uniformly without replacement (partial
 * Fisher–Yates), written ascending into `out`.
 */
export function sampleFeatures(from: Int32Array, m: number, k: number, rng: Rng, out: Int32Array): Int32Array {
  out.set(from.subarray(0, m));
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(m - i);
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  out.subarray(0, k).sort();
  return out;
}
