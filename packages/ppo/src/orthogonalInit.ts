import { InvalidParameterError, type Rng } from '@candlelab/core';

/**
 * A `rows × cols` (row-major) matrix with orthonormal columns (rows ≥ cols) or rows (rows < cols),
 * scaled by `gain` — Saxe et al. (2014)'s orthogonal initialisation as in `torch.nn.init.orthogonal_`:
 * QR of a standard normal matrix with the signs of R's diagonal folded into Q. Seeded by `rng`.
 */
export function orthogonalInit(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  if (!Number.isInteger(rows) || rows <= 0)
    throw new InvalidParameterError('rows', rows, 'expected a positive integer');
  if (!Number.isInteger(cols) || cols <= 0)
    throw new InvalidParameterError('cols', cols, 'expected a positive integer');
  const tall = Math.max(rows, cols);
  const wide = Math.min(rows, cols);
  // q: tall × wide, column-major columns q[j * tall + i]; modified Gram–Schmidt.
  const q = new Float64Array(tall * wide);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < wide; j++) {
    const cj = j * tall;
    for (let k = 0; k < j; k++) {
      const ck = k * tall;
      let dot = 0;
      for (let i = 0; i < tall; i++) dot += q[ck + i]! * q[cj + i]!;
      for (let i = 0; i < tall; i++) q[cj + i] = q[cj + i]! - dot * q[ck + i]!;
    }
    let norm = 0;
    for (let i = 0; i < tall; i++) norm += q[cj + i]! ** 2;
    norm = Math.sqrt(norm);
    // R's diagonal is the (positive) norm here, so Gram–Schmidt already gives torch's sign convention.
    for (let i = 0; i < tall; i++) q[cj + i] = q[cj + i]! / norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows >= cols: out[r][c] = q[:, c][r]; rows < cols: out = qᵀ, out[r][c] = q[:, r][c].
      out[r * cols + c] = gain * (rows >= cols ? q[c * tall + r]! : q[r * tall + c]!);
    }
  }
  return out;
}
