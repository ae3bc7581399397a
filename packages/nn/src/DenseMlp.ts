import { InvalidParameterError } from '@candlelab/core';
import { DENSE_KERNELS_WASM_BASE64 } from './denseKernelsWasm.js';

/** Hidden-layer activations of {@link DenseMlp} (the output layer is linear). */
export const DENSE_MLP_ACTIVATIONS = ['tanh', 'relu'] as const;
export type DenseMlpActivation = (typeof DENSE_MLP_ACTIVATIONS)[number];

export interface DenseMlpSpec {
  /** Layer widths from input to output, e.g. `[4, 64, 64, 2]`: at least two positive integers. */
  sizes: readonly number[];
  /** Activation of every hidden layer; default `'tanh'`. */
  activation?: DenseMlpActivation;
  /**
   * Parameters to train in place (e.g. a slice of a larger flat vector), `size` floats laid out
   * as {@link DenseMlp.params}; default: a new zero-filled array.
   */
  params?: Float32Array;
  /** Where {@link DenseMlp.backward} writes the gradient, `size` floats; default: a new array. */
  grads?: Float32Array;
}

interface Kernels {
  gemm(
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bias: number,
    c: number,
    rows: number,
    inner: number,
    cols: number,
  ): void;
  tanh(x: number, vectors: number): void;
  tanhBackward(d: number, h: number, vectors: number): void;
  relu(x: number, vectors: number): void;
  reluBackward(d: number, h: number, vectors: number): void;
}

/** The part of the WebAssembly JS API used here (the ES library typings declare none of its values). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
const PAGE = 65536;
let compiled: object | undefined;

/** Bytes of `floats` f32, rounded up to whole 16-byte vectors (the SIMD kernels' unit). */
const vectorBytes = (floats: number) => Math.ceil(floats / 4) * 16;

/**
 * A small dense multilayer perceptron — `sizes[0]` inputs, tanh or relu hidden layers, a linear
 * output — whose forward pass and backpropagation run as WebAssembly SIMD kernels
 * (`denseKernels.wat`) on float32, for networks too small for TensorFlow.js to pay off: at
 * 256 × 64 the per-kernel cost of tfjs dominates, while one fused pass over a private memory,
 * reused between calls, does no allocation at all. `@candlelab/ppo` trains its actor and critic
 * with it; the `MlpClassifier`/`MlpRegressor` estimators keep TensorFlow.js (any activation,
 * dropout, large batches). Results depend only on the inputs (no threads, no backend): the same
 * parameters and batch give the same bits on every machine with WebAssembly SIMD (Node ≥ 16.4,
 * current browsers).
 *
 * Parameters are a flat float32 vector, per layer the kernel (`in × out`, row-major: `x · W`)
 * then the bias — the layout of PyTorch's `nn.Linear` weights transposed. They live in
 * JavaScript (`params`, trained in place by {@link Adam}) and are copied into the kernels' memory
 * at each call, which costs a few microseconds for the sizes this class is meant for.
 */
export class DenseMlp {
  readonly sizes: readonly number[];
  readonly activation: DenseMlpActivation;
  /** Number of parameters. */
  readonly size: number;
  /** The parameters, per layer `kernel (in × out, row-major)` then `bias (out)`. */
  readonly params: Float32Array;
  /** The gradient written by {@link DenseMlp.backward}, laid out like `params`. */
  readonly grads: Float32Array;
  private readonly kernelOffsets: number[] = [];
  private readonly memory: { buffer: ArrayBuffer; grow(pages: number): number };
  private readonly kernels: Kernels;
  /** Byte offsets of the batch-independent regions: parameters, gradients, one transposed kernel. */
  private readonly at: { params: number; grads: number; transposed: number; batch: number };
  /** Byte offsets of the batch-sized regions, for `capacity` rows. */
  private batch = { ones: 0, acts: [] as number[], deltaA: 0, deltaB: 0 };
  private capacity = 0;
  private f32: Float32Array;
  /** Rows of the last forward pass (its activations are what backward differentiates). */
  private forwardRows = 0;

