import { InvalidParameterError, JobFailedError } from '@candlelab/core';

/** Operations a kernel thread runs on its share of a leaf (numbers shared with the worker source below). */
export enum KernelOp {
  Stop = 0,
  BuildHistogram = 1,
  CountLeft = 2,
  Partition = 3,
  GatherPairs = 4,
}

/** Int32 slots per worker in the control block: the operation, up to 13 arguments, the result. */
const SLOTS = 16;
const RESULT = SLOTS - 1;
/** Control block header: [generation, finished workers, failed workers]. */
const GENERATION = 0;
const FINISHED = 1;
const FAILED = 2;
const HEADER = 3;
/** How long the calling thread waits for the workers before giving up on them. */
const WAIT_MS = 60_000;
/**
 * Polls of a control slot before a thread sleeps on it (some tens of microseconds). Handoffs come
 * every few hundred microseconds while a tree grows, and waking a sleeping thread can take as long
 * as the work handed over on a virtual machine, so both sides spin first; spinning much longer
 * (100,000 polls) burned more CPU and made two-thread runs on a 2-core machine less steady.
 */
const SPINS = 10_000;

/**
 * The worker's program (plain JavaScript, started from a string): instantiate the kernels on the
 * shared memory, then run one operation per generation of the control block until told to stop.
 * Works as a Web Worker and as a Node `worker_threads` worker.
 */
const WORKER_SOURCE = `
const run = ({ module, memory, control, index }) => {
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(control);
  const at = ${HEADER} + index * ${SLOTS};
  const a = (k) => ctl[at + 1 + k];
  let seen = 0;
  const finish = () => { Atomics.add(ctl, ${FINISHED}, 1); Atomics.notify(ctl, ${FINISHED}); };
  finish();
  for (;;) {
    for (let spin = 0; spin < ${SPINS} && Atomics.load(ctl, ${GENERATION}) === seen; spin++);
    Atomics.wait(ctl, ${GENERATION}, seen);
    seen = Atomics.load(ctl, ${GENERATION});
    const op = ctl[at];
    if (op === ${KernelOp.Stop}) return;
    try {
      let result = 0;
      if (op === ${KernelOp.BuildHistogram}) kernels.buildHistogram(a(0), a(1), a(2), a(3), a(4), a(5));
      else if (op === ${KernelOp.CountLeft}) result = kernels.countLeft(a(0), a(1), a(2), a(3), a(4), a(5), a(6));
      else if (op === ${KernelOp.Partition})
        result = kernels.partition(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9), a(10), a(11), a(12), a(13));
      else if (op === ${KernelOp.GatherPairs}) kernels.gatherPairs(a(0), a(1), a(2), a(3), a(4));
      ctl[at + ${RESULT}] = result;
    } catch {
      Atomics.add(ctl, ${FAILED}, 1);
    }
    finish();
  }
};
if (typeof self !== 'undefined' && typeof self.postMessage === 'function') self.onmessage = (event) => run(event.data);
else require('node:worker_threads').parentPort.once('message', run);
`;

/** What this module needs of a Web Worker or a Node `worker_threads` Worker. */
interface KernelWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => KernelWorker & { unref(): void };
}

/**
 * Starts a worker running `source`: a Web Worker where the runtime has them (browsers, Deno, Bun),
 * else Node's `worker_threads` (looked up with `process.getBuiltinModule`, Node ≥ 20.16), so the
 * package imports no Node module.
 */
function spawnWorker(source: string, threads: number): KernelWorker {
  const scope = globalThis as {
    Worker?: new (url: string) => KernelWorker;
    process?: { getBuiltinModule?(id: string): unknown };
  };
  if (typeof scope.Worker === 'function')
    return new scope.Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  const workerThreads = scope.process?.getBuiltinModule?.('node:worker_threads') as NodeWorkerThreads | undefined;
  if (!workerThreads)
    throw new InvalidParameterError(
      'threads',
      threads,
      'this runtime offers neither Web Workers nor node:worker_threads (Node ≥ 20.16)',
    );
  const worker = new workerThreads.Worker(source, { eval: true });
  worker.unref(); // never keeps a Node process alive
  return worker;
}

