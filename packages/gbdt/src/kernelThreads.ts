import { InvalidParameterError, JobFailedError, nodeBuiltin } from '@candlelab/core';
import { kernelsModule, MAX_PAGES, PAGE, type WasmMemory, wasm } from './kernelsModule.js';

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
/** How long the calling thread waits for the workers (and for prepared Web Workers to start) before giving up on them. */
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

type WebWorkerConstructor = new (url: string) => KernelWorker;

/** The runtime's Web Worker class (browsers, Deno, Bun), if it has one. */
function webWorkerClass(): WebWorkerConstructor | undefined {
  const scope = globalThis as { Worker?: WebWorkerConstructor };
  return typeof scope.Worker === 'function' ? scope.Worker : undefined;
}

/** Workers running the kernels on one shared memory, driven through one control block. */
interface Crew {
  workers: KernelWorker[];
  memory: WasmMemory;
  control: SharedArrayBuffer;
}

/**
 * Web Workers started by {@link prepareGbdtThreads}, by thread count. In a browser a message
 * posted to a Worker is delivered only once the posting thread returns to its event loop, and
 * `fit` never does (it blocks on `Atomics.wait`): a Worker started or told its memory inside `fit`
 * would never answer. So these workers get their memory (growable up to 4 GiB) and control block
 * ahead, and between fits they sleep on the control block; a fit only grows the memory and hands
 * them work through it.
 */
const prepared = new Map<number, Crew & { busy: boolean }>();

/**
 * Starts the Web Workers that `fit` with `threads > 1` needs where the runtime has Web Workers (a
 * browser Worker of a cross-origin-isolated page; Deno, Bun): `threads - 1` of them, kept for
 * every later fit with this `threads` on this thread. Await it before the first such fit — `fit`
 * throws otherwise, instead of waiting for workers that cannot start. Resolves at once in Node,
 * where `fit` starts `worker_threads` itself.
 */
