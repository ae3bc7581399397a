#!/usr/bin/env node
// Browser bundle sizes of candlelab as installed from the packed tarballs: esbuild bundles a few
// typical imports (minified, platform browser) from a project's node_modules, so the published dist
// files, `exports` and `"sideEffects": false` are what is measured, as an app's bundler would see them.
// Exit 1 when a budget is exceeded or the RSI bundle computes a wrong value.
//
// Usage: node integration/tarball/bundleSizes.mjs <projectDir>
//   run.mjs passes its downstream app; `packages/pipeline` measures the workspace's dist/ folders.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const KiB = 1024;

/**
 * What is bundled, and the gzip budget in KiB where there is one. An entry without a budget is only
 * reported (features and gbdt build classic zod schemas at module load, so they carry its ~90 KiB gzip).
 */
const BUNDLE_CASES = {
  // One indicator: zod/mini's core and the indicator's own modules, nothing else.
  'indicators: { rsi }': {
    budget: 30,
    code: `import { rsi } from '@candlelab/indicators';
      const stream = rsi.stream({ period: 3 });
      let last = null;
      for (const close of [1, 2, 3, 2, 4, 5]) last = stream.update({ time: 0, open: close, high: close, low: close, close, volume: 1 });
      export const value = last;
      export const batch = Array.from(rsi.batch([1, 2, 3, 2, 4, 5], { period: 3 }));`,
  },
  // Every indicator and the registry: still no classic zod.
  'indicators: everything': { budget: 40, code: `export * from '@candlelab/indicators';` },
  // Plain functions of core leave its zod schemas (and zod) out.
  'core: { sliceBars, Rng }': { budget: 5, code: `export { sliceBars, Rng } from '@candlelab/core';` },
  'core: everything': { code: `export * from '@candlelab/core';` },
  'features: { StandardScaler }': { code: `export { StandardScaler } from '@candlelab/features';` },
  'features: everything': { code: `export * from '@candlelab/features';` },
  'gbdt: { Gbdt }': { code: `export { Gbdt } from '@candlelab/gbdt';` },
  'gbdt: everything': { code: `export * from '@candlelab/gbdt';` },
};

/** Minified ESM browser bundle of `code`, resolved from `projectDir`: its bytes and zod's share of them. */
async function bundle(projectDir, code) {
  const result = await build({
    stdin: { contents: code, resolveDir: projectDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  let zod = 0;
  for (const [file, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs))
    if (file.includes('node_modules/zod/')) zod += info.bytesInOutput;
  return { bytes, gzip: gzipSync(bytes).length, zod };
}

/** Runs the RSI bundle: its streaming value must equal the batch one and be a rising series' RSI. */
async function runRsiBundle(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'candlelab-rsi-bundle-'));
  try {
    const file = join(dir, 'rsi.mjs');
    writeFileSync(file, bytes);
    const { value, batch } = await import(pathToFileURL(file).href);
    if (value !== batch.at(-1) || !(value > 50))
      return [`indicators: { rsi } bundle computed stream ${value} and batch ${batch.at(-1)}`];
    return [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === undefined) {
  console.error('usage: node integration/tarball/bundleSizes.mjs <projectDir with the packages installed>');
  process.exit(2);
}
const projectDir = resolve(process.argv[2]);
const problems = [];
const lines = ['bundle                          minified        gzip   zod (minified)   budget (gzip)'];
const kib = (bytes) => `${(bytes / KiB).toFixed(1)} KiB`.padStart(11);
for (const [name, { budget, code }] of Object.entries(BUNDLE_CASES)) {
  const { bytes, gzip, zod } = await bundle(projectDir, code);
  lines.push(
    `${name.padEnd(28)} ${kib(bytes.length)} ${kib(gzip)}      ${kib(zod)}   ${budget ? `${budget} KiB` : '-'}`,
  );
  if (budget !== undefined && gzip > budget * KiB)
    problems.push(`${name}: ${(gzip / KiB).toFixed(1)} KiB gzip is over its ${budget} KiB budget`);
  if (name === 'indicators: { rsi }') problems.push(...(await runRsiBundle(bytes)));
}
console.log(lines.join('\n'));
if (problems.length > 0) {
  console.log(problems.join('\n'));
  process.exit(1);
}
