import { InvalidParameterError } from '@candlelab/core';
import { kernelsModule, MAX_PAGES, PAGE, wasm } from './kernelsModule.js';
import { KernelOp, KernelPool } from './kernelThreads.js';

interface KernelExports {
  buildHistogram(hist: number, rowsBins: number, stride: number, gh: number, start: number, end: number): void;
  countLeft(bins: number, stride: number, start: number, end: number, f: number, t: number, nanLeftBin: number): number;
  gatherPairs(dst: number, rows: number, src: number, start: number, end: number): void;
  partition(
    srcBins: number,
    dstBins: number,
    stride: number,
    srcGH: number,
    dstGH: number,
    srcRows: number,
    dstRows: number,
    start: number,
    end: number,
    f: number,
    t: number,
    nanLeftBin: number,
    leftAt: number,
    rightEnd: number,
  ): number;
}

/** One copy of the position-ordered working set: typed-array views and their byte offsets in the memory. */
export interface RowSet {
  /** Binned rows, `stride` bytes each, as bytes and as 32-bit words. */
  bins: Uint8Array;
  binWords: Uint32Array;
  /** Interleaved (gradient, hessian) per position, rounded to float32 as XGBoost stores them (sums are float64). */
  gh: Float32Array;
  /** Data row at each position. */
  rows: Uint32Array;
  at: { bins: number; gh: number; rows: number };
}

/** Below this many rows a leaf is not split among threads (the handoff would cost more than it saves). */
const PARALLEL_MIN_ROWS = 16_384;

/** Positions `[start, end)` cut into `parts` near-equal consecutive chunks: chunk `c`'s bounds. */
function chunk(start: number, end: number, parts: number, c: number): [number, number] {
  const rows = end - start;
  return [start + Math.floor((rows * c) / parts), start + Math.floor((rows * (c + 1)) / parts)];
}

/**
 * The tree grower's working set in one WebAssembly memory, so the hot loops (`kernels.wat`) and the
 * JavaScript around them share it without copies: the gradient pairs of every data row and output
 * (where the objective writes them), two {@link RowSet}s (binned rows, gradient pairs and row
 * indices in position order; a partition reads a leaf from one set and writes both children into
 * the other) and a histogram per thread. Views are typed arrays over the memory, which does not
 * grow while the grower lives (so the views stay valid). With `threads > 1` the memory is shared
 * with worker threads (see {@link KernelPool}), and large leaves are cut into one consecutive
 * chunk per thread.
 */
export class GrowerMemory {
  readonly sets: readonly [RowSet, RowSet];
  /** The histogram the kernels leave their result in (`totalBins` (gradient, hessian) pairs). */
  readonly hist: Float64Array;
  /**
   * Gradient pairs by data row, per output: output `c`, row `r` at `gradients[2 (c n + r)]` (gradient)
   * and the next element (hessian), float32.
   */
  readonly gradients: Float32Array;
  /** Each worker thread's histogram (summed into {@link hist}). */
  private readonly workerHists: Float64Array[] = [];
  private readonly kernels: KernelExports;
  private readonly pool: KernelPool | undefined;
  private readonly histBytes: number;
  private readonly gradientsAt: number;

  constructor(
    private readonly n: number,
    private readonly stride: number,
    totalBins: number,
    outputs = 1,
    threads = 1,
  ) {
    // The histograms, then the 8-byte pair arrays, then the word and byte arrays (every size keeps 8-byte alignment).
    this.histBytes = totalBins * 16;
    this.gradientsAt = threads * this.histBytes;
    const gh = this.gradientsAt + 8 * n * outputs;
    const rows = gh + 2 * 8 * n;
    const bins = rows + 2 * 4 * n;
    const bytes = bins + 2 * n * stride;
    const pages = Math.ceil(bytes / PAGE);
    if (pages > MAX_PAGES)
      throw new InvalidParameterError(
        'rows',
        n,
        `${n} rows × ${stride} bin bytes need ${(bytes / 2 ** 30).toFixed(1)} GiB of working memory; the tree grower's WebAssembly memory holds 4 GiB (subsample the rows or train on fewer features)`,
      );
    const shared = threads > 1;
    const module = kernelsModule(shared);
    this.pool = shared ? KernelPool.start(threads, module, pages) : undefined;
    const memory = this.pool?.memory ?? new wasm.Memory({ initial: pages, maximum: pages });
    this.kernels = new wasm.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    const buffer = memory.buffer;
    this.hist = new Float64Array(buffer, 0, 2 * totalBins);
    this.gradients = new Float32Array(buffer, this.gradientsAt, 2 * n * outputs);
    for (let w = 1; w < threads; w++)
      this.workerHists.push(new Float64Array(buffer, w * this.histBytes, 2 * totalBins));
    const set = (copy: number): RowSet => {
      const at = { bins: bins + copy * n * stride, gh: gh + copy * 8 * n, rows: rows + copy * 4 * n };
      return {
        bins: new Uint8Array(buffer, at.bins, n * stride),
        binWords: new Uint32Array(buffer, at.bins, (n * stride) >>> 2),
        gh: new Float32Array(buffer, at.gh, 2 * n),
        rows: new Uint32Array(buffer, at.rows, n),
        at,
      };
    };
    this.sets = [set(0), set(1)];
  }

