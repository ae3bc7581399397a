import { CandlelabError, InvalidParameterError, nodeBuiltin } from '@candlelab/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The TensorFlow.js backends `nn` can run on, fastest first:
 * - `tensorflow`: native TensorFlow through `@tensorflow/tfjs-node`, used when the user has
 *   installed it (it is not a dependency of this package);
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD), the default; in Node its `.wasm`
 *   binaries are loaded from the installed npm package on disk, never fetched from the network; in
 *   a browser from `wasmPaths`;
 * - `cpu`: `@tensorflow/tfjs-backend-cpu`, plain JavaScript, the fallback.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface InitBackendOptions {
  /**
   * A backend, or `'auto'` for the first that loads of `tensorflow` (only when
   * `@tensorflow/tfjs-node` is installed), `wasm`, `cpu`. Default `'auto'`.
   */
  backend?: BackendName | 'auto';
  /** Threads for the wasm backend's XNNPACK pool. Default: tfjs's choice (cores when threads are available). */
  wasmThreads?: number;
  /**
   * Where the wasm backend fetches its `.wasm` binaries: a URL prefix ending in `/` (a folder
   * serving the three files of `@tensorflow/tfjs-backend-wasm/dist/`) or one URL per file, as
   * tfjs's `setWasmPaths`. Default: in Node, the installed package's folder on disk; in a browser
   * there is no default (the `wasm` backend then fails, and `'auto'` falls back to `cpu`).
   */
  wasmPaths?: string | Record<WasmBinary, string>;
}

/** The binaries of `@tensorflow/tfjs-backend-wasm`; which one loads depends on SIMD and thread support. */
export type WasmBinary =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

/** No TensorFlow.js backend could be initialised (or none was before a prediction). */
export class BackendError extends CandlelabError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CONFIG', message, options);
  }
}

let active: BackendName | undefined;

/** The module that provides each backend. A variable, so bundlers and tsc do not require tfjs-node. */
const TFJS_NODE = '@tensorflow/tfjs-node';

async function load(name: BackendName, options: InitBackendOptions): Promise<void> {
  switch (name) {
    case 'tensorflow':
      await import(/* @vite-ignore */ TFJS_NODE);
      // tfjs-node registers on its own copy of tfjs-core; usable only if that copy is ours.
      if (tf.findBackendFactory('tensorflow') === null)
        throw new BackendError('@tensorflow/tfjs-node uses another copy of @tensorflow/tfjs-core');
      return;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(options.wasmPaths ?? installedWasmFolder());
      if (options.wasmThreads !== undefined) wasm.setThreadsCount(options.wasmThreads);
      return;
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
  }
}

/** The installed `@tensorflow/tfjs-backend-wasm/dist/` folder on disk (Node only: browsers give `wasmPaths`). */
function installedWasmFolder(): string {
  const module = nodeBuiltin<typeof import('node:module')>('node:module');
  if (!module)
    throw new BackendError(
      "no wasmPaths: outside Node, initBackend({ wasmPaths }) must say where to fetch the .wasm files of '@tensorflow/tfjs-backend-wasm/dist/'",
    );
  const binary = module
    .createRequire(import.meta.url)
    .resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  return binary.slice(0, binary.length - 'tfjs-backend-wasm.wasm'.length);
}

/**
 * Selects and initialises the TensorFlow.js backend for every `nn` model in this process — the
 * one place backends are chosen. `fit` calls it with the defaults when no backend is active yet;
 * call it yourself to pick one, and before `predict` on a model loaded from disk. Returns the
 * backend in use. TensorFlow.js has one global backend per process.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendName> {
  const requested = options.backend ?? 'auto';
  if (requested !== 'auto' && !BACKEND_NAMES.includes(requested)) {
    throw new InvalidParameterError('backend', requested, `expected 'auto' or one of ${BACKEND_NAMES.join(', ')}`);
  }
  const candidates = requested === 'auto' ? BACKEND_NAMES : [requested];
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      await load(name, options);
      if (await tf.setBackend(name)) {
        await tf.ready();
        active = name;
        return name;
      }
      failures.push(`${name}: setBackend returned false`);
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new BackendError(`no TensorFlow.js backend could be initialised (${failures.join('; ')})`);
}

/** The backend initialised by {@link initBackend}, if any. */
export function activeBackend(): BackendName | undefined {
  return active;
}

/** Initialises the default backend unless one is active. */
export async function ensureBackend(): Promise<BackendName> {
  return active ?? initBackend();
}

/** Throws unless a backend is active (synchronous paths such as `predict`). */
export function requireBackend(): BackendName {
  if (active === undefined)
    throw new BackendError(
      'no TensorFlow.js backend is active: await initBackend() before predicting with a loaded model',
    );
  return active;
}
