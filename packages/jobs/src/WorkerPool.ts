import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CancelledError, InvalidParameterError, JobFailedError, type ProgressCallback } from '@candlelab/core';
import { type JobEffects, memoryEffects } from './JobEffects.js';
import { type PayloadOf, type RemoteError, type ResultOf, type TaskHandlers, toRemoteError } from './tasks.js';

/**
 * The code every pool thread runs: optionally registers a module loader (e.g. tsx, to run
 * TypeScript task modules without a build), imports the tasks module, then runs one task per
 * message. Kept as an inline module so the pool works from sources and from the built package alike.
 */
const WORKER_SOURCE = `
import { parentPort, workerData } from 'node:worker_threads';
if (workerData.register) (await import(workerData.register)).register();
const module = await import(workerData.tasksModule);
const tasks = module.tasks ?? module.default;
const toRemote = (e) => e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { name: 'Error', message: String(e) };
const pending = new Map();
let nextRequest = 0;
// Effects are recorded by the host thread (in Redis for the queue): ask it and wait for its reply.
const ask = (id, message) => new Promise((resolve, reject) => {
  const requestId = nextRequest++;
  pending.set(requestId, { resolve, reject });
  parentPort.postMessage({ ...message, id, requestId });
});
parentPort.on('message', async (message) => {
  if (message.type === 'reply') {
    const request = pending.get(message.requestId);
    pending.delete(message.requestId);
    if (!message.error) return request?.resolve(message.value);
    const error = new Error(message.error.message);
    error.name = message.error.name;
    return request?.reject(error);
  }
  const { id, name, payload, jobId, attempt } = message;
  const handler = tasks?.[name];
  if (typeof handler !== 'function') {
    const known = Object.keys(tasks ?? {}).join(', ') || 'none';
    parentPort.postMessage({ id, type: 'error', error: { name: 'UnknownTask', message: \`unknown task '\${name}' (known: \${known})\` } });
    return;
  }
  try {
    const context = {
      jobId,
      attempt,
      reportProgress: (event) => parentPort.postMessage({ id, type: 'progress', event }),
      once: async (key, fn) => {
        const start = await ask(id, { type: 'effect-begin', key });
        if (start.state === 'done') return start.result;
        const result = await fn({ effectId: start.effectId, inDoubt: start.inDoubt });
        return ask(id, { type: 'effect-complete', key, result });
      },
    };
    const result = await handler(payload, context);
    parentPort.postMessage({ id, type: 'result', result });
  } catch (error) {
    parentPort.postMessage({ id, type: 'error', error: toRemote(error) });
  }
});
parentPort.postMessage({ type: 'ready' });
`;
const WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`);

export interface WorkerPoolOptions {
  /** URL or absolute path of a module exporting `tasks` (see `defineTasks`). */
  tasksModule: string | URL;
  /** Number of threads. Default: the machine's available parallelism. */
  size?: number;
  /**
   * A module whose `register()` is called in each thread before the tasks module loads — e.g.
   * `import.meta.resolve('tsx/esm/api')` to run TypeScript task modules from sources. Default none.
   */
  register?: string;
  /** Node flags for the threads (e.g. `['--conditions=@candlelab/source']`). Default: inherit. */
  execArgv?: string[];
}

export interface RunOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /**
   * Run the task as attempt `attempt` of job `id`, with its effects recorded in `effects` (what
   * `startQueueWorker` does). Default: job `pool-<n>`, attempt 1, effects kept for this run only.
   */
  job?: { id: string; attempt: number; effects: JobEffects };
}

interface PendingTask {
  id: string;
  jobId: string;
  attempt: number;
  effects: JobEffects;
  name: string;
  payload: unknown;
  options: RunOptions;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface PoolThread {
  worker: Worker;
  ready: boolean;
  current: PendingTask | undefined;
}

/** Per-pool counters, for progress displays and speed-up measurements. */
export interface PoolStats {
  size: number;
  running: number;
  queued: number;
  completed: number;
  failed: number;
}

/**
 * A pool of worker threads running named tasks in parallel on one machine. Tasks share no
 * mutable state: each gets its payload by message and returns its result by message. A thread
 * that dies fails only its current task and is replaced.
 */
export class WorkerPool<T extends TaskHandlers = TaskHandlers> {
  readonly size: number;
  private readonly threads: PoolThread[] = [];
  private readonly queue: PendingTask[] = [];
  private readonly options: WorkerPoolOptions;
  private nextId = 0;
  private closed = false;
  private completed = 0;
  private failed = 0;

  constructor(options: WorkerPoolOptions) {
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1)
      throw new InvalidParameterError('size', size, 'expected a positive integer');
    this.size = size;
    this.options = options;
    for (let i = 0; i < size; i++) this.threads.push(this.spawn());
  }

  /** Runs task `name` with `payload` on the next free thread. */
  run<K extends keyof T & string>(
    name: K,
    payload: PayloadOf<T, K>,
    options: RunOptions = {},
  ): Promise<ResultOf<T, K>> {
    if (this.closed) return Promise.reject(new CancelledError(`task ${name} (pool closed)`));
    return new Promise((resolve, reject) => {
      const id = `pool-${this.nextId++}`;
      const task: PendingTask = {
        id,
        jobId: options.job?.id ?? id,
        attempt: options.job?.attempt ?? 1,
        effects: options.job?.effects ?? memoryEffects(id),
        name,
        payload,
        options,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      if (options.signal?.aborted) {
        reject(new CancelledError(`task ${name}`));
        return;
      }
      options.signal?.addEventListener('abort', () => this.cancel(task), { once: true });
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Runs `name` once per payload and returns the results in payload order. */
  map<K extends keyof T & string>(
    name: K,
    payloads: readonly PayloadOf<T, K>[],
    options: RunOptions = {},
  ): Promise<ResultOf<T, K>[]> {
    return Promise.all(payloads.map((payload) => this.run(name, payload, options)));
  }

  stats(): PoolStats {
    return {
      size: this.size,
      running: this.threads.filter((t) => t.current !== undefined).length,
      queued: this.queue.length,
      completed: this.completed,
      failed: this.failed,
    };
  }

  /** Stops every thread; queued and running tasks are rejected with a `CancelledError`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new CancelledError(`task ${task.name} (pool closed)`));
    await Promise.all(
      this.threads.map(async (thread) => {
        thread.current?.reject(new CancelledError(`task ${thread.current.name} (pool closed)`));
        thread.current = undefined;
        await thread.worker.terminate();
      }),
    );
  }

  private spawn(): PoolThread {
    const { tasksModule } = this.options;
    const moduleUrl =
      tasksModule instanceof URL || /^[a-z]+:/i.test(tasksModule)
        ? String(tasksModule)
        : pathToFileURL(tasksModule).href;
    const workerData = { tasksModule: moduleUrl, register: this.options.register };
    const worker = new Worker(WORKER_URL, {
      workerData,
      ...(this.options.execArgv ? { execArgv: this.options.execArgv } : {}),
    });
    const thread: PoolThread = { worker, ready: false, current: undefined };
    worker.on('message', (message: WorkerMessage) => this.onMessage(thread, message));
    worker.on('error', (error) => this.onThreadDeath(thread, `thread error: ${error.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) this.onThreadDeath(thread, `thread exited with code ${code}`);
    });
    return thread;
  }

  private onMessage(thread: PoolThread, message: WorkerMessage): void {
    if (message.type === 'ready') {
      thread.ready = true;
      this.dispatch();
      return;
    }
    const task = thread.current;
    if (!task || task.id !== message.id) return;
    if (message.type === 'progress') {
      task.options.onProgress?.(message.event);
      return;
    }
    if (message.type === 'effect-begin' || message.type === 'effect-complete') {
      const reply = (answer: { value: unknown } | { error: RemoteError }) => {
        if (thread.current === task)
          thread.worker.postMessage({ type: 'reply', requestId: message.requestId, ...answer });
      };
      const step =
        message.type === 'effect-begin'
          ? task.effects.begin(message.key)
          : task.effects.complete(message.key, message.result);
      step.then(
        (value) => reply({ value }),
        (error: unknown) => reply({ error: toRemoteError(error) }),
      );
      return;
    }
    thread.current = undefined;
    if (message.type === 'result') {
      this.completed++;
      task.resolve(message.result);
    } else {
      this.failed++;
      task.reject(failure(task, message.error));
    }
    this.dispatch();
  }

  private onThreadDeath(thread: PoolThread, reason: string): void {
    const index = this.threads.indexOf(thread);
    if (index === -1) return;
    const task = thread.current;
    thread.current = undefined;
    void thread.worker.terminate();
    if (task) {
      this.failed++;
      task.reject(failure(task, { name: 'WorkerDied', message: reason }));
    }
    if (this.closed) return;
    // A thread that cannot even start (bad tasks module) would respawn forever: fail the queue instead.
    if (!thread.ready) {
      this.threads.splice(index, 1);
      if (this.threads.length === 0) {
        for (const queued of this.queue.splice(0))
          queued.reject(failure(queued, { name: 'WorkerDied', message: reason }));
      }
      return;
    }
    this.threads[index] = this.spawn();
  }

  private cancel(task: PendingTask): void {
    const queued = this.queue.indexOf(task);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
      task.reject(new CancelledError(`task ${task.name}`));
      return;
    }
    const thread = this.threads.find((t) => t.current === task);
    if (!thread) return;
    // The only way to stop running JavaScript is to stop its thread; a fresh one replaces it.
    thread.current = undefined;
    task.reject(new CancelledError(`task ${task.name}`));
    const index = this.threads.indexOf(thread);
    void thread.worker.terminate();
    this.threads[index] = this.spawn();
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (this.queue.length === 0) return;
      if (!thread.ready || thread.current) continue;
      const task = this.queue.shift()!;
      thread.current = task;
      thread.worker.postMessage({
        id: task.id,
        name: task.name,
        payload: task.payload,
        jobId: task.jobId,
        attempt: task.attempt,
      });
    }
  }
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; id: string; event: Parameters<ProgressCallback>[0] }
  | { type: 'effect-begin'; id: string; requestId: number; key: string }
  | { type: 'effect-complete'; id: string; requestId: number; key: string; result: unknown }
  | { type: 'result'; id: string; result: unknown }
  | { type: 'error'; id: string; error: RemoteError };

/** A task's failure; `cause` is the remote error rebuilt (same name, message and stack). */
function failure(task: PendingTask, error: RemoteError): JobFailedError {
  const cause = new Error(error.message);
  cause.name = error.name;
  if (error.stack !== undefined) cause.stack = error.stack;
  return new JobFailedError(
    {
      jobId: task.jobId,
      task: task.name,
      attempts: task.attempt,
      reason: `${error.name}: ${error.message}`,
      remoteName: error.name,
      ...(error.stack ? { remoteStack: error.stack } : {}),
    },
    { cause },
  );
}
