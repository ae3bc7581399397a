// A `candlelab worker`-like process for the multi-machine test: pulls universe jobs until SIGTERM and
// prints its events as JSON lines. It is started in its own empty working directory: everything it
// needs comes in the job (the strategy by value) or from PostgreSQL (candles, registry).
// argv: queue name, worker id, lock ms.
import { startQueueWorker } from '@candlelab/jobs';
import { workerModule } from '../src/workerModule.js';

const [name, workerId, lockMs = '2000'] = process.argv.slice(2);
const handle = await startQueueWorker({
  name: name!,
  workerId: workerId!,
  ...workerModule('tasks'),
  lockDurationMs: Number(lockMs),
  stalledIntervalMs: 500,
  onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
process.stdout.write(`${JSON.stringify({ type: 'ready', workerId: handle.workerId })}\n`);
process.on('SIGTERM', () => {
  void handle.close().then(() => process.exit(0));
});
