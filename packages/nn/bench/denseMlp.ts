/**
 * One training step's forward and backward pass of PPO's network shape (4 → 64 → 64 → 2, tanh,
 * 256 rows) with DenseMlp (WebAssembly SIMD kernels) and with the TensorFlow.js path of the
 * estimators (`lossAndGradients` on the wasm backend, gradients read back with `dataSync`), side
 * by side, with the ratio. Run: pnpm --filter @candlelab/nn bench:dense
 */
import { Rng } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';
import { DenseMlp, initBackend } from '../src/index.js';
import { lossAndGradients } from '../src/trainNetwork.js';

const sizes = [4, 64, 64, 2];
const rows = 256;
const rng = new Rng(1);
const net = new DenseMlp({ sizes, activation: 'tanh' });
for (let i = 0; i < net.size; i++) net.params[i] = rng.normal() * 0.1;
const x = Float32Array.from({ length: rows * sizes[0]! }, () => rng.normal());
const y = Float32Array.from({ length: rows * 2 }, () => rng.normal());
const w = new Float32Array(rows).fill(1);

function perStep(step: () => void, seconds = 2): number {
  for (let i = 0; i < 50; i++) step();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    step();
    count++;
  }
  return ((performance.now() - start) * 1000) / count;
}

const dense = perStep(() => {
  const out = net.forward(x, rows);
  const grad = out.map((o, k) => (o - y[k]!) / rows);
  net.backward(grad, rows);
});

await initBackend({ backend: 'wasm' });
const tfjs = perStep(() => {
  const grads = tf.tidy(() => {
    const layers = sizes.slice(1).map((units, l) => ({
      kernel: tf.tensor2d(net.kernel(l), [sizes[l]!, units]),
      bias: tf.tensor1d(net.bias(l)),
    }));
    const { grads } = lossAndGradients(
      tf.tensor2d(x, [rows, sizes[0]!]),
      tf.tensor2d(y, [rows, 2]),
      tf.tensor1d(w),
      [],
      layers,
      {
        activation: 'tanh',
        loss: 'mse',
        l2: 0,
      },
    );
    return grads;
  });
  for (const g of grads) g.dataSync();
  tf.dispose(grads);
});

console.log(`forward + backward, ${sizes.join(' → ')} tanh, ${rows} rows, Node ${process.version}`);
console.log('implementation | µs per step');
console.log('---|---');
console.log(`DenseMlp (WebAssembly SIMD) | ${dense.toFixed(0)}`);
console.log(`TensorFlow.js wasm backend | ${tfjs.toFixed(0)}`);
console.log(`ratio tfjs / DenseMlp: ${(tfjs / dense).toFixed(1)}×`);
