// The neural half, run in Node and in headless Chromium like workload.ts: an MLP classifier on
// TensorFlow.js's wasm backend (fit + predictProba) and a few PPO updates on CartPole (nn's
// WebAssembly SIMD DenseMlp). Synthetic data from core's Rng: the same bits on every engine.
import { Rng } from '@candlelab/core';
import { cartPoleV1 } from '@candlelab/env';
import { initBackend, MlpClassifier } from '@candlelab/nn';
import { PPO } from '@candlelab/ppo';
import type { WorkloadResult } from './workload.js';

/** A 3-class problem: the class is the sign pattern of two noisy linear scores of 8 features. */
function syntheticDataset(rows: number, seed: number) {
  const cols = 8;
  const rng = new Rng(seed);
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) X[r * cols + c] = rng.normal();
    const a = X[r * cols]! + 0.5 * X[r * cols + 1]! + 0.3 * rng.normal();
    const b = X[r * cols + 2]! - X[r * cols + 3]! + 0.3 * rng.normal();
    y[r] = a > 0 ? (b > 0 ? 2 : 1) : 0;
  }
  return {
    X,
    y,
    featureNames: Array.from({ length: cols }, (_, c) => `x${c}`),
    time: Float64Array.from({ length: rows }, (_, r) => r * 3_600_000),
  };
}

export async function mlWorkload(options: { wasmPaths?: string } = {}): Promise<WorkloadResult> {
  const out: WorkloadResult = {};
  const backend = await initBackend({ backend: 'wasm', wasmPaths: options.wasmPaths });
  out['nn.backendIsWasm'] = Float64Array.of(backend === 'wasm' ? 1 : 0);
  const train = syntheticDataset(768, 1);
  const validation = syntheticDataset(256, 2);
  const test = syntheticDataset(256, 3);
  const model = new MlpClassifier({ hiddenLayers: [32, 16], epochs: 6, batchSize: 64, learningRate: 0.01, seed: 4 });
  const history = await model.fit(train, { validation });
  out['nn.loss'] = Float64Array.from(history.loss);
  out['nn.valLoss'] = Float64Array.from(history.valLoss ?? []);
  out['nn.proba'] = model.predictProba({ data: test.X, rows: test.y.length, cols: test.featureNames.length });

  const agent = new PPO({
    env: () => cartPoleV1(),
    config: { numEnvs: 4, numSteps: 64, numMinibatches: 2, updateEpochs: 2, hiddenSizes: [32, 32], seed: 5 },
  });
  const { updates } = await agent.learn({ totalTimesteps: 4 * 64 * 4 });
  const statistics = [
    'policyLoss',
    'valueLoss',
    'entropy',
    'approxKl',
    'clipFraction',
    'explainedVariance',
    'gradNorm',
    'meanEpisodeReturn',
  ] as const;
  for (const name of statistics) out[`ppo.${name}`] = Float64Array.from(updates, (u) => u[name]);
  out['ppo.params'] = Float64Array.from(agent.model.params);
  out['ppo.probabilities'] = Float64Array.from(agent.predict([0.01, 0, -0.02, 0.01]).probabilities ?? []);
  return out;
}
