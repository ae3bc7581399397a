import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { JobFailedError } from '@candlelab/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from './JobQueue.js';

const REDIS = { host: '127.0.0.1', port: 6379 };

async function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(REDIS);
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const available = await redisReachable();
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

function startWorker(id: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@candlelab/source', workerScript, queueName, id],
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
    const pool = [startWorker('w1'), startWorker('w2'), startWorker('w3')];
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
    expect(result).toMatch(/^v@attempt\d$/);
    const status = await queue.status(jobId);
    expect(status).toMatchObject({ state: 'completed', finishedBy: 'survivor' });
    // The worker's own 'completed' line can arrive after the queue already reported completion.
    await until(() => second.events.some((e) => e.type === 'completed' && e.jobId === jobId));
    expect(second.events.filter((e) => e.type === 'completed' && e.jobId === jobId)).toHaveLength(1);
    expect(first.events.some((e) => e.type === 'completed')).toBe(false);
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