/** Throws when this thread cannot share memory or block (a browser page that is not cross-origin isolated, or its main thread). */
function checkThreadsAvailable(threads: number): void {
  if (typeof SharedArrayBuffer !== 'function')
    throw new InvalidParameterError(
      'threads',
      threads,
      'SharedArrayBuffer is unavailable (browsers need cross-origin isolation)',
    );
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    throw new InvalidParameterError(
      'threads',
      threads,
      'this thread cannot block (a browser main thread): train inside a Worker or use threads: 1',
    );
  }
}

/**
 * Worker threads that run kernel operations on a shared WebAssembly memory in lockstep with the
 * calling thread: {@link assign} each worker its share, then {@link run} starts them, does the
 * caller's share and blocks until every worker is done (so `fit` stays synchronous).
 */
export class KernelPool {
  private readonly control: Int32Array;

  private constructor(
    private readonly workers: KernelWorker[],
    control: SharedArrayBuffer,
  ) {
    this.control = new Int32Array(control);
  }

  /** `threads - 1` workers instantiating `module` on `memory` (the caller is the last thread). */
  static start(threads: number, module: object, memory: object): KernelPool {
    checkThreadsAvailable(threads);
    const count = threads - 1;
    const control = new SharedArrayBuffer(4 * (HEADER + count * SLOTS));
    const workers: KernelWorker[] = [];
    const pool = new KernelPool(workers, control);
    try {
      for (let index = 0; index < count; index++) {
        const worker = spawnWorker(WORKER_SOURCE, threads);
        workers.push(worker);
        worker.postMessage({ module, memory, control, index });
      }
      pool.awaitWorkers('start'); // each worker reports once it is ready
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  /** Worker threads besides the caller. */
  get size(): number {
    return this.workers.length;
  }

  /** Sets worker `index`'s next operation and its arguments. */
  assign(index: number, op: KernelOp, args: readonly number[] = []): void {
    const at = HEADER + index * SLOTS;
    this.control[at] = op;
    for (let k = 0; k < args.length; k++) this.control[at + 1 + k] = args[k]!;
  }

  /** Runs the assigned operations, `own` meanwhile on this thread, and waits for the workers. */
  run(own: () => void): void {
    Atomics.store(this.control, FINISHED, 0);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    own();
    this.awaitWorkers('run');
  }

  /** The value worker `index`'s last operation returned. */
  result(index: number): number {
    return this.control[HEADER + index * SLOTS + RESULT]!;
  }

  /** Stops and terminates the workers. */
  close(): void {
    for (let index = 0; index < this.workers.length; index++) this.assign(index, KernelOp.Stop);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) worker.terminate();
  }

  private awaitWorkers(phase: string): void {
    const count = this.workers.length;
    for (let spin = 0; spin < SPINS && Atomics.load(this.control, FINISHED) < count; spin++);
    const deadline = performance.now() + WAIT_MS;
    for (let done = Atomics.load(this.control, FINISHED); done < count; ) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.control, FINISHED, done, left) === 'timed-out')
        throw threadsFailed(phase, `the worker threads did not answer within ${WAIT_MS / 1000} s`);
      done = Atomics.load(this.control, FINISHED);
    }
    Atomics.store(this.control, FINISHED, 0);
    if (Atomics.exchange(this.control, FAILED, 0) > 0)
      throw threadsFailed(phase, 'a worker thread trapped in its kernel');
  }
}

function threadsFailed(phase: string, reason: string): JobFailedError {
  return new JobFailedError({ jobId: 'gbdt-kernel-threads', task: `gbdt ${phase}`, attempts: 1, reason });
}
