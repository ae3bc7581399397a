import initWabt from 'wabt';

/** Assembles the dense kernels' WebAssembly text (SIMD) into module bytes. */
export async function compileKernels(text: string): Promise<Uint8Array> {
  const wabt = await initWabt();
  const module = wabt.parseWat('denseKernels.wat', text, { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
