// Speed-up of the worker-thread pool on this machine: the same CPU-bound seeded tasks on 1 and 2
// threads, against running them in the main thread. Usage: pnpm --filter @candlelab/jobs bench [tasks] [draws]
import { fileURLToPath } from 'node:url';
import { Rng } from '@candlelab/core';
import { WorkerPool } from '../src/WorkerPool.js';
import type { tasks } from '../test/poolTasks.js';

const taskCount = Number(process.argv[2] ?? 8);
const draws = Number(process.argv[3] ?? 4_000_000);
const payloads = Array.from({ length: taskCount }, (_, seed) => ({ seed, draws }));

function inMainThread(): number[] {
  return payloads.map(({ seed }) => {
    const rng = new Rng(seed);
    let sum = 0;
    for (let i = 0; i < draws; i++) sum += rng.normal();
    return sum;
  });
}

async function onPool(size: number): Promise<{ ms: number; results: number[] }> {
  const pool = new WorkerPool<typeof tasks>({
    tasksModule: fileURLToPath(new URL('../test/poolTasks.ts', import.meta.url)),
    register: import.meta.resolve('tsx/esm/api'),
    execArgv: ['--conditions=@candlelab/source'],
    size,
  });
  await pool.run('square', 1); // threads started and modules loaded before timing
  await pool.map(
    'square',
    Array.from({ length: size }, (_, i) => i),
  );
  const start = performance.now();
  const results = await pool.map('monteCarlo', payloads);
  const ms = performance.now() - start;
  await pool.close();
  return { ms, results };
}

const start = performance.now();
const reference = inMainThread();
const mainMs = performance.now() - start;
const one = await onPool(1);
const two = await onPool(2);
const same = (r: number[]) => r.every((v, i) => v === reference[i]);
console.log(`${taskCount} tasks × ${draws.toLocaleString()} normal draws`);
console.log('runner          ms      speed-up vs main   identical results');
console.log(`main thread  ${mainMs.toFixed(0).padStart(7)}   1.00×`);
console.log(
  `pool size 1  ${one.ms.toFixed(0).padStart(7)}   ${(mainMs / one.ms).toFixed(2)}×              ${same(one.results)}`,
);
console.log(
  `pool size 2  ${two.ms.toFixed(0).padStart(7)}   ${(mainMs / two.ms).toFixed(2)}×              ${same(two.results)}`,
);
console.log(
  `speed-up 2 threads / 1 thread: ${(one.ms / two.ms).toFixed(2)}× (machine has 2 cores; other load lowers it)`,
);
