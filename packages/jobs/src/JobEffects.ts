import { InvalidParameterError, type ProgressEvent } from '@candlelab/core';
import type { EffectContext, TaskContext } from './tasks.js';

/** What `context.once` finds when it begins an effect. */
export type EffectStart = { state: 'done'; result: unknown } | { state: 'run'; effectId: string; inDoubt: boolean };

/**
 * The record of one job's side effects, as seen by one run of the job (see `TaskContext.once`).
 * The queue keeps it in Redis, fenced by the job's lock; the pool keeps it for the run only.
 */
export interface JobEffects {
  /** Looks effect `key` up: its recorded result when completed, else marks it started by this run. */
  begin(key: string): Promise<EffectStart>;
  /**
   * Records effect `key` as completed with `result` and resolves with the recorded result (the
   * JSON form of `result`, or the result another run recorded first).
   */
  complete(key: string, result: unknown): Promise<unknown>;
}

/** `<jobId>:<key>`: the id of one effect of one job, the same on every attempt. */
export function effectId(jobId: string, key: string): string {
  return `${jobId}:${key}`;
}

/** Refuses effect keys that are not non-empty strings (they name records in the ledger). */
export function checkEffectKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 256)
    throw new InvalidParameterError('key', key, 'expected an effect key of 1 to 256 characters');
  return key;
}

/**
 * The JSON form of an effect's result, as recorded: every attempt, including the first, gets this
 * form back, so all attempts see the same value (`undefined` becomes `null`).
 */
export function effectResultJson(key: string, result: unknown): string {
  try {
    return JSON.stringify(result ?? null);
  } catch (error) {
    throw new InvalidParameterError(`once('${key}') result`, result, 'expected a JSON-serialisable value', {
      cause: error,
    });
  }
}

/** Effects recorded in memory for one run (the pool does not retry, so nothing outlives the run). */
export function memoryEffects(jobId: string): JobEffects {
  const done = new Map<string, unknown>();
  return {
    begin: async (key) => {
      checkEffectKey(key);
      return done.has(key)
        ? { state: 'done', result: done.get(key) }
        : { state: 'run', effectId: effectId(jobId, key), inDoubt: false };
    },
    complete: async (key, result) => {
      if (!done.has(key)) done.set(key, JSON.parse(effectResultJson(key, result)));
      return done.get(key);
    },
  };
}

/** The context of a task run in-process (worker threads build the same one in `WorkerPool`'s thread code). */
export function taskContext(
  jobId: string,
  attempt: number,
  effects: JobEffects,
  reportProgress: (event: ProgressEvent) => void,
): TaskContext {
  return {
    jobId,
    attempt,
    reportProgress,
    once: async <T>(key: string, fn: (effect: EffectContext) => T | Promise<T>): Promise<T> => {
      const start = await effects.begin(key);
      if (start.state === 'done') return start.result as T;
      const result = await fn({ effectId: start.effectId, inDoubt: start.inDoubt });
      return (await effects.complete(key, result)) as T;
    },
  };
}
