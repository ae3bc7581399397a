#!/usr/bin/env node
// Installs candlelab like a published library: builds and packs every public package, installs the
// tarballs with plain npm into fresh projects OUTSIDE the workspace, and checks that
//  1. a downstream app (app/src/app.ts) typechecks and runs with `moduleResolution: nodenext`,
//  2. the same app typechecks and runs with `moduleResolution: bundler`,
//  3. every public package's entry point imports from a project that installs all of them,
//  4. the optional heavy runtimes, once installed, are found by the packages that use them,
//  5. browser bundles of the installed packages stay within their size budgets (bundleSizes.mjs),
// and prints the installed size of the app's node_modules with and without those runtimes.
//
// Usage: node integration/tarball/run.mjs [--no-build] [--keep]
//   --no-build  pack the existing dist/ folders (after `pnpm build`)
//   --keep      leave the temporary folder for inspection
// Needs the npm registry for the packages' third-party dependencies (zod, yaml, …).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const appDir = fileURLToPath(new URL('./app/', import.meta.url));
const args = new Set(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'candlelab-tarball-'));
const failures = [];

/** The optional heavy runtimes, at the ranges the packages declare as peer dependencies. */
const HEAVY = {
  '@duckdb/node-api': peerRange('data', '@duckdb/node-api'),
  pg: peerRange('data', 'pg'),
  ccxt: peerRange('data', 'ccxt'),
  '@tensorflow/tfjs-core': peerRange('nn', '@tensorflow/tfjs-core'),
  '@tensorflow/tfjs-backend-wasm': peerRange('nn', '@tensorflow/tfjs-backend-wasm'),
  bullmq: peerRange('jobs', 'bullmq'),
};
/** What the downstream app imports. */
const APP_PACKAGES = [
  'core',
  'data',
  'indicators',
  'features',
  'labels',
  'gbdt',
  'metrics',
  'validation',
  'backtest',
  'registry',
];

/** The node_modules folders of the heavy runtimes: the scope for scoped ones. */
function heavyFolders() {
  return [...new Set(Object.keys(HEAVY).map((name) => name.split('/')[0]))];
}

function peerRange(pkg, dep) {
  const manifest = JSON.parse(readFileSync(join(repo, 'packages', pkg, 'package.json'), 'utf8'));
  return manifest.peerDependencies[dep];
}

function run(command, argv, options = {}) {
  console.log(`$ ${command} ${argv.join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  return execFileSync(command, argv, { stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
}

/** Runs a step; a failure is recorded with its output and the script goes on to the next step. */
function step(name, fn) {
  console.log(`\n=== ${name}`);
  try {
    return fn();
  } catch (error) {
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n').trim();
    failures.push(`${name}: ${output || error.message}`);
    console.log(`FAILED: ${name}\n${output || error.message}`);
    return undefined;
  }
}

function duKb(dir) {
  return Number(run('du', ['-sk', dir], { capture: true }).split('\t')[0]);
}

const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;

// 1. Build and pack.
if (!args.has('--no-build'))
  step('build', () => run('pnpm', ['-r', '--filter', './packages/**', 'build'], { cwd: repo }));
const layers = JSON.parse(readFileSync(join(repo, 'layers.json'), 'utf8'));
const tarballs = {};
const tarballDir = join(work, 'tarballs');
mkdirSync(tarballDir);
for (const dir of readdirSync(join(repo, 'packages')).sort()) {
  const manifestPath = join(repo, 'packages', dir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.private || layers.private.includes(dir)) continue;
  step(`pack ${manifest.name}`, () => {
    const before = new Set(readdirSync(tarballDir));
    run('pnpm', ['pack', '--pack-destination', tarballDir], { cwd: join(repo, 'packages', dir), capture: true });
    const file = readdirSync(tarballDir).find((f) => !before.has(f));
    tarballs[manifest.name] = join(tarballDir, file);
    console.log(`${manifest.name} → ${file}`);
  });
}
const toolVersions = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies;

/**
 * A fresh npm project depending on `names` (as tarballs). Every @candlelab package resolves to its
 * tarball through `overrides`, so nothing of the scope is fetched from the registry.
 */
function createProject(name, names, extra = {}) {
  const dir = join(work, name);
  mkdirSync(dir);
  const dependencies = Object.fromEntries(names.map((n) => [n, `file:${tarballs[n]}`]));
  const overrides = Object.fromEntries(Object.entries(tarballs).map(([n, file]) => [n, `file:${file}`]));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name,
        private: true,
        type: 'module',
        dependencies: { ...dependencies, ...extra },
        devDependencies: { typescript: toolVersions.typescript, '@types/node': toolVersions['@types/node'] },
        overrides,
      },
      null,
      2,
    ),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  return dir;
}

const fixture = join(repo, 'fixtures', 'csv', 'GOOG.csv');
const appNames = APP_PACKAGES.map((p) => `@candlelab/${p}`);
const sizes = {};

// 2. The downstream app under each module resolution: a strict typecheck that includes the published
// declaration files (skipLibCheck false: every type they import must be installed), then a build
// (skipLibCheck true, as most projects compile) and a run.
for (const resolution of ['nodenext', 'bundler']) {
  const dir = step(`install the app's packages (${resolution} project)`, () => {
    const created = createProject(`app-${resolution}`, appNames);
    cpSync(join(appDir, 'src'), join(created, 'src'), { recursive: true });
    cpSync(join(appDir, `tsconfig.${resolution}.json`), join(created, 'tsconfig.json'));
    if (resolution === 'nodenext') {
      sizes.app = duKb(join(created, 'node_modules'));
      const tooling = ['typescript', '@types'].map((f) => duKb(join(created, 'node_modules', f)));
      sizes.appRuntime = sizes.app - tooling[0] - tooling[1];
    }
    return created;
  });
  if (dir === undefined) continue;
  const tsc = join(dir, 'node_modules', '.bin', 'tsc');
  step(`typecheck with the packages' declarations, moduleResolution ${resolution}`, () =>
    run(tsc, ['-p', 'tsconfig.json', '--noEmit', '--skipLibCheck', 'false'], { cwd: dir, capture: true }),
  );
  step(`build and run the app, moduleResolution ${resolution}`, () => {
    run(tsc, ['-p', 'tsconfig.json', '--skipLibCheck', 'true'], { cwd: dir, capture: true });
    const out = run(process.execPath, ['dist/app.js', fixture, 'GOOG'], { cwd: dir, capture: true });
    console.log(out.trim());
    if (!out.includes('DOWNSTREAM APP OK')) throw new Error('the app did not finish');
  });
}

