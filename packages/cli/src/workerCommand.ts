import type { Command } from '@commander-js/extra-typings';
import { type CommandContext, outputOf, positiveInteger, withOutputOptions } from './commonOptions.js';
import { print } from './terminal.js';

/**
 * `candlelab worker`: pulls training jobs from the Redis queue until stopped (SIGINT/SIGTERM),
 * writing models to the shared registry named in each job. Run one per core on any machine.
 */
export function workerCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('worker')
    .summary('pull training jobs from a Redis queue until stopped (Ctrl-C)')
    .description(
      'Pulls training jobs (sent by `candlelab retrain --redis`) from a Redis queue until SIGINT or SIGTERM, writing models to the registry named in each job. Run one per core, on any machine.',
    )
    .option('--queue <name>', 'queue name', 'candlelab')
    .option('--redis <url>', 'Redis connection URL', 'redis://127.0.0.1:6379')
    .option('--concurrency <n>', 'jobs run at once by this worker', positiveInteger, 1);
  withOutputOptions(command).action(async (options) => {
    const out = outputOf(context.streams, options);
    const { startQueueWorker } = await import('@candlelab/jobs');
    const { workerModule } = await import('@candlelab/pipeline');
    const worker = await startQueueWorker({
      name: options.queue,
      connection: options.redis,
      // Tasks run on worker threads, so a long training run never blocks the lock renewal.
      ...workerModule('tasks'),
      concurrency: options.concurrency,
      onEvent: (event) => {
        if (out.quiet || event.type === 'progress') return;
        print(
          out,
          out.json
            ? JSON.stringify(event)
            : `${new Date().toISOString()} ${event.type} ${event.jobId}${'reason' in event ? ` ${event.reason}` : ''}`,
        );
      },
    });
    if (!out.json)
      print(out, `worker ${worker.workerId} pulling from ${options.queue} on ${options.redis} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await worker.close();
  });
}
