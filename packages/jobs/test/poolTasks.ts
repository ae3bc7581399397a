// Tasks used by the WorkerPool tests and the speed-up benchmark.
import { Rng } from '@candlelab/core';
import { defineTasks } from '../src/tasks.js';

export const tasks = defineTasks({
  square: (x: number) => x * x,
  /** CPU-bound work with a seeded result: the same seed gives the same sum on any thread. */
  monteCarlo: ({ seed, draws }: { seed: number; draws: number }) => {
    const rng = new Rng(seed);
    let sum = 0;
    for (let i = 0; i < draws; i++) sum += rng.normal();
    return sum;
  },
  withProgress: (steps: number, context) => {
    for (let i = 1; i <= steps; i++) context.reportProgress({ phase: 'count', done: i, total: steps });
    return context.jobId;
  },
  /** Uses the same effect key twice in one run: the second call returns the first result. */
  effectsTwice: async (label: string, context) => {
    let runs = 0;
    const first = await context.once('effect', ({ effectId, inDoubt }) => {
      runs++;
      return { label, effectId, inDoubt };
    });
    const second = await context.once('effect', () => {
      runs++;
      return 'not run';
    });
    return { first, second, runs, jobId: context.jobId, attempt: context.attempt };
  },
  fail: (message: string) => {
    throw new RangeError(message);
  },
  crash: () => process.exit(3),
  spin: (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {}
    return ms;
  },
});
