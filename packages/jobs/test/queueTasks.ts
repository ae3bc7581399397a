// Tasks run by the queue-worker processes in JobQueue.test.ts (in worker threads or in-process).
import { appendFileSync, readFileSync } from 'node:fs';
import { defineTasks } from '../src/tasks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const tasks = defineTasks({
  add: ({ a, b }: { a: number; b: number }, context) => {
    context.reportProgress({ phase: 'add', done: 1, total: 1 });
    return a + b;
  },
  /** Takes `ms`, long enough for the test to kill the worker running it. */
  slow: async ({ ms, value }: { ms: number; value: string }, context) => {
    context.reportProgress({ phase: 'slow', done: 0, total: 1 });
    await sleep(ms);
    return `${value}@attempt${context.attempt}`;
  },
  alwaysFails: (reason: string) => {
    throw new Error(reason);
  },
  /** Blocks its thread's event loop for `ms` (a long synchronous computation); appends a line per run. */
  blockLoop: ({ ms, log }: { ms: number; log: string }, context) => {
    appendFileSync(log, `run ${context.jobId} attempt ${context.attempt}\n`);
    const end = Date.now() + ms;
    while (Date.now() < end) {}
    return context.attempt;
  },
  /**
   * A training job with two side effects on a shared log file: registering a model (quick), then
   * publishing it (slow the first time, so that the test can kill the worker in the middle).
   * The publish effect shows the recovery of an effect left in doubt: look for it by effectId.
   */
  trainAndRegister: async ({ log, holdMs }: { log: string; holdMs: number }, context) => {
    const model = await context.once('register-model', ({ effectId }) => {
      appendFileSync(log, `register ${effectId}\n`);
      return { modelId: `model-${effectId}` };
    });
    const published = await context.once('publish', async ({ effectId, inDoubt }) => {
      if (inDoubt && readFileSync(log, 'utf8').includes(`publish ${effectId}\n`)) return 'found-after-crash';
      appendFileSync(log, `publish ${effectId}\n`);
      if (context.attempt === 1) await sleep(holdMs);
      return 'published';
    });
    const again = await context.once('register-model', () => {
      throw new Error('a completed effect must not run again');
    });
    return { model, again, published, attempt: context.attempt };
  },
});
