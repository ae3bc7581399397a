import { CancelledError } from '@candlelab/core';
import { checkEffectKey, type EffectStart, effectId, effectResultJson, type JobEffects } from './JobEffects.js';

/** The subset of an ioredis client the ledger uses (BullMQ's worker connection). */
export interface EvalClient {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/**
 * Begins an effect, only while this run still holds the job's lock (a run whose lock lapsed and
 * whose job another worker took over must not start new effects). `s:<key>` holds the state
 * (`running:<attempt>` or `done`), `r:<key>` the recorded result as JSON.
 */
const BEGIN = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {'lost'} end
local state = redis.call('HGET', KEYS[1], 's:' .. ARGV[2])
if state == 'done' then return {'done', redis.call('HGET', KEYS[1], 'r:' .. ARGV[2])} end
redis.call('HSET', KEYS[1], 's:' .. ARGV[2], 'running:' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if state then return {'run', 'in-doubt'} end
return {'run', 'new'}
`;

/**
 * Records an effect completed. Not fenced by the lock: the effect has happened, and recording it
 * lets the run that now owns the job skip it. A completion recorded first by another run wins.
 */
const COMPLETE = `
if redis.call('HGET', KEYS[1], 's:' .. ARGV[1]) == 'done' then return redis.call('HGET', KEYS[1], 'r:' .. ARGV[1]) end
redis.call('HSET', KEYS[1], 's:' .. ARGV[1], 'done', 'r:' .. ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return ARGV[2]
`;

export interface RedisEffectsOptions {
  client: EvalClient;
  /** BullMQ's key of the job (`<prefix>:<queue>:<jobId>`); the ledger is `<jobKey>:effects`, the lock `<jobKey>:lock`. */
  jobKey: string;
  jobId: string;
  attempt: number;
  /** The lock token BullMQ gave this run of the job. */
  token: string;
  /** How long the ledger is kept after its last write, in ms. */
  ttlMs: number;
}

/** The effects of one run of a queue job, in a Redis hash beside the job and fenced by its lock. */
export function redisEffects(options: RedisEffectsOptions): JobEffects {
  const { client, jobKey, jobId, attempt, token, ttlMs } = options;
  const ledgerKey = `${jobKey}:effects`;
  const lockKey = `${jobKey}:lock`;
  return {
    begin: async (key): Promise<EffectStart> => {
      checkEffectKey(key);
      const [state, detail] = (await client.eval(BEGIN, 2, ledgerKey, lockKey, token, key, attempt, ttlMs)) as [
        string,
        string | null,
      ];
      if (state === 'lost')
        throw new CancelledError(`effect '${key}' of job ${jobId} (this worker lost the job's lock to another)`);
      if (state === 'done') return { state: 'done', result: JSON.parse(detail ?? 'null') };
      return { state: 'run', effectId: effectId(jobId, key), inDoubt: detail === 'in-doubt' };
    },
    complete: async (key, result) => {
      const json = effectResultJson(key, result);
      return JSON.parse((await client.eval(COMPLETE, 1, ledgerKey, key, json, ttlMs)) as string);
    },
  };
}
