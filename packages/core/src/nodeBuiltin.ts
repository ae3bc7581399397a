import { CandlelabError } from './errors.js';

/**
 * A Node built-in module looked up at run time (`process.getBuiltinModule`, Node ≥ 20.16) instead
 * of imported, so a package that needs Node for one feature (files, worker threads) still bundles
 * and runs in a browser; `undefined` where the runtime has no such module (browsers). The caller
 * names the type: `nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises')`.
 */
export function nodeBuiltin<T>(id: `node:${string}`): T | undefined {
  const scope = globalThis as { process?: { getBuiltinModule?(id: string): unknown } };
  return scope.process?.getBuiltinModule?.(id) as T | undefined;
}

/**
 * {@link nodeBuiltin} for a feature that cannot work without it: throws a `CONFIG` error naming the
 * feature and the module where the runtime has none (`PPO.save needs Node's node:fs/promises …`).
 */
export function requireNodeBuiltin<T>(id: `node:${string}`, feature: string): T {
  const module = nodeBuiltin<T>(id);
  if (module === undefined)
    throw new CandlelabError(
      'CONFIG',
      `${feature} needs Node's ${id} (Node ≥ 20.16), which this runtime lacks; in a browser use the JSON form (toJSON / fromJSON)`,
    );
  return module;
}
