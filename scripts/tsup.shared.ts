import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every package uses: ESM only, declarations, source maps,
 * entry points given relative to the package's `src/`.
 */
export function packageBuildConfig(entries: string[] = ['index.ts'], overrides: Options = {}) {
  return defineConfig({
    entry: entries.map((entry) => `src/${entry}`),
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'neutral',
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
