import {
  CancelledError,
  DataSourceError,
  InvalidParameterError,
  JobFailedError,
  type ProgressCallback,
  type ProgressEvent,
} from '@candlelab/core';
import type { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { type JobEffects, taskContext } from './JobEffects.js';
import { type EvalClient, redisEffects } from './redisEffects.js';
import { type TaskHandlers, toRemoteError } from './tasks.js';
import { WorkerPool } from './WorkerPool.js';

/** Where Redis is: a `redis://` URL or host/port. Default `redis://127.0.0.1:6379`. */
export type RedisConnection = string | { host?: string; port?: number; password?: string; db?: number };

export interface QueueOptions {
  /** Queue name shared by producers and workers. Default `candlelab`. */
  name?: string;
  connection?: RedisConnection;
  /** Redis key prefix. Default `bull` (BullMQ's). */
  prefix?: string;
}

export interface SubmitOptions {
  /**
   * Job id. Submitting twice with the same id adds the job once (BullMQ deduplicates), so a
   * producer that retries after a crash cannot enqueue the same work twice. Default: generated.
   */
  jobId?: string;
  /** Total runs before the job is failed (first run + retries). Default 3. */
  attempts?: number;
  /** First retry delay in ms, doubled on each retry. Default 1,000. */
  backoffMs?: number;
}

/** The state of a job as stored in Redis. */
export interface JobStatus {
  jobId: string;
  task: string;
  state: 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'prioritized' | 'waiting-children' | 'unknown';
  /**
   * Runs of the job that started, including runs whose worker died mid-task (BullMQ's own
   * `attemptsMade` counts only finished runs). Equals the last run's `context.attempt`.
   */
  attemptsMade: number;
  result?: unknown;
  failedReason?: string;
  progress?: unknown;
  /** Id of the worker that completed the job (see {@link startQueueWorker}'s `workerId`). */
  finishedBy?: string;
}

function connectionOptions(connection: RedisConnection = 'redis://127.0.0.1:6379') {
  if (typeof connection !== 'string')
    return { host: '127.0.0.1', port: 6379, ...connection, maxRetriesPerRequest: null };
  const url = new URL(connection);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    maxRetriesPerRequest: null,
  };
}

async function loadBullmq(): Promise<typeof import('bullmq')> {
  try {
    return await import('bullmq');
  } catch (error) {
    throw new DataSourceError('the queue needs the optional peer dependency bullmq: npm install bullmq', {
      cause: error,
    });
  }
}

/**
 * The producer side of a BullMQ queue on Redis: submit named tasks, follow them, collect results.
 * Workers on any machine pull jobs with {@link startQueueWorker}. A worker that dies mid-job loses
 * its lock; another worker retries the job, and only the holder of the lock can complete it, so
 * each job's result lands exactly once; side effects made through `context.once` are recorded
 * and not redone by the retry. A job that keeps failing ends `failed` with its error kept.
 */
