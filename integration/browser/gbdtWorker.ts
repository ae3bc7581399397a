// The Web Worker's entry: runs gbdtThreadsWorkload on request and posts the encoded outputs back.
import { gbdtThreadsWorkload } from './gbdtThreads.js';
import { encodeColumn } from './transfer.js';

const scope = self as unknown as { onmessage: () => void; postMessage(message: unknown): void };
scope.onmessage = async () => {
  try {
    const { unprepared, result } = await gbdtThreadsWorkload();
    scope.postMessage({
      unprepared,
      crossOriginIsolated: (self as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated,
      result: Object.fromEntries(Object.entries(result).map(([name, column]) => [name, encodeColumn(column)])),
    });
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
};
