// One `candlelab worker`-like process for the tests: pulls jobs until SIGTERM, prints events as JSON lines.
import { startQueueWorker } from '../src/JobQueue.js';
import { tasks } from './queueTasks.js';

const [name, workerId] = process.argv.slice(2);
const handle = await startQueueWorker({
  name: name!,
  workerId: workerId!,
  tasks,
  lockDurationMs: 1_000,
  stalledIntervalMs: 500,
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
process.stdout.write(`${JSON.stringify({ type: 'ready', workerId: handle.workerId })}\n`);
process.on('SIGTERM', () => {
  void handle.close().then(() => process.exit(0));
});
