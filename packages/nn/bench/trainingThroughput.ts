/**
 * Training throughput of the same MLP (100 → 64 → 64 → 3, batch 64, Adam) on the wasm and cpu
 * backends, side by side, with the ratio. Target from the issue: wasm ≥ 3× cpu.
 * Run: pnpm --filter @candlelab/nn bench   (ROWS and EPOCHS env vars override the sizes)
 */
import { cpus } from 'node:os';
import { Rng } from '@candlelab/core';
import { type BackendName, initBackend, MlpClassifier } from '../src/index.js';

const rows = Number(process.env.ROWS ?? 8192);
const epochs = Number(process.env.EPOCHS ?? 3);
const features = 100;
const rng = new Rng(1);
const X = Float64Array.from({ length: rows * features }, () => rng.normal());
const y = Float64Array.from({ length: rows }, (_, i) =>
  X[i * features]! > 0.5 ? 2 : X[i * features + 1]! > 0 ? 1 : 0,
);
const dataset = {
  X,
  y,
  featureNames: Array.from({ length: features }, (_, c) => `f${c}`),
  time: new Float64Array(rows),
};
const options = { hiddenLayers: [64, 64], batchSize: 64, epochs, numClasses: 3, seed: 1 } as const;

async function measure(backend: BackendName): Promise<number> {
  await initBackend({ backend });
  await new MlpClassifier({ ...options, epochs: 1 }).fit({
    ...dataset,
    X: X.subarray(0, 640 * features),
    y: y.subarray(0, 640),
    time: dataset.time.subarray(0, 640),
  });
  const start = performance.now();
  await new MlpClassifier(options).fit(dataset);
  return (rows * epochs) / ((performance.now() - start) / 1000);
}

const wasm = await measure('wasm');
const cpu = await measure('cpu');
console.log(
  `MLP 100 → 64 → 64 → 3, batch 64, ${rows} rows × ${epochs} epochs, ${cpus().length} cores, Node ${process.version}`,
);
console.log('backend | training rows/s');
console.log(`wasm    | ${wasm.toFixed(0)}`);
console.log(`cpu     | ${cpu.toFixed(0)}`);
console.log(`ratio wasm/cpu: ${(wasm / cpu).toFixed(2)}× (target ≥ 3×)`);
