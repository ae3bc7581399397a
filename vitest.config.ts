import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources of every workspace package (no build first):
// the custom export condition `@candlelab/source` points each package at its `src/`.
export default defineConfig({
  resolve: { conditions: ['@candlelab/source'] },
  ssr: { resolve: { conditions: ['@candlelab/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    pool: 'forks',
    reporters: ['default', './scripts/summaryReporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
