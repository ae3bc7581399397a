// Tasks run by the queue-worker processes in JobQueue.test.ts.
import { defineTasks } from '../src/tasks.js';

export const tasks = defineTasks({
  add: ({ a, b }: { a: number; b: number }, context) => {
    context.reportProgress({ phase: 'add', done: 1, total: 1 });
    return a + b;
  },
  /** Takes `ms`, long enough for the test to kill the worker running it. */
  slow: async ({ ms, value }: { ms: number; value: string }, context) => {
    context.reportProgress({ phase: 'slow', done: 0, total: 1 });
    await new Promise((resolve) => setTimeout(resolve, ms));
    return `${value}@attempt${context.attempt}`;
  },
  alwaysFails: (reason: string) => {
    throw new Error(reason);
  },
});
