import { relative } from 'node:path';
import { buildSync } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

/**
 * The package's own modules reachable from `entryPaths` (relative imports followed, packages left
 * out), as paths relative to the package. Test helpers and fixtures nothing imports stay out of dist.
 */
function reachableModules(entryPaths: string[]): string[] {
  const { metafile } = buildSync({
    entryPoints: entryPaths,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    outdir: 'dist', // required for several entries; nothing is written
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(metafile.inputs)
    .map((file) => relative(process.cwd(), file).replaceAll('\\', '/'))
    .filter((file) => file.startsWith('src/'))
    .sort();
}

/**
 * The one build recipe every package uses: ESM only, declarations, source maps, entry points given
 * relative to the package's `src/`.
 *
 * JavaScript is emitted one file per source module (`bundle: false`), not as one bundle per entry:
 * with `"sideEffects": false` a user's bundler then drops every module the user's imports do not
 * reach. A single-file bundle defeats that, since one module's top-level code (a zod schema, say)
 * stays in every bundle of the package. Declarations are still rolled into one `.d.ts` per entry.
 */
export function packageBuildConfig(entries: string[] = ['index.ts'], overrides: Options = {}) {
  const entryPaths = entries.map((entry) => `src/${entry}`);
  return defineConfig({
    entry: reachableModules(entryPaths),
    bundle: false,
    format: ['esm'],
    dts: { entry: entryPaths },
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'neutral',
    ...overrides,
  });
}
