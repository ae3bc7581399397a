// Per-job cost of the Redis queue on this machine: tasks in worker threads (`tasksModule`) vs
// in-process (`tasks`), and the extra cost of one recorded effect (`context.once`) per job.
// Needs Redis on 127.0.0.1:6379. Usage: pnpm --filter @candlelab/jobs bench:queue [jobs=300]
import { fileURLToPath } from 'node:url';
import { JobQueue, startQueueWorker } from '../src/JobQueue.js';
import { tasks } from '../test/queueTasks.js';
import { tasks as effectTasks } from './queueBenchTasks.js';

const jobs = Number(process.argv[2] ?? 300);
const threadOptions = {
  register: import.meta.resolve('tsx/esm/api'),
  execArgv: ['--conditions=@candlelab/source'],
};

async function perJobMs(mode: 'threads' | 'in-process', task: 'add' | 'withEffect'): Promise<number> {
  const name = `candlelab-bench-${process.pid}-${mode}-${task}`;
  const worker = await startQueueWorker({
    name,
    ...(mode === 'threads'
      ? {
          tasksModule: fileURLToPath(
            new URL(task === 'add' ? '../test/queueTasks.ts' : './queueBenchTasks.ts', import.meta.url),
          ),
          ...threadOptions,
        }
      : { tasks: task === 'add' ? tasks : effectTasks }),
  });
  const queue = await JobQueue.connect({ name });
  try {
    await queue.waitFor(await queue.submit(task, { a: 1, b: 2 }), { timeoutMs: 30_000 }); // warm up
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: jobs }, (_, i) => queue.submit(task, { a: i, b: 1 })));
    await Promise.all(ids.map((id) => queue.waitFor(id, { timeoutMs: 120_000 })));
    return (performance.now() - started) / jobs;
  } finally {
    await worker.close();
    await queue.obliterate();
    await queue.close();
  }
}

const rows: Array<[string, number]> = [];
for (const mode of ['in-process', 'threads'] as const) {
  for (const task of ['add', 'withEffect'] as const) rows.push([`${mode} ${task}`, await perJobMs(mode, task)]);
}
const base = rows[0]![1];
console.log(`${jobs} jobs each, concurrency 1, submitted at once; ms per job and ratio to in-process add:`);
for (const [label, ms] of rows)
  console.log(`  ${label.padEnd(22)} ${ms.toFixed(2)} ms/job  ${(ms / base).toFixed(2)}×`);
process.exit(0);