export async function prepareGbdtThreads(threads: number): Promise<void> {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new InvalidParameterError('threads', threads, 'expected an integer in [1, 256]');
  const Worker = webWorkerClass();
  if (!Worker || threads === 1 || prepared.has(threads)) return;
  checkThreadsAvailable(threads);
  const count = threads - 1;
  const crew: Crew = {
    workers: [],
    memory: new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }),
    control: new SharedArrayBuffer(4 * (HEADER + count * SLOTS)),
  };
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  try {
    const module = kernelsModule(true);
    for (let index = 0; index < count; index++) {
      const worker = new Worker(url);
      crew.workers.push(worker);
      worker.postMessage({ module, memory: crew.memory, control: crew.control, index });
    }
    // Each worker counts itself in once running; yielding to the event loop lets the messages go.
    const finished = new Int32Array(crew.control);
    const deadline = performance.now() + WAIT_MS;
    while (Atomics.load(finished, FINISHED) < count) {
      if (performance.now() > deadline)
        throw threadsFailed('start', `the Web Workers did not start within ${WAIT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    Atomics.store(finished, FINISHED, 0);
  } catch (error) {
    for (const worker of crew.workers) worker.terminate();
    throw error;
  } finally {
    URL.revokeObjectURL(url);
  }
  prepared.set(threads, { ...crew, busy: false });
}

/** Terminates the Web Workers {@link prepareGbdtThreads} started on this thread (a no-op elsewhere). */
export function releaseGbdtThreads(): void {
  for (const crew of prepared.values()) for (const worker of crew.workers) worker.terminate();
  prepared.clear();
}

/**
 * The crew of one fit of `pages` memory pages: the prepared Web Workers where the runtime has Web
 * Workers, their memory grown to `pages` and cleared; else Node `worker_threads` started now on a
 * new memory (looked up with core's `nodeBuiltin`, so the package imports no Node module).
 */
function hireCrew(threads: number, module: object, pages: number): Crew & { web: boolean } {
  if (webWorkerClass()) {
    const crew = prepared.get(threads);
    if (!crew || crew.busy)
      throw new InvalidParameterError(
        'threads',
        threads,
        crew
          ? 'the prepared workers are busy with another fit on this thread'
          : `in a browser a Worker runs only once this thread returns to its event loop, which the synchronous fit does not: await prepareGbdtThreads(${threads}) before fit`,
      );
    const grow = pages - crew.memory.buffer.byteLength / PAGE;
    if (grow > 0) crew.memory.grow(grow);
    new Uint8Array(crew.memory.buffer, 0, pages * PAGE).fill(0); // as a new memory would be
    crew.busy = true;
    return { ...crew, web: true };
  }
  const workerThreads = nodeBuiltin<NodeWorkerThreads>('node:worker_threads');
  if (!workerThreads)
    throw new InvalidParameterError(
      'threads',
      threads,
      'this runtime offers neither Web Workers nor node:worker_threads (Node ≥ 20.16)',
    );
  const count = threads - 1;
  const crew = {
    workers: [] as KernelWorker[],
    memory: new wasm.Memory({ initial: pages, maximum: pages, shared: true }),
    control: new SharedArrayBuffer(4 * (HEADER + count * SLOTS)),
    web: false,
  };
  try {
    for (let index = 0; index < count; index++) {
      const worker = new workerThreads.Worker(WORKER_SOURCE, { eval: true });
      worker.unref(); // never keeps a Node process alive
      crew.workers.push(worker);
      worker.postMessage({ module, memory: crew.memory, control: crew.control, index });
    }
  } catch (error) {
    for (const worker of crew.workers) worker.terminate();
    throw error;
  }
  return crew;
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
  /** False once the workers missed a deadline or trapped: they are then terminated, never reused. */
  private healthy = true;

  private constructor(
    private readonly threads: number,
    private readonly crew: Crew & { web: boolean },
  ) {
    this.control = new Int32Array(crew.control);
  }

  /**
   * `threads - 1` workers running the shared kernels `module` on a shared memory of at least
   * `pages` pages ({@link memory}); the caller is the last thread.
   */
  static start(threads: number, module: object, pages: number): KernelPool {
    checkThreadsAvailable(threads);
    const pool = new KernelPool(threads, hireCrew(threads, module, pages));
    if (!pool.crew.web) {
      try {
        pool.awaitWorkers('start'); // each Node worker reports once it is ready
      } catch (error) {
        pool.close();
        throw error;
      }
    }
    return pool;
  }

  /** The shared memory the workers run on. */
  get memory(): WasmMemory {
    return this.crew.memory;
  }

  /** Worker threads besides the caller. */
  get size(): number {
    return this.crew.workers.length;
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

  /**
   * Ends the fit's use of the workers: prepared Web Workers go back to sleep on the control block
   * for the next fit; Node workers (and workers that failed) are stopped and terminated.
   */
  close(): void {
    const { workers, web } = this.crew;
    if (web && this.healthy) {
      prepared.get(this.threads)!.busy = false;
      return;
    }
    for (let index = 0; index < workers.length; index++) this.assign(index, KernelOp.Stop);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of workers) worker.terminate();
    if (web) prepared.delete(this.threads);
  }

  private awaitWorkers(phase: string): void {
    const count = this.crew.workers.length;
    for (let spin = 0; spin < SPINS && Atomics.load(this.control, FINISHED) < count; spin++);
    const deadline = performance.now() + WAIT_MS;
    for (let done = Atomics.load(this.control, FINISHED); done < count; ) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.control, FINISHED, done, left) === 'timed-out') {
        this.healthy = false;
        throw threadsFailed(phase, `the worker threads did not answer within ${WAIT_MS / 1000} s`);
      }
      done = Atomics.load(this.control, FINISHED);
    }
    Atomics.store(this.control, FINISHED, 0);
    if (Atomics.exchange(this.control, FAILED, 0) > 0) {
      this.healthy = false;
      throw threadsFailed(phase, 'a worker thread trapped in its kernel');
    }
  }
}

function threadsFailed(phase: string, reason: string): JobFailedError {
  return new JobFailedError({ jobId: 'gbdt-kernel-threads', task: `gbdt ${phase}`, attempts: 1, reason });
}
