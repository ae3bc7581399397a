// gbdt's worker threads where the runtime has Web Workers (browsers): they must be prepared ahead,
// because a browser delivers a Worker's start and messages only once the posting thread returns to
// its event loop, which the synchronous fit never does. The real browser run is in
// integration/browser; here a Web Worker stand-in on Node's worker_threads keeps that rule.
import { resolveObjectURL } from 'node:buffer';
import { Worker as NodeWorker } from 'node:worker_threads';
import { InvalidParameterError } from '@candlelab/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { matrixOf, synthetic } from '../test/syntheticData.js';
import { Gbdt } from './Gbdt.js';
import { prepareGbdtThreads, releaseGbdtThreads } from './kernelThreads.js';

/** A Web Worker whose start and messages wait for the creating thread's next event-loop turn, as in a browser. */
class DeferredWebWorker {
  static started = 0;
  private readonly worker: Promise<NodeWorker>;

  constructor(url: string) {
    this.worker = new Promise((resolve) =>
      setImmediate(async () => {
        const source = await resolveObjectURL(url)!.text();
        DeferredWebWorker.started++;
        resolve(new NodeWorker(source, { eval: true }));
      }),
    );
  }

  postMessage(message: unknown): void {
    setImmediate(() => void this.worker.then((worker) => worker.postMessage(message)));
  }

  terminate(): void {
    void this.worker.then((worker) => worker.terminate());
  }
}

const fitJson = (threads: number, rows: number) => {
  const model = new Gbdt({ nEstimators: 4, numLeaves: 15, threads, seed: 7 });
  model.fit(synthetic(rows, 'binary', 5, 6));
  return JSON.stringify(model.toJSON());
};

describe('gbdt threads with Web Workers', () => {
  afterEach(() => {
    releaseGbdtThreads();
    vi.unstubAllGlobals();
  });

  it('fails at once, saying to prepare, when fit would wait for Workers that cannot start', () => {
    vi.stubGlobal('Worker', DeferredWebWorker);
    const error = (() => {
      try {
        fitJson(2, 1_000);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as Error).message).toMatch(/threads.*await prepareGbdtThreads\(2\) before fit/);
  });

  it('after prepareGbdtThreads, fits with the prepared Workers as Node threads do, reusing them and their memory', async () => {
    // Node's own worker_threads path, the reference (leaves of ≥ 16,384 rows are split between threads).
    const expected = [fitJson(2, 40_000), fitJson(2, 20_000), fitJson(2, 50_000)];
    vi.stubGlobal('Worker', DeferredWebWorker);
    DeferredWebWorker.started = 0;
    await prepareGbdtThreads(2);
    await prepareGbdtThreads(2); // already prepared: no new Worker
    expect(DeferredWebWorker.started).toBe(1);
    // A smaller fit after a larger one, then a larger one: the same memory, grown as needed.
    expect([fitJson(2, 40_000), fitJson(2, 20_000), fitJson(2, 50_000)]).toEqual(expected);
    expect(DeferredWebWorker.started).toBe(1);
    const model = new Gbdt({ nEstimators: 2, threads: 2 });
    model.fit(synthetic(30_000, 'binary', 6, 6));
    expect(model.predict(matrixOf(synthetic(10, 'binary', 7, 6))).length).toBe(10);
  });

  it('rejects a thread count outside 1..256', async () => {
    await expect(prepareGbdtThreads(0)).rejects.toThrow(InvalidParameterError);
    await expect(prepareGbdtThreads(1.5)).rejects.toThrow(/threads/);
  });
});
