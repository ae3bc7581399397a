/** Small typed-array helpers shared by all packages. */

/** A `Float64Array` copy of any numeric array-like. */
export function toFloat64(values: ArrayLike<number>): Float64Array {
  return values instanceof Float64Array ? values.slice() : Float64Array.from(values);
}

/** `out` when given and long enough, else a new array of `n`; the standard optional output buffer. */
export function outputBuffer(n: number, out?: Float64Array): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (out.length < n) throw new RangeError(`output buffer holds ${out.length} values, ${n} needed`);
  return out.length === n ? out : out.subarray(0, n);
}

/** Index of the first non-NaN value, or `values.length` when all are NaN. */
export function firstValidIndex(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) return i;
  return values.length;
}

/** Count of NaN entries. */
export function countNaN(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) count++;
  return count;
}

/** Indices that sort `values` ascending (stable; NaN last). */
export function argsort(values: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(values.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => {
    const va = values[a]!;
    const vb = values[b]!;
    if (Number.isNaN(va)) return Number.isNaN(vb) ? a - b : 1;
    if (Number.isNaN(vb)) return -1;
    return va - vb || a - b;
  });
}

/** Row-major `rows × cols` matrix from equal-length columns. */
export function columnsToRowMajor(columns: readonly ArrayLike<number>[], rows: number): Float64Array {
  const cols = columns.length;
  const out = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    const column = columns[c]!;
    for (let r = 0; r < rows; r++) out[r * cols + c] = column[r]!;
  }
  return out;
}
