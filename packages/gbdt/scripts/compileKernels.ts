import initWabt from 'wabt';

/** Assembles the kernels' WebAssembly text (SIMD for 16-byte row moves) into module bytes. */
export async function compileKernels(text: string): Promise<Uint8Array> {
  const wabt = await initWabt();
  const module = wabt.parseWat('kernels.wat', text, { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
