import type { Rng } from '@candlelab/core';
import type { BinMapper } from './binning.js';
import { emptySplit, findBestSplit, leafOutput, type SplitCandidate, type SplitConstraints } from './findBestSplit.js';
import { GrowerMemory } from './growerMemory.js';
import { buildHistogramOfFeatures, buildPackedHistogram, subtractHistogram } from './histogram.js';
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
  /** Threads building histograms and partitioning (see `GbdtParams.threads`). */
  threads: number;
}

/**
 * Grows one tree on binned rows with gradient histograms. Reuses its buffers across trees.
 *
 * Rows live in *position order*: `rows[i]` is the data row at position `i`, and the grower's
 * {@link GrowerMemory} keeps that row's bins and its gradient pair at the same position.
 * Splitting a leaf partitions its positions, moving bins and gradients along, from one of two
 * row sets into the other (left rows first), so every leaf owns a contiguous range
 * `leafStart/leafCount` of all three in one set; after growth the leaves are gathered in the first set.
 * Histogram building then streams through memory instead of gathering scattered rows (about
 * 2.5× faster per row on a 1M-row matrix, where a gather misses the cache on nearly every row).
 * The order carries over from one tree to the next; {@link setRows} starts a new sample.
 */
export class TreeGrower {
  /**
   * Where the objective writes the gradient pairs, per output and data row (see
   * `GrowerMemory.gradients`): the grower gathers them into position order itself.
   */
  readonly gradients: Float32Array;
  /** Data row at each position; leaf `s` owns `rows[leafStart[s] .. leafStart[s] + leafCount[s])` after {@link grow}. */
  readonly rows: Uint32Array;
  readonly leafStart: Int32Array;
  readonly leafCount: Int32Array;
  /** Tree node of each leaf slot after {@link grow}. */
  readonly leafNode: Int32Array;
  /** Leaves of the last grown tree. */
  numLeaves = 0;

  /** The position-ordered row sets and histograms, shared with the WebAssembly kernels (and worker threads). */
  private readonly memory: GrowerMemory;
  private readonly wordsPerRow: number;
  private rowCount = 0;
  private readonly leafGrad: Float64Array;
  private readonly leafHess: Float64Array;
  private readonly leafDepth: Int32Array;
  /** Which of the memory's two row sets holds each leaf's positions. */
  private readonly leafSet: Uint8Array;
  private readonly leafHist: (Float64Array | undefined)[];
  private readonly leafSplit: SplitCandidate[];
  private readonly histPool: Float64Array[] = [];
  private readonly nodeFeatures: Int32Array;
  private tree: Tree = allocateTree(1);
  private nodes = 0;
  private gradHess: Float32Array = new Float32Array(0);
  private treeFeatures: Int32Array = new Int32Array(0);
  private numTreeFeatures = 0;
  private rng: Rng | undefined;
  private quantization: GradientQuantization | undefined;
  private packedHist: Float64Array | undefined;

  constructor(
    /** Row-major binned matrix (`mapper.stride` bytes per row), in data order. */
    private readonly bins: Uint8Array,
    private readonly n: number,
    outputs: number,
    private readonly mapper: BinMapper,
    private readonly config: GrowerConfig,
  ) {
    const maxLeaves = config.numLeaves;
    this.wordsPerRow = mapper.stride >>> 2;
    this.memory = new GrowerMemory(n, mapper.stride, mapper.totalBins, outputs, config.threads);
    this.rows = this.memory.sets[0].rows;
    this.gradients = this.memory.gradients;
    this.leafStart = new Int32Array(maxLeaves);
    this.leafCount = new Int32Array(maxLeaves);
    this.leafNode = new Int32Array(maxLeaves);
    this.leafGrad = new Float64Array(maxLeaves);
    this.leafHess = new Float64Array(maxLeaves);
    this.leafDepth = new Int32Array(maxLeaves);
    this.leafSet = new Uint8Array(maxLeaves);
    this.leafHist = new Array<Float64Array | undefined>(maxLeaves).fill(undefined);
    this.leafSplit = Array.from({ length: maxLeaves }, emptySplit);
    this.nodeFeatures = new Int32Array(mapper.numBins.length);
  }

  /** Releases the worker threads, if any; the grower is not used afterwards. */
  close(): void {
    this.memory.close();
  }

