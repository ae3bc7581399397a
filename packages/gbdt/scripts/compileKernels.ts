import initWabt from 'wabt';

/** The memory declaration in kernels.wat, and the same memory shared between threads (up to 4 GiB). */
const MEMORY = '(memory (import "env" "memory") 1)';
const SHARED_MEMORY = '(memory (import "env" "memory") 1 65536 shared)';

/**
 * Assembles the kernels' WebAssembly text (SIMD for 16-byte row moves) into module bytes: as
 * written, and the variant that imports a shared memory (threads feature) for worker threads.
 */
export async function compileKernels(text: string): Promise<{ single: Uint8Array; shared: Uint8Array }> {
  if (!text.includes(MEMORY)) throw new Error(`kernels.wat must declare its memory as ${MEMORY}`);
  const wabt = await initWabt();
  const features = { simd: true, threads: true };
  const assemble = (source: string) => {
    const module = wabt.parseWat('kernels.wat', source, features);
    try {
      // wabt's typings omit validate's feature argument; without it, validation rejects the shared memory.
      (module.validate as (options: typeof features) => void)(features);
      return module.toBinary({}).buffer;
    } finally {
      module.destroy();
    }
  };
  return { single: assemble(text), shared: assemble(text.replace(MEMORY, SHARED_MEMORY)) };
}
