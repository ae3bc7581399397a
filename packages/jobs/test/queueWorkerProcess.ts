// One `candlelab worker`-like process for the tests: pulls jobs until SIGTERM, prints events as JSON lines.
// argv: queue name, worker id, mode (`threads` = tasksModule in worker threads, `in-process` = tasks), lock ms.
import { fileURLToPath } from 'node:url';
import { startQueueWorker } from '../src/JobQueue.js';
import { tasks } from './queueTasks.js';

const [name, workerId, mode = 'threads', lockMs = '1000'] = process.argv.slice(2);
const handle = await startQueueWorker({
  name: name!,
  workerId: workerId!,
  ...(mode === 'in-process'
    ? { tasks }
    : {
        tasksModule: fileURLToPath(new URL('./queueTasks.ts', import.meta.url)),
        register: import.meta.resolve('tsx/esm/api'),
        execArgv: ['--conditions=@candlelab/source'],
      }),
  lockDurationMs: Number(lockMs),
  stalledIntervalMs: 500,
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
process.stdout.write(`${JSON.stringify({ type: 'ready', workerId: handle.workerId })}\n`);
process.on('SIGTERM', () => {
  void handle.close().then(() => process.exit(0));
});
