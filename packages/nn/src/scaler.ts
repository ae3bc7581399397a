/** Per-feature standardisation fit on training rows only: `(x − mean) / scale`. */
export interface StandardScaler {
  mean: Float64Array;
  /** Standard deviation; 1 for constant columns. */
  scale: Float64Array;
}

/** Fits a scaler on row-major `rows × cols` data (population standard deviation, like scikit-learn). */
export function fitScaler(X: Float64Array, rows: number, cols: number): StandardScaler {
  const mean = new Float64Array(cols);
  const scale = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) mean[c]! += X[i * cols + c]!;
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) scale[c]! += (X[i * cols + c]! - mean[c]!) ** 2;
  for (let c = 0; c < cols; c++) {
    const std = Math.sqrt(scale[c]! / rows);
    scale[c] = std > 1e-12 ? std : 1;
  }
  return { mean, scale };
}

/** Scaled copy of `X` as float32, the precision the network runs in. */
export function applyScaler(scaler: StandardScaler, X: Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < cols; c++) out[i * cols + c] = (X[i * cols + c]! - scaler.mean[c]!) / scaler.scale[c]!;
  return out;
}
