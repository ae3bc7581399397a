import { type Dataset, type Matrix, Rng } from '@candlelab/core';

export type Task = 'binary' | 'multiclass' | 'regression';

/**
 * A seeded nonlinear problem: `d` standard-normal features, a signal built from interactions of
 * the first five, labels as a binary class, 3 classes or a noisy value.
 */
export function synthetic(n: number, task: Task, seed = 1, d = 6, noise = 0.5): Dataset {
  const rng = new Rng(seed);
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < d; f++) X[r * d + f] = rng.normal();
    const x = (f: number) => X[r * d + f]!;
    const s = x(0) * x(1) + Math.sin(2 * x(2)) + 0.8 * x(3) - (x(4) > 0.5 ? 1 : 0) + noise * rng.normal();
    y[r] = task === 'binary' ? (s > 0 ? 1 : 0) : task === 'multiclass' ? (s < -0.7 ? 0 : s < 0.7 ? 1 : 2) : s;
  }
  return { X, y, featureNames: Array.from({ length: d }, (_, f) => `x${f}`), time: Float64Array.from(y, (_, i) => i) };
}

export function matrixOf(dataset: Dataset): Matrix {
  return { data: dataset.X, rows: dataset.y.length, cols: dataset.featureNames.length };
}
