import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));

// Integration checks that run outside the unit suite (`pnpm vitest run --config integration/vitest.config.ts`).
// Code under integration/ is not a workspace package: `@candlelab/<name>` resolves to the package's
// TypeScript sources, as it does for the packages' own tests.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@candlelab\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
      // A subpath export (`@candlelab/signals/aggregate`) is the package's `src/<subpath>.ts`.
      { find: /^@candlelab\/([a-z-]+)\/([A-Za-z-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
    ],
    conditions: ['@candlelab/source'],
  },
  ssr: { resolve: { conditions: ['@candlelab/source'] } },
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['integration/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
