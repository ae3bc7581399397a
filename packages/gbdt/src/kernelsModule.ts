import { KERNELS_WASM_BASE64, SHARED_KERNELS_WASM_BASE64 } from './kernelsWasm.js';

/** A WebAssembly memory as the grower and its worker threads use it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The part of the WebAssembly JS API used here (the ES library typings declare none of its values). */
export interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

export const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Bytes in a WebAssembly page. */
export const PAGE = 65536;
/** WebAssembly (wasm32) memories end at 4 GiB. */
export const MAX_PAGES = 65536;

/** The kernels modules, compiled on first use (synchronously: each is under 1 KB). */
const compiled = new Map<boolean, object>();

/** The kernels module on the grower's own memory, or on a shared one. */
export function kernelsModule(shared: boolean): object {
  let module = compiled.get(shared);
  if (!module) {
    const base64 = shared ? SHARED_KERNELS_WASM_BASE64 : KERNELS_WASM_BASE64;
    module = new wasm.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    compiled.set(shared, module);
  }
  return module;
}
