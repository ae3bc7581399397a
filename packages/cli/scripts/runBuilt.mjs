#!/usr/bin/env node
// Runs the built `candlelab` CLI from the workspace (root `pnpm start` / `pnpm candlelab`), first
// rebuilding the JavaScript of the CLI and of every workspace package it depends on whose
// sources are newer than their build. When everything is built this costs a few milliseconds of
// file-time checks; a stale package costs one esbuild run (via tsup, declarations skipped: they
// are not needed to run, and `pnpm build` regenerates them).
// Usage: node packages/cli/scripts/runBuilt.mjs [candlelab arguments]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cliDir = dirname(dirname(fileURLToPath(import.meta.url)));
const packagesDir = dirname(cliDir);
const sharedBuildConfig = join(dirname(packagesDir), 'scripts', 'tsup.shared.ts');
const SCOPE = '@candlelab/';

/** Workspace packages the CLI needs at run time, dependencies before dependents. */
function buildOrder() {
  const manifests = new Map();
  for (const dir of readdirSync(packagesDir)) {
    const path = join(packagesDir, dir, 'package.json');
    if (existsSync(path)) manifests.set(JSON.parse(readFileSync(path, 'utf8')).name, join(packagesDir, dir));
  }
  const order = [];
  const visit = (name) => {
    const dir = manifests.get(name);
    if (dir === undefined || order.some((entry) => entry.name === name)) return;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dependency of Object.keys(manifest.dependencies ?? {}))
      if (dependency.startsWith(SCOPE)) visit(dependency);
    order.push({ name, dir });
  };
  visit(`${SCOPE}cli`);
  return order;
}

/** Newest modification time among a package's build inputs (sources without tests, manifest, build config). */
function newestInput(dir) {
  let newest = Math.max(statSync(sharedBuildConfig).mtimeMs, statSync(join(dir, 'package.json')).mtimeMs);
  const config = join(dir, 'tsup.config.ts');
  if (existsSync(config)) newest = Math.max(newest, statSync(config).mtimeMs);
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!/\.test\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(dir, 'src'));
  return newest;
}

/** Oldest modification time among a package's built JavaScript, or -Infinity when it was never built. */
function oldestOutput(dir) {
  const dist = join(dir, 'dist');
  if (!existsSync(dist)) return Number.NEGATIVE_INFINITY;
  const outputs = readdirSync(dist).filter((name) => name.endsWith('.js'));
  if (outputs.length === 0) return Number.NEGATIVE_INFINITY;
  return Math.min(...outputs.map((name) => statSync(join(dist, name)).mtimeMs));
}

const stale = buildOrder().filter(({ dir }) => newestInput(dir) > oldestOutput(dir));
if (stale.length > 0) {
  const started = performance.now();
  // One process per package: tsup resolves entries from the working directory it started in.
  // Options given to build() override the package's tsup.config.ts; esbuild prints its errors.
  const script =
    "const { build } = await import('tsup'); await build({ dts: false, clean: false, silent: true }).catch(() => process.exit(1));";
  for (const { name, dir } of stale) {
    const built = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, stdio: 'inherit' });
    if (built.status !== 0) {
      console.error(`candlelab: building ${name} failed (see above)`);
      process.exit(1);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`candlelab: rebuilt ${stale.map(({ name }) => name.replace(SCOPE, '')).join(', ')} in ${seconds} s`);
}

// The bin reads process.argv.slice(2), which are this script's arguments: run it in this process.
await import(pathToFileURL(join(cliDir, 'dist', 'cli.js')).href);