export class JobQueue {
  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
  ) {}

  static async connect(options: QueueOptions = {}): Promise<JobQueue> {
    const { Queue, QueueEvents } = await loadBullmq();
    const name = options.name ?? 'candlelab';
    const connection = connectionOptions(options.connection);
    const prefix = options.prefix ?? 'bull';
    const queue = new Queue(name, { connection, prefix });
    const events = new QueueEvents(name, { connection, prefix });
    // Every pending waitFor() listens on these emitters; hundreds of concurrent waits are normal.
    queue.setMaxListeners(0);
    events.setMaxListeners(0);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new JobQueue(queue, events);
  }

  /** Adds a job running task `task` with `payload`; returns its id. */
  async submit(task: string, payload: unknown, options: SubmitOptions = {}): Promise<string> {
    const job = await this.queue.add(task, payload, {
      ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 1_000 },
      removeOnComplete: false,
      removeOnFail: false,
    });
    return job.id!;
  }

  /**
   * Resolves with the job's result when it completes; rejects with a `JobFailedError` holding the
   * recorded reason when it fails for good, or a `CancelledError` after `timeoutMs`.
   */
  async waitFor(jobId: string, options: { timeoutMs?: number; onProgress?: ProgressCallback } = {}): Promise<unknown> {
    const job = await this.queue.getJob(jobId);
    if (!job) throw new JobFailedError({ jobId, task: 'unknown', attempts: 0, reason: 'no such job in the queue' });
    const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
      if (id === jobId && isProgressEvent(data)) options.onProgress?.(data);
    };
    if (options.onProgress) this.events.on('progress', onProgress);
    try {
      const finished = (await job.waitUntilFinished(this.events, options.timeoutMs)) as { result?: unknown } | null;
      return finished?.result;
    } catch (error) {
      const status = await this.status(jobId);
      if (status.state === 'failed') {
        throw new JobFailedError(
          { jobId, task: job.name, attempts: status.attemptsMade, reason: status.failedReason ?? String(error) },
          { cause: error },
        );
      }
      throw new CancelledError(`waiting for job ${jobId} (${status.state} after ${options.timeoutMs} ms)`, {
        cause: error,
      });
    } finally {
      this.events.off('progress', onProgress);
    }
  }

  async status(jobId: string): Promise<JobStatus> {
    const job = await this.queue.getJob(jobId);
    if (!job) return { jobId, task: 'unknown', state: 'unknown', attemptsMade: 0 };
    return describeJob(job, await job.getState());
  }

  /** Counts of jobs by state. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  }

  /** Removes every job and key of this queue (tests, resets). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.queue.close()]);
  }
}

export interface QueueWorkerOptions extends QueueOptions {
  /**
   * Module (URL or absolute path) exporting `tasks`, run in worker threads, one per concurrency
   * slot. The worker's main thread stays free, so it keeps renewing job locks however long a
   * task blocks its thread. Give this or `tasks`.
   */
  tasksModule?: string | URL;
  /**
   * Task handlers run in-process, on the worker's event loop. A handler that blocks the loop
   * longer than `lockDurationMs` stops lock renewal: its job is then deemed stalled and run again
   * elsewhere. Prefer `tasksModule`. Give this or `tasksModule`.
   */
  tasks?: TaskHandlers;
  /** With `tasksModule`: a module whose `register()` runs first in each thread (see `WorkerPool`). Default none. */
  register?: string;
  /** With `tasksModule`: Node flags for the threads. Default: inherited. */
  execArgv?: string[];
  /** Jobs processed at once by this worker. Default 1. */
  concurrency?: number;
  /** A name for this worker, stored with each result it lands. Default `<hostname>:<pid>`. */
  workerId?: string;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it while the job runs); a
   * dead worker's job is retried after it lapses. Default 30,000 ms.
   */
  lockDurationMs?: number;
  /** How often stalled (lock-lapsed) jobs are looked for. Default 30,000 ms. */
  stalledIntervalMs?: number;
  /** How long a job's effects ledger (`context.once`) is kept in Redis after its last write. Default 604,800,000 ms (7 days). */
  effectsTtlMs?: number;
  /** Called on every job event of this worker. */
  onEvent?: (event: QueueWorkerEvent) => void;
}

export type QueueWorkerEvent =
  | { type: 'started'; jobId: string; task: string; attempt: number }
  | { type: 'progress'; jobId: string; event: ProgressEvent }
  /** An effect began (`inDoubt` when an earlier attempt began it and never recorded it), was reused from an earlier attempt, or was recorded. */
  | { type: 'effect'; jobId: string; key: string; state: 'begun' | 'reused' | 'recorded'; inDoubt?: boolean }
  | { type: 'completed'; jobId: string; task: string }
  | { type: 'failed'; jobId: string; task: string; reason: string; willRetry: boolean };

export interface QueueWorkerHandle {
  readonly workerId: string;
  /** Stops taking jobs, waits for the running ones, then stops the task threads. */
  close(): Promise<void>;
}

