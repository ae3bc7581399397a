import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ModelStore } from '@candlelab/registry';

/** How a command names its registry and (optionally) a strategy. */
export interface RegistrySelection {
  /** `--registry`: a folder or a `postgres://` URL. */
  registry?: string | undefined;
  /** `--strategy`: a strategy file, or (for `models list`) a strategy name. */
  strategy?: string | undefined;
}

/** The model store a command works on and the strategy name it selects, if any. */
export interface SelectedRegistry {
  store: ModelStore;
  /** The strategy's `name` when `--strategy` is a file, else the `--strategy` text itself. */
  strategyName: string | undefined;
}

/**
 * Opens the model store a command works on: `--registry` (a folder or a `postgres://` URL), else
 * the `registry.root` of the `--strategy` file, else `./models`. A `--strategy` that is not an
 * existing file is taken as a strategy name. Close the store when done.
 */
export async function registryFor(selection: RegistrySelection): Promise<SelectedRegistry> {
  const { openModelStore } = await import('@candlelab/registry');
  const strategy = selection.strategy;
  if (strategy === undefined || !existsSync(strategy)) {
    return { store: await openModelStore(selection.registry ?? 'models'), strategyName: strategy };
  }
  const { loadStrategy, registryLocation } = await import('@candlelab/pipeline');
  const { config, baseDir } = loadStrategy(resolve(strategy));
  return {
    store: await openModelStore(registryLocation(config, baseDir, selection.registry)),
    strategyName: config.name,
  };
}