// 3. Browser bundles (esbuild, minified) of typical imports from the installed packages, with size budgets.
step('browser bundle sizes from the installed packages', () => {
  const script = fileURLToPath(new URL('./bundleSizes.mjs', import.meta.url));
  console.log(run(process.execPath, [script, join(work, 'app-nodenext')], { capture: true }).trim());
});

// 4. The heavy optional runtimes, added to the nodenext app.
step('heavy optional runtimes', () => {
  const dir = join(work, 'app-nodenext');
  const specs = Object.entries(HEAVY).map(([n, range]) => `${n}@${range}`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd: dir });
  sizes.withHeavy = duKb(join(dir, 'node_modules'));
  // Scoped runtimes bring native or wasm siblings in their scope (@duckdb/node-bindings-*, @tensorflow/*).
  for (const folder of heavyFolders()) sizes[folder] = duKb(join(dir, 'node_modules', folder));
  const check = `
    import { DuckDbStore } from '@candlelab/data';
    const store = await DuckDbStore.open({ path: ':memory:' });
    await store.close();
    console.log('DuckDbStore opened from the installed peer');`;
  console.log(run(process.execPath, ['--input-type=module', '-e', check], { cwd: dir, capture: true }).trim());
});

// 5. Every public package imports from a project that installs all of them.
step('every public package imports', () => {
  const dir = createProject('all-packages', Object.keys(tarballs));
  const script = `
    const names = ${JSON.stringify(Object.keys(tarballs))};
    const failed = [];
    for (const name of names) {
      try { const m = await import(name); if (Object.keys(m).length === 0) failed.push(name + ': no exports'); }
      catch (error) { failed.push(name + ': ' + error.message.split('\\n')[0]); }
    }
    console.log(failed.length === 0 ? 'all ' + names.length + ' packages import' : failed.join('\\n'));
    if (failed.length > 0) process.exitCode = 1;`;
  console.log(run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, capture: true }).trim());
  sizes.allPackages = duKb(join(dir, 'node_modules'));
});

console.log('\n=== installed size (du -sk node_modules)');
if (sizes.app !== undefined)
  console.log(
    `downstream app (${APP_PACKAGES.length} packages): ${mb(sizes.app)}, of which ${mb(sizes.appRuntime)} at run time (without typescript and @types)`,
  );
if (sizes.withHeavy !== undefined) {
  console.log(`  + heavy optional runtimes: ${mb(sizes.withHeavy)}`);
  for (const folder of heavyFolders()) console.log(`      node_modules/${folder}: ${mb(sizes[folder])}`);
}
if (sizes.allPackages !== undefined) console.log(`every public package: ${mb(sizes.allPackages)}`);

if (args.has('--keep')) console.log(`\nkept ${work}`);
else rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`\n${failures.length} step(s) failed:\n- ${failures.map((f) => f.split('\n')[0]).join('\n- ')}`);
  process.exit(1);
}
console.log('\ntarball check passed');
