import { fileURLToPath } from 'node:url';
import { CancelledError, JobFailedError, type ProgressEvent, Rng } from '@candlelab/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { tasks } from '../test/poolTasks.js';
import { memoryEffects } from './JobEffects.js';
import { WorkerPool } from './WorkerPool.js';

// Task modules are TypeScript sources here, so each thread registers tsx and resolves workspace
// packages to their sources, as the tests do.
const options = {
  tasksModule: fileURLToPath(new URL('../test/poolTasks.ts', import.meta.url)),
  register: import.meta.resolve('tsx/esm/api'),
  execArgv: ['--conditions=@candlelab/source'],
};
let pool: WorkerPool<typeof tasks> | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('WorkerPool', () => {
  it('runs tasks on threads and returns results in order', async () => {
    pool = new WorkerPool<typeof tasks>({ ...options, size: 2 });
    expect(await pool.map('square', [1, 2, 3, 4, 5])).toEqual([1, 4, 9, 16, 25]);
    expect(pool.stats()).toMatchObject({ size: 2, completed: 5, failed: 0, queued: 0, running: 0 });
  });

  it('gives the same seeded result as running in-process', async () => {
    pool = new WorkerPool<typeof tasks>({ ...options, size: 2 });
    const payloads = [1, 2, 3].map((seed) => ({ seed, draws: 10_000 }));
    const inProcess = payloads.map(({ seed, draws }) => {
      const rng = new Rng(seed);
      let sum = 0;
      for (let i = 0; i < draws; i++) sum += rng.normal();
      return sum;
    });
    expect(await pool.map('monteCarlo', payloads)).toEqual(inProcess);
  });

  it('forwards progress events', async () => {
    pool = new WorkerPool<typeof tasks>({ ...options, size: 1 });
    const events: ProgressEvent[] = [];
    const jobId = await pool.run('withProgress', 3, { onProgress: (event) => events.push(event) });
    expect(jobId).toMatch(/^pool-/);
    expect(events.map((e) => e.done)).toEqual([1, 2, 3]);
  });

  it('gives tasks their job id, attempt and an effects record (per run, or the one passed in)', async () => {
    pool = new WorkerPool<typeof tasks>({ ...options, size: 1 });
    const local = await pool.run('effectsTwice', 'a');
    expect(local).toEqual({
      first: { label: 'a', effectId: `${local.jobId}:effect`, inDoubt: false },
      second: { label: 'a', effectId: `${local.jobId}:effect`, inDoubt: false },
      runs: 1,
      jobId: expect.stringMatching(/^pool-/),
      attempt: 1,
    });
    // A caller retrying a job itself passes the job's id, attempt and effects record.
    const effects = memoryEffects('train-1');
    await effects.begin('effect');
    await effects.complete('effect', { recorded: 'earlier' });
    const retried = await pool.run('effectsTwice', 'b', { job: { id: 'train-1', attempt: 2, effects } });
    expect(retried).toEqual({
      first: { recorded: 'earlier' },
      second: { recorded: 'earlier' },
      runs: 0,
      jobId: 'train-1',
      attempt: 2,
    });
  });

  it('fails a task with its remote error, and unknown tasks by name, without stopping the pool', async () => {
    pool = new WorkerPool<typeof tasks>({ ...options, size: 1 });
    const error = await pool.run('fail', 'bad window').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).remoteName).toBe('RangeError');
    expect((error as JobFailedError).message).toMatch(/RangeError: bad window/);
    expect((error as JobFailedError).cause).toMatchObject({ name: 'RangeError', message: 'bad window' });
    await expect(pool.run('nope' as 'square', 1)).rejects.toThrow(/unknown task 'nope' \(known: square, monteCarlo/);
    expect(await pool.run('square', 7)).toBe(49);
  });

  it('replaces a thread that dies and fails only its task', async () => {
    pool = new WorkerPool<typeof tasks>({ ...options, size: 1 });
    await expect(pool.run('crash', undefined as never)).rejects.toThrow(/WorkerDied: thread exited with code 3/);
    expect(await pool.run('square', 3)).toBe(9);
    expect(pool.stats().failed).toBe(1);
  });

  it('cancels queued and running tasks through an AbortSignal', async () => {
    pool = new WorkerPool<typeof tasks>({ ...options, size: 1 });
    const controller = new AbortController();
    const running = pool.run('spin', 5_000, { signal: controller.signal });
    const queued = pool.run('square', 2, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
    expect(await pool.run('square', 4)).toBe(16);
  });

  it('fails every task when the tasks module cannot load', async () => {
    pool = new WorkerPool<typeof tasks>({ ...options, tasksModule: '/nonexistent/tasks.js', size: 2 });
    await expect(pool.run('square', 1)).rejects.toThrow(/WorkerDied: thread error: Cannot find module/);
  });

  it('refuses a bad size', () => {
    expect(() => new WorkerPool({ ...options, size: 0 })).toThrow(/'size'/);
  });
});
