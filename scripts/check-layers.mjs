#!/usr/bin/env node
// Enforces the layer table in layers.json over every package's source:
//  - a package imports only @candlelab packages of a strictly lower layer (never a sibling or a higher one);
//  - every package it imports (workspace or npm) is declared in its package.json (development files —
//    tests, benchmarks and a package's build scripts under scripts/ — may use devDependencies and
//    the root's devDependencies: the shared test tooling such as vitest and fast-check);
//  - the private test-utils package is imported only from tests and declared as a devDependency.
// Usage: node scripts/check-layers.mjs [repoRoot]   (exit 1 with one line per violation)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const root = process.argv[2] ?? process.cwd();
const { layers, private: privatePackages } = JSON.parse(readFileSync(join(root, 'layers.json'), 'utf8'));
const SCOPE = '@candlelab/';
const builtins = new Set(builtinModules);
const rootManifestPath = join(root, 'package.json');
const rootDevDeps = existsSync(rootManifestPath)
  ? (JSON.parse(readFileSync(rootManifestPath, 'utf8')).devDependencies ?? {})
  : {};
// Static imports and re-exports, dynamic imports, and side-effect imports (only at a statement's start, so
// text such as WebAssembly's `(import "env" "memory")` inside a string is not taken for one).
const IMPORT_PATTERN =
  /(?:^|[^.\w])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|;)[ \t]*import\s+['"]([^'"]+)['"]/gm;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(m?ts|tsx|m?js)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function packageNameOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? undefined : name;
}

/** Tests, benchmarks and build scripts: never part of a published package's runtime. */
const isTestFile = (path) => /\.test\.ts$|[\\/](test|bench|benchmarks|scripts)[\\/]/.test(path);
const violations = [];
const packagesDir = join(root, 'packages');
for (const dir of readdirSync(packagesDir)) {
  const manifestPath = join(packagesDir, dir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const short = manifest.name.replace(SCOPE, '');
  const isPrivate = privatePackages.includes(short);
  const layer = layers[short];
  if (layer === undefined && !isPrivate) {
    violations.push(`${manifest.name}: not in the layer table (layers.json)`);
    continue;
  }
  const runtimeDeps = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
  const allDeps = { ...rootDevDeps, ...runtimeDeps, ...manifest.devDependencies };
  for (const file of sourceFiles(join(packagesDir, dir))) {
    if (file.endsWith('tsup.config.ts')) continue;
    const text = readFileSync(file, 'utf8');
    const where = relative(root, file);
    const test = isTestFile(file);
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      const name = packageNameOf(specifier);
      if (!name || name === manifest.name) continue;
      const declared = test ? name in allDeps : name in runtimeDeps;
      if (!declared)
        violations.push(
          `${where}: imports '${name}' which ${manifest.name} does not declare${test ? '' : ' as a runtime/peer dependency'}`,
        );
      if (!name.startsWith(SCOPE) || isPrivate) continue;
      const target = name.replace(SCOPE, '');
      if (privatePackages.includes(target)) {
        if (!test) violations.push(`${where}: imports private package '${name}' outside tests`);
        continue;
      }
      const targetLayer = layers[target];
      if (targetLayer === undefined) violations.push(`${where}: imports '${name}', which is not in the layer table`);
      else if (targetLayer >= layer) {
        const relation = targetLayer === layer ? 'a sibling in the same layer' : 'a higher layer';
        violations.push(
          `${where}: ${manifest.name} (layer ${layer}) imports ${name} (layer ${targetLayer}), ${relation}`,
        );
      }
    }
  }
}

if (violations.length > 0) {
  console.error(`layer check failed: ${violations.length} violation(s)`);
  for (const line of violations) console.error(`  ${line}`);
  process.exit(1);
}
console.log('layer check passed');
