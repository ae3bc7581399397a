import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobFailedError } from '@candlelab/core';
import { portReachable } from '@candlelab/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from './JobQueue.js';

const REDIS = { host: '127.0.0.1', port: 6379 };

const available = await portReachable(REDIS.port, REDIS.host);
if (!available) {
  console.warn(
    'JobQueue tests skipped: no Redis on 127.0.0.1:6379. Start one (e.g. `redis-server --port 6379`) to run them.',
  );
}

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  events: Array<Record<string, unknown>>;
  ready: Promise<void>;
}

const workerScript = fileURLToPath(new URL('../test/queueWorkerProcess.ts', import.meta.url));
let queueName: string;
let queue: JobQueue;
const workers: WorkerProcess[] = [];

function startWorker(id: string, mode: 'threads' | 'in-process' = 'threads', lockMs = 1_000): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@candlelab/source', workerScript, queueName, id, mode, String(lockMs)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const events: Array<Record<string, unknown>> = [];
  let buffer = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const event = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      events.push(event);
      if (event.type === 'ready') markReady();
      newline = buffer.indexOf('\n');
    }
  });
  const worker = { id, child, events, ready };
  workers.push(worker);
  return worker;
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!available)('JobQueue on a real Redis with worker processes', () => {
  beforeAll(async () => {
    queueName = `candlelab-test-${process.pid}-${Date.now()}`;
    queue = await JobQueue.connect({ name: queueName, connection: REDIS });
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill('SIGTERM');
        await new Promise((r) => worker.child.once('exit', r));
      }
    }
  });

  afterAll(async () => {
    await queue?.obliterate();
    await queue?.close();
  });

  it('spreads jobs over several worker processes and lands each result once', async () => {
    const pool = [startWorker('w1'), startWorker('w2', 'in-process'), startWorker('w3')];
    await Promise.all(pool.map((w) => w.ready));
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => queue.submit('add', { a: i, b: 100 }, { jobId: `add-${i}` })),
    );
    // The same job id submitted again is not enqueued twice.
    await queue.submit('add', { a: 0, b: 100 }, { jobId: 'add-0' });
    const results = await Promise.all(ids.map((id) => queue.waitFor(id, { timeoutMs: 20_000 })));
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i + 100));
    const completedIn = () => pool.flatMap((w) => w.events.filter((e) => e.type === 'completed').map((e) => e.jobId));
    await until(() => completedIn().length >= ids.length);
    const completions = completedIn();
    expect(completions.sort()).toEqual([...ids].sort());
    expect(new Set(completions).size).toBe(12);
    const statuses = await Promise.all(ids.map((id) => queue.status(id)));
    expect(statuses.every((s) => s.state === 'completed' && ['w1', 'w2', 'w3'].includes(s.finishedBy!))).toBe(true);
  });

  it('retries the job of a killed worker on another worker; the result lands exactly once', async () => {
    const first = startWorker('doomed');
    await first.ready;
    const jobId = await queue.submit(
      'slow',
      { ms: 2_500, value: 'v' },
      { jobId: 'slow-1', attempts: 3, backoffMs: 100 },
    );
    await until(() => first.events.some((e) => e.type === 'started' && e.jobId === jobId));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const second = startWorker('survivor');
    await second.ready;
    const result = await queue.waitFor(jobId, { timeoutMs: 25_000 });
    // The killed run counts: this is the second attempt.
    expect(result).toBe('v@attempt2');
    const status = await queue.status(jobId);
    expect(status).toMatchObject({ state: 'completed', finishedBy: 'survivor', attemptsMade: 2 });
    // The worker's own 'completed' line can arrive after the queue already reported completion.
    await until(() => second.events.some((e) => e.type === 'completed' && e.jobId === jobId));
    expect(second.events.filter((e) => e.type === 'completed' && e.jobId === jobId)).toHaveLength(1);
    expect(first.events.some((e) => e.type === 'completed')).toBe(false);
  });

  it('a worker SIGKILLed mid-task: the retry reuses the recorded effect, the result lands once', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'jobs-effects-')), 'effects.log');
    writeFileSync(log, '');
    const first = startWorker('doomed-effects');
    await first.ready;
    const jobId = await queue.submit(
      'trainAndRegister',
      { log, holdMs: 20_000 },
      { jobId: 'train-btc', backoffMs: 100 },
    );
    // Killed while publishing: the model is registered and recorded, the publish is in flight.
    await until(() => first.events.some((e) => e.type === 'effect' && e.key === 'publish' && e.state === 'begun'));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const second = startWorker('survivor-effects');
    await second.ready;
    const result = await queue.waitFor(jobId, { timeoutMs: 25_000 });
    const model = { modelId: 'model-train-btc:register-model' };
    expect(result).toEqual({ model, again: model, published: 'found-after-crash', attempt: 2 });
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([
      'register train-btc:register-model',
      'publish train-btc:publish',
    ]);
    const effects = second.events.filter((e) => e.type === 'effect').map((e) => [e.key, e.state, e.inDoubt]);
    expect(effects).toEqual([
      ['register-model', 'reused', undefined],
      ['publish', 'begun', true],
      ['publish', 'recorded', undefined],
      ['register-model', 'reused', undefined],
    ]);
    expect(await queue.status(jobId)).toMatchObject({
      state: 'completed',
      finishedBy: 'survivor-effects',
      attemptsMade: 2,
    });
    await until(() => second.events.some((e) => e.type === 'completed' && e.jobId === jobId));
    expect(second.events.filter((e) => e.type === 'completed')).toHaveLength(1);
    expect(first.events.some((e) => e.type === 'completed')).toBe(false);
  });

  it('a task that blocks its event loop longer than the lock runs once (the lock keeps being renewed)', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'jobs-block-')), 'runs.log');
    writeFileSync(log, '');
    // Two workers, so that a lapsed lock would be noticed and the job run again by the other.
    const pool = [startWorker('block-1', 'threads', 2_000), startWorker('block-2', 'threads', 2_000)];
    await Promise.all(pool.map((w) => w.ready));
    const jobId = await queue.submit('blockLoop', { ms: 5_000, log }, { jobId: 'block-1', backoffMs: 100 });
    expect(await queue.waitFor(jobId, { timeoutMs: 30_000 })).toBe(1);
    expect(readFileSync(log, 'utf8')).toBe('run block-1 attempt 1\n');
    expect(pool.flatMap((w) => w.events.filter((e) => e.type === 'started'))).toHaveLength(1);
    expect(await queue.status(jobId)).toMatchObject({ state: 'completed', attemptsMade: 1 });
  });

  it('in-process handlers get the same context: effects recorded once per job', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'jobs-inproc-')), 'effects.log');
    writeFileSync(log, '');
    const worker = startWorker('w-in-process', 'in-process');
    await worker.ready;
    const jobId = await queue.submit('trainAndRegister', { log, holdMs: 0 }, { jobId: 'train-eth' });
    const model = { modelId: 'model-train-eth:register-model' };
    expect(await queue.waitFor(jobId, { timeoutMs: 20_000 })).toEqual({
      model,
      again: model,
      published: 'published',
      attempt: 1,
    });
    expect(readFileSync(log, 'utf8')).toBe('register train-eth:register-model\npublish train-eth:publish\n');
  });

  it('records the error of a job that keeps failing', async () => {
    const worker = startWorker('w-fail');
    await worker.ready;
    const jobId = await queue.submit('alwaysFails', 'exchange is down', { attempts: 2, backoffMs: 50 });
    const error = await queue.waitFor(jobId, { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).attempts).toBe(2);
    expect((error as JobFailedError).message).toMatch(/exchange is down/);
    expect(await queue.status(jobId)).toMatchObject({
      state: 'failed',
      failedReason: 'exchange is down',
      attemptsMade: 2,
    });
    const failures = worker.events.filter((e) => e.type === 'failed');
    expect(failures.map((e) => e.willRetry)).toEqual([true, false]);
  });

  it('fails an unknown task at once, without retries', async () => {
    const worker = startWorker('w-unknown');
    await worker.ready;
    const jobId = await queue.submit('noSuchTask', {}, { attempts: 5 });
    await expect(queue.waitFor(jobId, { timeoutMs: 20_000 })).rejects.toThrow(/unknown task 'noSuchTask'/);
    expect((await queue.status(jobId)).attemptsMade).toBe(1);
  });
});