  /** Starts a new sample: the trees grow on data rows `rows[0..count)` (ascending) from now on. */
  setRows(rows: Uint32Array, count: number): void {
    const W = this.wordsPerRow;
    const binWords = new Uint32Array(this.bins.buffer, this.bins.byteOffset, this.bins.length >>> 2);
    const words = this.memory.sets[0].binWords;
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      this.rows[i] = r;
      for (let j = 0, from = r * W, to = i * W; j < W; j++) words[to + j] = binWords[from + j]!;
    }
    this.rowCount = count;
  }

  /**
   * Grows a tree for output `output` on the current sample (see {@link setRows}) from the gradient
   * pairs in {@link gradients} (already weighted), over the features
   * `treeFeatures[0..numTreeFeatures)` (ascending). `rng` draws per-node feature samples when
   * `colsampleByNode < 1`. With `quantization`, histograms and split search use the quantized
   * gradients; leaf outputs always use the exact ones.
   */
  grow(
    output: number,
    treeFeatures: Int32Array,
    numTreeFeatures: number,
    rng: Rng,
    quantization?: GradientQuantization,
  ): Tree {
    this.gradHess = this.gradients.subarray(2 * output * this.n, 2 * (output + 1) * this.n);
    this.treeFeatures = treeFeatures;
    this.numTreeFeatures = numTreeFeatures;
    this.rng = rng;
    this.quantization = quantization;
    const { rows, rowCount } = this;
    const gh = this.memory.sets[0].gh;
    if (quantization) {
      const pairs = quantization.pairs;
      for (let i = 0; i < rowCount; i++) {
        const r = rows[i]!;
        gh[2 * i] = pairs[2 * r]!;
        gh[2 * i + 1] = pairs[2 * r + 1]!;
      }
    } else this.memory.gatherGradients(output, rowCount);
    const tree = allocateTree(2 * this.config.numLeaves - 1);
    this.tree = tree;
    this.nodes = 1;
    const [g, h] = this.rootSums(quantization);
    this.setLeaf(0, 0, rowCount, g, h, 0, 0);
    this.leafSet[0] = 0;
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
    for (let s = 0; s < leaves; s++)
      if (this.leafSet[s] === 1)
        this.memory.moveToFirstSet(this.leafStart[s]!, this.leafStart[s]! + this.leafCount[s]!);
    const { lambdaL1, lambdaL2, learningRate } = this.config;
    for (let s = 0; s < leaves; s++) {
      const [lg, lh] = quantization
        ? this.exactSums(this.leafStart[s]!, this.leafCount[s]!)
        : [this.leafGrad[s]!, this.leafHess[s]!];
      tree.value[this.leafNode[s]!] = learningRate * leafOutput(lg, lh, lambdaL1, lambdaL2);
      this.release(s);
    }
    this.numLeaves = leaves;
    return trimTree(tree, this.nodes);
  }

  /** Gradient and hessian sums of the root's positions, exact or from the quantized values. */
  private rootSums(quantization: GradientQuantization | undefined): [number, number] {
    const gh = this.memory.sets[0].gh;
    let g = 0;
    let h = 0;
    for (let i = 0; i < this.rowCount; i++) {
      g += gh[2 * i]!;
      h += gh[2 * i + 1]!;
    }
    return quantization ? [g * quantization.gradScale, h * quantization.hessScale] : [g, h];
  }

  /** Exact gradient and hessian sums of positions `[start, start + count)` (leaf outputs under quantization). */
  private exactSums(start: number, count: number): [number, number] {
    const rows = this.rows;
    let g = 0;
    let h = 0;
    for (let i = start; i < start + count; i++) {
      const r = rows[i]!;
      g += this.gradHess[2 * r]!;
      h += this.gradHess[2 * r + 1]!;
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
    const from = this.leafSet[slot] as 0 | 1;
    // Missing values go left by matching the NaN bin too; otherwise the NaN bin (above every threshold) goes right.
    const leftCount = this.memory.partition(
      from,
      start,
      start + count,
      f,
      t,
      defaultLeft ? this.mapper.numBins[f]! : -1,
    );
    this.leafSet[slot] = 1 - from;
    this.leafSet[newSlot] = 1 - from;
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

  private build(hist: Float64Array, slot: number): void {
    const start = this.leafStart[slot]!;
    const end = start + this.leafCount[slot]!;
    const from = this.leafSet[slot] as 0 | 1;
    const { memory, mapper, treeFeatures, numTreeFeatures, quantization } = this;
    if (quantization) {
      this.packedHist ??= new Float64Array(mapper.totalBins);
      buildPackedHistogram(
        this.packedHist,
        memory.sets[from],
        quantization.shift,
        mapper,
        treeFeatures,
        numTreeFeatures,
        start,
        end,
      );
      decodeHistogram(this.packedHist, quantization, hist);
    } else if (numTreeFeatures === mapper.numBins.length) {
      memory.buildHistogram(from, start, end);
      hist.set(memory.hist);
    } else buildHistogramOfFeatures(hist, memory.sets[from], mapper, treeFeatures, numTreeFeatures, start, end);
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