  /** Accumulates positions `[start, end)` of row set `from` over every feature into {@link hist} (zeroed first). */
  buildHistogram(from: 0 | 1, start: number, end: number): void {
    const at = this.sets[from].at;
    const { pool, stride, kernels, hist } = this;
    hist.fill(0);
    if (!pool || end - start < PARALLEL_MIN_ROWS) {
      kernels.buildHistogram(0, at.bins, stride, at.gh, start, end);
      return;
    }
    const parts = pool.size + 1;
    for (let w = 0; w < pool.size; w++) {
      this.workerHists[w]!.fill(0);
      const [a, b] = chunk(start, end, parts, w);
      pool.assign(w, KernelOp.BuildHistogram, [(w + 1) * this.histBytes, at.bins, stride, at.gh, a, b]);
    }
    const [a, b] = chunk(start, end, parts, parts - 1);
    pool.run(() => kernels.buildHistogram(0, at.bins, stride, at.gh, a, b));
    for (const workerHist of this.workerHists) for (let i = 0; i < hist.length; i++) hist[i]! += workerHist[i]!;
  }

  /**
   * Partitions positions `[start, end)` of row set `from` into the same positions of the other
   * set: bin of feature `f` `<= t` (or `=== nanLeftBin`, -1 for none) first, in order; the rest
   * after them, in reverse order (the same layout whatever the thread count). Returns the left count.
   */
  partition(from: 0 | 1, start: number, end: number, f: number, t: number, nanLeftBin: number): number {
    const src = this.sets[from].at;
    const dst = this.sets[1 - from]!.at;
    const { pool, stride, kernels } = this;
    type PartitionArgs = Parameters<KernelExports['partition']>;
    const partitionArgs = (a: number, b: number, leftAt: number, rightEnd: number): PartitionArgs => [
      src.bins,
      dst.bins,
      stride,
      src.gh,
      dst.gh,
      src.rows,
      dst.rows,
      a,
      b,
      f,
      t,
      nanLeftBin,
      leftAt,
      rightEnd,
    ];
    if (!pool || end - start < PARALLEL_MIN_ROWS) return kernels.partition(...partitionArgs(start, end, start, end));
    // Count each chunk's left rows, then move every chunk at once to its offsets.
    const parts = pool.size + 1;
    const chunks = Array.from({ length: parts }, (_, c) => chunk(start, end, parts, c));
    for (let w = 0; w < pool.size; w++)
      pool.assign(w, KernelOp.CountLeft, [src.bins, stride, chunks[w]![0], chunks[w]![1], f, t, nanLeftBin]);
    const [ownStart, ownEnd] = chunks[parts - 1]!;
    let ownLeft = 0;
    pool.run(() => {
      ownLeft = kernels.countLeft(src.bins, stride, ownStart, ownEnd, f, t, nanLeftBin);
    });
    let leftAt = start;
    let rightEnd = end;
    let ownArgs = partitionArgs(ownStart, ownEnd, 0, 0);
    for (let c = 0; c < parts; c++) {
      const [a, b] = chunks[c]!;
      const left = c < pool.size ? pool.result(c) : ownLeft;
      const args = partitionArgs(a, b, leftAt, rightEnd);
      if (c < pool.size) pool.assign(c, KernelOp.Partition, args);
      else ownArgs = args;
      leftAt += left;
      rightEnd -= b - a - left;
    }
    pool.run(() => kernels.partition(...ownArgs));
    return leftAt - start;
  }

  /** Fills the first row set's gradient pairs for positions `[0, count)` from output `output`'s {@link gradients}. */
  gatherGradients(output: number, count: number): void {
    const { pool, kernels } = this;
    const first = this.sets[0].at;
    const src = this.gradientsAt + 8 * this.n * output;
    if (!pool || count < PARALLEL_MIN_ROWS) {
      kernels.gatherPairs(first.gh, first.rows, src, 0, count);
      return;
    }
    const parts = pool.size + 1;
    for (let w = 0; w < pool.size; w++)
      pool.assign(w, KernelOp.GatherPairs, [first.gh, first.rows, src, ...chunk(0, count, parts, w)]);
    const [a, b] = chunk(0, count, parts, parts - 1);
    pool.run(() => kernels.gatherPairs(first.gh, first.rows, src, a, b));
  }

  /** Copies the rows and bins of positions `[start, end)` from set 1 to set 0. */
  moveToFirstSet(start: number, end: number): void {
    const [first, second] = this.sets;
    const s = this.stride;
    first.bins.set(second.bins.subarray(start * s, end * s), start * s);
    first.rows.set(second.rows.subarray(start, end), start);
  }

  /** Stops the worker threads (a no-op for one thread). */
  close(): void {
    this.pool?.close();
  }
}
