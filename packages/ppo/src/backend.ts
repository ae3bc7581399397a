import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** The TensorFlow.js backends PPO can run on. */
export type BackendName = 'wasm' | 'cpu';

/**
 * Selects and initialises a TensorFlow.js backend (default 'wasm'). The wasm backend's `.wasm`
 * binaries are loaded from the installed `@tensorflow/tfjs-backend-wasm` package (never the
 * network). Both backends are optional peer dependencies imported on demand. Returns the active
 * backend name.
 */
export async function initBackend(name: BackendName = 'wasm'): Promise<BackendName> {
  if (tf.getBackend() === name) return name;
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const wasmFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    wasm.setWasmPaths(`${dirname(wasmFile)}/`);
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js backend '${name}' failed to initialise`);
  await tf.ready();
  return name;
}
