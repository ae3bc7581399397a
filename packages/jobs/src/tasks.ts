import type { ProgressEvent } from '@candlelab/core';

/** What a running task can see and do besides its payload. */
export interface TaskContext {
  /** Id of this job (stable across retries). */
  jobId: string;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  /** Reports progress to whoever submitted the job. */
  reportProgress(event: ProgressEvent): void;
}

/**
 * A named unit of work. Payload and result cross thread or process boundaries, so both must be
 * structured-clonable (pool) or JSON-serialisable (queue); handlers share no mutable state.
 */
export type TaskHandler<Payload = never, Result = unknown> = (
  payload: Payload,
  context: TaskContext,
) => Result | Promise<Result>;

/** Task handlers by name. A tasks module exports one of these as `tasks`. */
export type TaskHandlers = Readonly<Record<string, TaskHandler<never, unknown>>>;

/** Declares task handlers with their payload and result types kept (identity at run time). */
export function defineTasks<const T extends TaskHandlers>(tasks: T): T {
  return tasks;
}

/** The payload type of task `K`. */
export type PayloadOf<T extends TaskHandlers, K extends keyof T> = Parameters<T[K]>[0];
/** The result type of task `K`. */
export type ResultOf<T extends TaskHandlers, K extends keyof T> = Awaited<ReturnType<T[K]>>;

/** A serialisable description of an error thrown inside a task. */
export interface RemoteError {
  name: string;
  message: string;
  stack?: string;
}

export function toRemoteError(error: unknown): RemoteError {
  if (error instanceof Error) {
    const remote: RemoteError = { name: error.name, message: error.message };
    if (error.stack !== undefined) remote.stack = error.stack;
    return remote;
  }
  return { name: 'Error', message: String(error) };
}
