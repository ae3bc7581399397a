// The task of bench/queueOverhead.ts that records one effect per job.
import { defineTasks } from '../src/tasks.js';

export const tasks = defineTasks({
  withEffect: ({ a, b }: { a: number; b: number }, context) => context.once('sum', () => a + b),
});
