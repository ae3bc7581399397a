import { CancelledError, InvalidParameterError } from '@candlelab/core';
import { portReachable } from '@candlelab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvalClient, redisEffects } from './redisEffects.js';

const REDIS = { host: '127.0.0.1', port: 6379 };

const available = await portReachable(REDIS.port, REDIS.host);
if (!available) {
  console.warn(
    'redisEffects tests skipped: no Redis on 127.0.0.1:6379. Start one (e.g. `redis-server --port 6379`) to run them.',
  );
}

describe.skipIf(!available)('redisEffects: the effects ledger of a queue job, fenced by its lock', () => {
  const jobKey = `candlelab-test-effects-${process.pid}-${Date.now()}:job-1`;
  let queue: import('bullmq').Queue;
  let client: EvalClient & {
    set(k: string, v: string): Promise<unknown>;
    del(...k: string[]): Promise<unknown>;
    pttl(k: string): Promise<number>;
  };
  beforeAll(async () => {
    const { Queue } = await import('bullmq');
    queue = new Queue(`candlelab-test-effects-${process.pid}`, { connection: REDIS });
    client = (await queue.client) as unknown as typeof client;
    await client.set(`${jobKey}:lock`, 'token-2');
  });
  afterAll(async () => {
    await client?.del(`${jobKey}:lock`, `${jobKey}:effects`);
    await queue?.close();
  });
  const run = (attempt: number, token: string) =>
    redisEffects({ client, jobKey, jobId: 'job-1', attempt, token, ttlMs: 60_000 });

  it('begins, records, reuses; an effect begun and never recorded is in doubt', async () => {
    // Attempt 1 began the effect and died (its lock has since passed to attempt 2).
    await client.set(`${jobKey}:lock`, 'token-1');
    expect(await run(1, 'token-1').begin('register')).toEqual({
      state: 'run',
      effectId: 'job-1:register',
      inDoubt: false,
    });
    await client.set(`${jobKey}:lock`, 'token-2');
    const second = run(2, 'token-2');
    expect(await second.begin('register')).toEqual({ state: 'run', effectId: 'job-1:register', inDoubt: true });
    expect(await second.complete('register', { id: 'm1', at: undefined })).toEqual({ id: 'm1' });
    expect(await run(3, 'token-2').begin('register')).toEqual({ state: 'done', result: { id: 'm1' } });
    // A late completion from a stale run does not overwrite the recorded result.
    expect(await run(1, 'token-1').complete('register', { id: 'other' })).toEqual({ id: 'm1' });
    expect(await second.complete('nothing', undefined)).toBeNull();
    expect(await client.pttl(`${jobKey}:effects`)).toBeGreaterThan(0);
  });

  it('a run that lost the job lock cannot begin an effect', async () => {
    await expect(run(1, 'token-1').begin('publish')).rejects.toBeInstanceOf(CancelledError);
    await expect(run(2, 'token-2').begin('')).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(run(2, 'token-2').complete('x', 10n)).rejects.toThrow(/JSON-serialisable/);
  });
});
