export { type EffectStart, type JobEffects, memoryEffects } from './JobEffects.js';
export {
  JobQueue,
  type JobStatus,
  type QueueOptions,
  type QueueWorkerEvent,
  type QueueWorkerHandle,
  type QueueWorkerOptions,
  type RedisConnection,
  type SubmitOptions,
  startQueueWorker,
} from './JobQueue.js';
export {
  defineTasks,
  type EffectContext,
  type PayloadOf,
  type RemoteError,
  type ResultOf,
  type TaskContext,
  type TaskHandler,
  type TaskHandlers,
} from './tasks.js';
export { type PoolStats, type RunOptions, WorkerPool, type WorkerPoolOptions } from './WorkerPool.js';