  constructor(spec: DenseMlpSpec) {
    const sizes = [...spec.sizes];
    if (sizes.length < 2) throw new InvalidParameterError('sizes', spec.sizes, 'expected at least two layer widths');
    sizes.forEach((width, l) => {
      if (!(Number.isInteger(width) && width > 0))
        throw new InvalidParameterError(`sizes[${l}]`, width, 'expected a positive integer');
    });
    const activation = spec.activation ?? 'tanh';
    if (!DENSE_MLP_ACTIVATIONS.includes(activation))
      throw new InvalidParameterError('activation', activation, `expected one of ${DENSE_MLP_ACTIVATIONS.join(', ')}`);
    this.sizes = sizes;
    this.activation = activation;
    let size = 0;
    let largestKernel = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.kernelOffsets.push(size);
      size += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
      largestKernel = Math.max(largestKernel, sizes[l]! * sizes[l + 1]!);
    }
    this.size = size;
    for (const [name, given] of [
      ['params', spec.params],
      ['grads', spec.grads],
    ] as const) {
      if (given && given.length !== size)
        throw new InvalidParameterError(name, given.length, `expected ${size} floats for sizes [${sizes.join(', ')}]`);
    }
    this.params = spec.params ?? new Float32Array(size);
    this.grads = spec.grads ?? new Float32Array(size);
    // Byte 0 stays unused: the kernels read a bias pointer of 0 as "no bias".
    const paramsAt = 16;
    const gradsAt = paramsAt + vectorBytes(size);
    const transposedAt = gradsAt + vectorBytes(size);
    this.at = {
      params: paramsAt,
      grads: gradsAt,
      transposed: transposedAt,
      batch: transposedAt + vectorBytes(largestKernel),
    };
    this.memory = new wasm.Memory({ initial: 1 });
    compiled ??= new wasm.Module(Uint8Array.from(atob(DENSE_KERNELS_WASM_BASE64), (c) => c.charCodeAt(0)));
    this.kernels = new wasm.Instance(compiled, { env: { memory: this.memory } }).exports as Kernels;
    this.f32 = new Float32Array(this.memory.buffer);
    this.reserve(64);
  }

  /** Number of layers with parameters (hidden layers + output). */
  get layers(): number {
    return this.sizes.length - 1;
  }

  /** The kernel of layer `l` (`sizes[l] × sizes[l+1]`, row-major), a view of `params`. */
  kernel(l: number): Float32Array {
    const offset = this.kernelOffsets[l]!;
    return this.params.subarray(offset, offset + this.sizes[l]! * this.sizes[l + 1]!);
  }

  /** The bias of layer `l` (`sizes[l+1]`), a view of `params`. */
  bias(l: number): Float32Array {
    const offset = this.kernelOffsets[l]! + this.sizes[l]! * this.sizes[l + 1]!;
    return this.params.subarray(offset, offset + this.sizes[l + 1]!);
  }

  /**
   * The network's outputs for `rows` inputs (row-major `rows × sizes[0]`), as a view of
   * `rows × sizes.at(-1)` floats that stays valid until the next call on this network.
   */
  forward(input: ArrayLike<number>, rows: number): Float32Array {
    const { sizes } = this;
    if (!(Number.isInteger(rows) && rows > 0)) throw new InvalidParameterError('rows', rows, 'expected an integer > 0');
    if (input.length < rows * sizes[0]!)
      throw new InvalidParameterError('input', input.length, `expected ${rows} × ${sizes[0]} values`);
    this.reserve(rows);
    const f32 = this.f32;
    f32.set(this.params, this.at.params / 4);
    const { acts } = this.batch;
    const inputFloats = rows * sizes[0]!;
    if (input instanceof Float32Array || input instanceof Float64Array)
      f32.set(input.subarray(0, inputFloats), acts[0]! / 4);
    else for (let k = 0; k < inputFloats; k++) f32[acts[0]! / 4 + k] = input[k]!;
    const k = this.kernels;
    for (let l = 0; l < this.layers; l++) {
      const inSize = sizes[l]!;
      const outSize = sizes[l + 1]!;
      const kernelAt = this.at.params + 4 * this.kernelOffsets[l]!;
      k.gemm(acts[l]!, 4 * inSize, 4, kernelAt, kernelAt + 4 * inSize * outSize, acts[l + 1]!, rows, inSize, outSize);
      if (l + 1 < this.layers) {
        const vectors = Math.ceil((rows * outSize) / 4);
        if (this.activation === 'tanh') k.tanh(acts[l + 1]!, vectors);
        else k.relu(acts[l + 1]!, vectors);
      }
    }
    this.forwardRows = rows;
    const out = acts[this.layers]! / 4;
    return f32.subarray(out, out + rows * sizes[this.layers]!);
  }

  /**
   * Backpropagation through the last {@link DenseMlp.forward} (same `rows`): writes into `grads`
   * the gradient of `Σ outputGrad ⊙ output` with respect to every parameter, i.e. `outputGrad`
   * is ∂loss/∂output (`rows × sizes.at(-1)`, row-major) and `grads` becomes ∂loss/∂params.
   */
  backward(outputGrad: ArrayLike<number>, rows: number): void {
    if (rows !== this.forwardRows)
      throw new InvalidParameterError(
        'rows',
        rows,
        `backward needs the rows of the last forward pass (${this.forwardRows})`,
      );
    const { sizes } = this;
    const outputs = sizes[this.layers]!;
    if (outputGrad.length < rows * outputs)
      throw new InvalidParameterError('outputGrad', outputGrad.length, `expected ${rows} × ${outputs} values`);
    const f32 = this.f32;
    const k = this.kernels;
    const { acts, ones } = this.batch;
    let delta = this.batch.deltaA;
    let next = this.batch.deltaB;
    if (outputGrad instanceof Float32Array || outputGrad instanceof Float64Array)
      f32.set(outputGrad.subarray(0, rows * outputs), delta / 4);
    else for (let i = 0; i < rows * outputs; i++) f32[delta / 4 + i] = outputGrad[i]!;
    for (let l = this.layers - 1; l >= 0; l--) {
      const inSize = sizes[l]!;
      const outSize = sizes[l + 1]!;
      const gradKernelAt = this.at.grads + 4 * this.kernelOffsets[l]!;
      // ∂W = xᵀ · δ (x read column-wise through its strides), ∂b = 1ᵀ · δ.
      k.gemm(acts[l]!, 4, 4 * inSize, delta, 0, gradKernelAt, inSize, rows, outSize);
      k.gemm(ones, 0, 4, delta, 0, gradKernelAt + 4 * inSize * outSize, 1, rows, outSize);
      if (l === 0) break;
      // δ ← (δ · Wᵀ) ⊙ f′(h), with Wᵀ laid out row-major for the kernel.
      const kernel = this.kernel(l);
      const t = this.at.transposed / 4;
      for (let i = 0; i < inSize; i++)
        for (let j = 0; j < outSize; j++) f32[t + j * inSize + i] = kernel[i * outSize + j]!;
      k.gemm(delta, 4 * outSize, 4, this.at.transposed, 0, next, rows, outSize, inSize);
      const vectors = Math.ceil((rows * inSize) / 4);
      if (this.activation === 'tanh') k.tanhBackward(next, acts[l]!, vectors);
      else k.reluBackward(next, acts[l]!, vectors);
      [delta, next] = [next, delta];
    }
    this.grads.set(f32.subarray(this.at.grads / 4, this.at.grads / 4 + this.size));
  }

  /** Makes room for batches of `rows` (the memory grows, never shrinks). */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, 2 * this.capacity);
    const widest = Math.max(...this.sizes.slice(1));
    let at = this.at.batch;
    const ones = at;
    at += vectorBytes(capacity);
    const acts = this.sizes.map((width) => {
      const start = at;
      at += vectorBytes(capacity * width);
      return start;
    });
    const deltaA = at;
    at += vectorBytes(capacity * widest);
    const deltaB = at;
    at += vectorBytes(capacity * widest);
    const pages = Math.ceil(at / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    this.f32 = new Float32Array(this.memory.buffer);
    this.f32.fill(1, ones / 4, ones / 4 + capacity);
    this.batch = { ones, acts, deltaA, deltaB };
    this.capacity = capacity;
    this.forwardRows = 0;
  }
}
