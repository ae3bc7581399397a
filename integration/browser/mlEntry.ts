// The nn + ppo bundle's entry: exposes the neural workload on `window` (outputs as bit-exact base64).
import { mlWorkload } from './mlWorkload.js';
import { encodeColumn } from './transfer.js';

declare global {
  interface Window {
    runMlWorkload(wasmPaths: string): Promise<Record<string, string>>;
  }
}

window.runMlWorkload = async (wasmPaths) => {
  const result = await mlWorkload({ wasmPaths });
  return Object.fromEntries(Object.entries(result).map(([name, column]) => [name, encodeColumn(column)]));
};
