// initBackend where Node's module lookup is missing (a browser): the wasm backend needs wasmPaths.
// That the page then fetches the binaries from wasmPaths is checked in Chromium (integration/browser).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, initBackend } from './initBackend.js';

describe('initBackend outside Node', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('asks for wasmPaths instead of reaching for node:module (createRequire is not a function)', async () => {
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never);
    const error = await initBackend({ backend: 'wasm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/wasm: no wasmPaths: outside Node, initBackend\(\{ wasmPaths \}\)/);
  });
});
