import { InvalidParameterError } from '@candlelab/core';
import { KERNELS_WASM_BASE64 } from './kernelsWasm.js';

interface KernelExports {
  buildHistogram(hist: number, rowsBins: number, stride: number, gh: number, start: number, end: number): void;
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

const PAGE = 65536;
/** WebAssembly (wasm32) memories end at 4 GiB. */
const MAX_PAGES = 65536;

/** The part of the WebAssembly JS API used here (the ES library typings declare none of its values). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | undefined;

/** The kernels module, compiled once per process (synchronously: it is under 1 KB). */
function kernelsModule(): object {
  compiled ??= new wasm.Module(Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0)));
  return compiled;
}

/**
 * The tree grower's working set in one WebAssembly memory, so the hot loops (`kernels.wat`) and the
 * JavaScript around them share it without copies: two {@link RowSet}s (binned rows, gradient pairs
 * and row indices in position order; a partition reads a leaf from one set and writes both
 * children into the other) and one histogram. Views are typed arrays over the memory, which never
 * grows (so the views stay valid).
 */
export class GrowerMemory {
  readonly sets: readonly [RowSet, RowSet];
  /** The histogram the kernel accumulates into (`totalBins` (gradient, hessian) pairs). */
  readonly hist: Float64Array;
  private readonly kernels: KernelExports;

  constructor(
    n: number,
    private readonly stride: number,
    totalBins: number,
  ) {
    // The histogram, then the 8-byte pair arrays, then the word and byte arrays (every size keeps 8-byte alignment).
    const gh = totalBins * 16;
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
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    const instance = new wasm.Instance(kernelsModule(), { env: { memory } });
    this.kernels = instance.exports as unknown as KernelExports;
    const buffer = memory.buffer;
    this.hist = new Float64Array(buffer, 0, 2 * totalBins);
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
    this.hist.fill(0);
    const at = this.sets[from].at;
    this.kernels.buildHistogram(0, at.bins, this.stride, at.gh, start, end);
  }

  /**
   * Partitions positions `[start, end)` of row set `from` into the same positions of the other
   * set: bin of feature `f` `<= t` (or `=== nanLeftBin`, -1 for none) first, in order; the rest
   * after them, in reverse order. Returns the left count.
   */
  partition(from: 0 | 1, start: number, end: number, f: number, t: number, nanLeftBin: number): number {
    const src = this.sets[from].at;
    const dst = this.sets[1 - from]!.at;
    return this.kernels.partition(
      src.bins,
      dst.bins,
      this.stride,
      src.gh,
      dst.gh,
      src.rows,
      dst.rows,
      start,
      end,
      f,
      t,
      nanLeftBin,
    );
  }

  /** Copies the rows and bins of positions `[start, end)` from set 1 to set 0. */
  moveToFirstSet(start: number, end: number): void {
    const [first, second] = this.sets;
    const s = this.stride;
    first.bins.set(second.bins.subarray(start * s, end * s), start * s);
    first.rows.set(second.rows.subarray(start, end), start);
  }
}
