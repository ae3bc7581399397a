// gbdt with worker threads, run in Node and inside a Web Worker of a cross-origin-isolated page:
// leaves of ≥ 16,384 rows are split between the threads, so 40,000 rows exercise them.
import { Rng } from '@candlelab/core';
import { Gbdt, prepareGbdtThreads } from '@candlelab/gbdt';
import type { WorkloadResult } from './workload.js';

function dataset(rows: number) {
  const cols = 6;
  const rng = new Rng(11);
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) X[r * cols + c] = rng.float();
    y[r] = X[r * cols]! + X[r * cols + 1]! * X[r * cols + 2]! + 0.2 * rng.float() > 0.85 ? 1 : 0;
  }
  return { X, y, featureNames: Array.from({ length: cols }, (_, c) => `f${c}`), time: new Float64Array(rows) };
}

function fitModel(threads: number, rows: number, out: WorkloadResult, name: string): void {
  const data = dataset(rows);
  const model = new Gbdt({ objective: 'binary', nEstimators: 4, numLeaves: 15, learningRate: 0.3, threads, seed: 3 });
  model.fit(data);
  out[`${name}.proba`] = model.predictProba({ data: data.X.subarray(0, 600), rows: 100, cols: 6 });
  out[`${name}.importance`] = model.featureImportance('gain');
}

/**
 * A fit with `threads: 2` before {@link prepareGbdtThreads} (in a browser Worker it must throw at
 * once, not hang: the error message is returned), then fits with 1 and 2 threads, and a second,
 * larger 2-thread fit (reused workers, grown memory).
 */
export async function gbdtThreadsWorkload(): Promise<{ unprepared: string; result: WorkloadResult }> {
  const out: WorkloadResult = {};
  let unprepared = 'no error';
  try {
    fitModel(2, 1000, {}, 'unprepared');
  } catch (error) {
    unprepared = error instanceof Error ? error.message : String(error);
  }
  await prepareGbdtThreads(2);
  fitModel(1, 40_000, out, 'threads1');
  fitModel(2, 40_000, out, 'threads2');
  fitModel(2, 45_000, out, 'threads2again');
  return { unprepared, result: out };
}
