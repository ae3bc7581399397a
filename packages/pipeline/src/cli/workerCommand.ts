import { startQueueWorker } from '@candlelab/jobs';
import { tasks } from '../tasks.js';
import { type CommandContext, EXIT, parseOptions } from './main.js';
import { print } from './terminal.js';

/**
 * `candlelab worker`: pulls training jobs from the Redis queue until stopped (SIGINT/SIGTERM),
 * writing models to the shared registry named in each job. Run one per core on any machine.
 */
export async function workerCommand({ args, out }: CommandContext): Promise<number> {
  const { values } = parseOptions(args, {
    queue: { type: 'string', default: 'candlelab' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    concurrency: { type: 'string', default: '1' },
  });
  const worker = await startQueueWorker({
    name: values.queue,
    connection: values.redis,
    tasks,
    concurrency: Number(values.concurrency),
    onEvent: (event) => {
      if (out.quiet) return;
      if (event.type === 'progress') return;
      print(
        out,
        out.json
          ? JSON.stringify(event)
          : `${new Date().toISOString()} ${event.type} ${event.jobId}${'reason' in event ? ` ${event.reason}` : ''}`,
      );
    },
  });
  if (!out.json)
    print(out, `worker ${worker.workerId} pulling from ${values.queue} on ${values.redis} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await worker.close();
  return EXIT.ok;
}