/**
 * Pulls jobs from the queue and runs them until closed. Use one per process (`candlelab worker`);
 * run as many processes on as many machines as you like. Each run gets the job's id and its
 * attempt number (every started run counts, including those whose worker died), and
 * `context.once` records side effects in Redis beside the job, so a retry finds them.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  if ((options.tasks === undefined) === (options.tasksModule === undefined))
    throw new InvalidParameterError('tasksModule', options.tasksModule, 'give exactly one of tasksModule and tasks');
  const effectsTtlMs = options.effectsTtlMs ?? 604_800_000;
  if (!Number.isInteger(effectsTtlMs) || effectsTtlMs < 1)
    throw new InvalidParameterError('effectsTtlMs', effectsTtlMs, 'expected an integer >= 1');
  const { Worker, UnrecoverableError } = await loadBullmq();
  const { hostname } = await import('node:os');
  const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  const emit = options.onEvent ?? (() => {});
  const name = options.name ?? 'candlelab';
  const prefix = options.prefix ?? 'bull';
  const concurrency = options.concurrency ?? 1;
  const pool = options.tasksModule
    ? new WorkerPool({
        tasksModule: options.tasksModule,
        size: concurrency,
        ...(options.register ? { register: options.register } : {}),
        ...(options.execArgv ? { execArgv: options.execArgv } : {}),
      })
    : undefined;

  const runJob = async (job: Job, token: string, client: EvalClient): Promise<unknown> => {
    const jobId = job.id!;
    const attempt = Math.max(1, job.attemptsStarted);
    emit({ type: 'started', jobId, task: job.name, attempt });
    const effects = observedEffects(
      redisEffects({ client, jobKey: `${prefix}:${name}:${jobId}`, jobId, attempt, token, ttlMs: effectsTtlMs }),
      jobId,
      emit,
    );
    const reportProgress = (event: ProgressEvent) => {
      emit({ type: 'progress', jobId, event });
      void job.updateProgress(event as unknown as object);
    };
    if (!pool) {
      const handler = options.tasks![job.name];
      if (!handler) throw new UnrecoverableError(unknownTask(job.name, Object.keys(options.tasks!)));
      return handler(job.data as never, taskContext(jobId, attempt, effects, reportProgress));
    }
    try {
      return await pool.run(job.name, job.data as never, {
        job: { id: jobId, attempt, effects },
        onProgress: reportProgress,
      });
    } catch (error) {
      // Record the task's own error (name and message), not the pool's wrapper.
      if (!(error instanceof JobFailedError) || !(error.cause instanceof Error)) throw error;
      if (error.remoteName === 'UnknownTask') throw new UnrecoverableError(error.cause.message);
      throw error.cause;
    }
  };

  const worker: Worker = new Worker(
    name,
    async (job: Job, token?: string) => {
      const result = await runJob(job, token!, (await worker.client) as unknown as EvalClient);
      return { result, finishedBy: workerId };
    },
    {
      connection: connectionOptions(options.connection),
      prefix,
      concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  worker.on('completed', (job) => emit({ type: 'completed', jobId: job.id!, task: job.name }));
  worker.on('failed', (job, error) => {
    if (!job) return;
    const willRetry = job.attemptsMade < (job.opts.attempts ?? 1) && !(error instanceof UnrecoverableError);
    emit({
      type: 'failed',
      jobId: job.id!,
      task: job.name,
      reason: `${toRemoteError(error).name}: ${error.message}`,
      willRetry,
    });
  });
  await worker.waitUntilReady();
  return {
    workerId,
    close: async () => {
      await worker.close();
      await pool?.close();
    },
  };
}

function unknownTask(task: string, known: readonly string[]): string {
  return `unknown task '${task}' (known: ${known.join(', ') || 'none'})`;
}

/** Reports each effect step of a job as a worker event. */
function observedEffects(effects: JobEffects, jobId: string, emit: (event: QueueWorkerEvent) => void): JobEffects {
  return {
    begin: async (key) => {
      const start = await effects.begin(key);
      emit(
        start.state === 'done'
          ? { type: 'effect', jobId, key, state: 'reused' }
          : { type: 'effect', jobId, key, state: 'begun', inDoubt: start.inDoubt },
      );
      return start;
    },
    complete: async (key, result) => {
      const recorded = await effects.complete(key, result);
      emit({ type: 'effect', jobId, key, state: 'recorded' });
      return recorded;
    },
  };
}

function describeJob(job: Job, state: string): JobStatus {
  const returned = job.returnvalue as { result?: unknown; finishedBy?: string } | null | undefined;
  const status: JobStatus = {
    jobId: job.id!,
    task: job.name,
    state: (['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'].includes(state)
      ? state
      : 'unknown') as JobStatus['state'],
    attemptsMade: Math.max(job.attemptsMade, job.attemptsStarted),
  };
  if (returned && typeof returned === 'object' && 'result' in returned) status.result = returned.result;
  if (returned?.finishedBy !== undefined) status.finishedBy = returned.finishedBy;
  if (job.failedReason) status.failedReason = job.failedReason;
  if (job.progress !== undefined && job.progress !== 0) status.progress = job.progress;
  return status;
}

function isProgressEvent(value: unknown): value is ProgressEvent {
  return typeof value === 'object' && value !== null && 'phase' in value && 'done' in value && 'total' in value;
}
