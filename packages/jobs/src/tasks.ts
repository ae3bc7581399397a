import type { ProgressEvent } from '@candlelab/core';

/** What an effect function learns about the effect it is asked to perform. */
export interface EffectContext {
  /**
   * `<jobId>:<key>`, the same on every attempt of the job: use it as the idempotency key of the
   * effect's target (e.g. the model id or tag when registering a model).
   */
  effectId: string;
  /**
   * True when an earlier attempt began this effect and never recorded it completed (its worker
   * died, or the function threw): the effect may already have happened. Check the target by
   * `effectId` before doing it again.
   */
  inDoubt: boolean;
}

/** What a running task can see and do besides its payload. */
export interface TaskContext {
  /** Id of this job, the same on every attempt (the queue's job id; `pool-<n>` in a pool). */
  jobId: string;
  /**
   * Which run of the job this is: 1 for the first, 2 for the next, … counting every run that
   * started, including runs whose worker died (always 1 in a pool, which does not retry).
   */
  attempt: number;
  /** Reports progress to whoever submitted the job. */
  reportProgress(event: ProgressEvent): void;
  /**
   * Runs side effect `fn` at most once to completion per job and `key`: when an earlier attempt
   * of this job completed effect `key`, returns the result it recorded without calling `fn`;
   * otherwise calls `fn` and records its result. Results must be JSON-serialisable: every
   * attempt, the first included, gets the recorded JSON form (`undefined` becomes `null`). A worker that dies inside `fn` leaves the effect in doubt: the retry calls `fn` again
   * with `inDoubt: true` and the same `effectId`. Give each effect of a task its own key, and do
   * not run the same key twice at once.
   */
  once<T>(key: string, fn: (effect: EffectContext) => T | Promise<T>): Promise<T>;
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
