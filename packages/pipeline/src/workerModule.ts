import type { WorkerPoolOptions } from '@candlelab/jobs';

/**
 * How pool threads load one of this package's task modules (`name` without extension): from the
 * build, or — when the package runs from its TypeScript sources (tests, `tsx`) — through tsx
 * with the source condition.
 */
export function workerModule(name: string): Pick<WorkerPoolOptions, 'tasksModule' | 'register' | 'execArgv'> {
  const fromSources = import.meta.url.endsWith('.ts');
  const tasksModule = new URL(`./${name}${fromSources ? '.ts' : '.js'}`, import.meta.url);
  if (!fromSources) return { tasksModule };
  return { tasksModule, register: import.meta.resolve('tsx/esm/api'), execArgv: ['--conditions=@candlelab/source'] };
}
