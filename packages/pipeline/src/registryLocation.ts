import { resolve } from 'node:path';
import { isPostgresLocation } from '@candlelab/registry';
import type { StrategyConfig } from './strategyConfig.js';

/**
 * Where a strategy's models live: `override` (a command's `--registry`), else `registry.root`;
 * a folder resolves from the strategy file's folder, a `postgres://` URL is kept as it is.
 */
export function registryLocation(config: StrategyConfig, baseDir: string, override?: string): string {
  const location = override ?? config.registry.root;
  return isPostgresLocation(location) ? location : resolve(baseDir, location);
}
