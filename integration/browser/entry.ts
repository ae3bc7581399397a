// The browser bundle's entry: exposes the workload on `window` with bit-exact transfer in and out.
import { decodeBars, type EncodedBars, encodeColumn } from './transfer.js';
import { workload } from './workload.js';

declare global {
  interface Window {
    runWorkload(input: EncodedBars): Promise<Record<string, string>>;
  }
}

window.runWorkload = async (input) => {
  const result = await workload(decodeBars(input));
  return Object.fromEntries(Object.entries(result).map(([name, column]) => [name, encodeColumn(column)]));
};
