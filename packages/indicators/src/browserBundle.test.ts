import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The same budget is checked on the published files (dist/ from the packed tarball) by
// integration/tarball/bundleSizes.mjs, in `pnpm test:tarball` after the build.

/** Minified ESM browser bundle of `entry` (resolved from this package's sources), with its metafile. */
async function bundle(entry: string) {
  const result = await build({
    stdin: { contents: entry, resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['@candlelab/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const zodBytes = Object.entries(result.metafile.outputs)[0]![1].inputs;
  let zod = 0;
  for (const [file, info] of Object.entries(zodBytes)) if (file.includes('node_modules/zod')) zod += info.bytesInOutput;
  return { code, gzip: gzipSync(code).length, zod };
}

describe('browser bundles (esbuild)', () => {
  it('an RSI-only bundle stays under 30 KB gzip (zod/mini, unused indicators shaken out) and runs', async () => {
    const { code, gzip, zod } = await bundle(`
      import { rsi } from './index.js';
      const stream = rsi.stream({ period: 3 });
      let last = null;
      for (const close of [1, 2, 3, 2, 4, 5]) last = stream.update({ time: 0, open: close, high: close, low: close, close, volume: 1 });
      export const value = last;
      export const batch = Array.from(rsi.batch([1, 2, 3, 2, 4, 5], { period: 3 }));
    `);
    expect(gzip).toBeLessThanOrEqual(30 * 1024);
    expect(zod).toBeLessThan(40 * 1024); // zod/mini's core, not the 450 KB classic build
    const text = new TextDecoder().decode(code);
    // Modules the entry does not use are left out (candlestick patterns, volume indicators).
    expect(text.includes('threeBlackCrows')).toBe(false);
    expect(text.includes('vwapRolling')).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'candlelab-bundle-'));
    try {
      const file = join(dir, 'rsi.mjs');
      writeFileSync(file, code);
      const module = (await import(pathToFileURL(file).href)) as { value: number; batch: number[] };
      expect(module.value).toBe(module.batch.at(-1));
      expect(module.value).toBeGreaterThan(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('invalid parameters still throw the typed error naming the parameter in a bundle', async () => {
    const { code } = await bundle(`
      import { sma } from './index.js';
      export let message = '';
      try { sma.batch([1, 2, 3], { period: 0 }); } catch (error) { message = error.code + ': ' + error.message; }
    `);
    const dir = mkdtempSync(join(tmpdir(), 'candlelab-bundle-'));
    try {
      const file = join(dir, 'sma.mjs');
      writeFileSync(file, code);
      const { message } = (await import(pathToFileURL(file).href)) as { message: string };
      expect(message).toMatch(/^INVALID_PARAMETER: .*'period'.*must be >= 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
