#!/usr/bin/env node
// Checks what would be published, for every public package under packages/: the metadata an npm user
// sees (license, repository, homepage, bugs, keywords, engines, an install section in the README),
// publint (package.json and files) and attw (types resolve for ESM consumers under node16 and bundler resolution).
// Run after `pnpm build`. Packages are checked a few at a time. Exit 1 when any package has an error.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const run = promisify(execFile);
const root = process.cwd();
const attw = join(root, 'node_modules', '.bin', 'attw');
const CONCURRENCY = 4;

/** What an npm user sees besides the code: metadata, the Node range ESM-only packages need, an install section. */
function metadataProblems(pkgDir, manifest) {
  const dir = pkgDir.split(/[\\/]/).pop();
  const problems = [];
  if (manifest.license !== 'MIT') problems.push('license is not MIT');
  if (manifest.repository?.directory !== `packages/${dir}` || !manifest.repository?.url)
    problems.push(`repository must name its url and directory packages/${dir}`);
  if (!manifest.homepage) problems.push('no homepage');
  if (!manifest.bugs?.url) problems.push('no bugs url');
  if (!(manifest.keywords?.length >= 3)) problems.push('fewer than 3 keywords');
  // ESM-only: CommonJS callers can require() it from Node 20.19 on.
  if (manifest.engines?.node !== '>=20.19')
    problems.push(`engines.node is ${manifest.engines?.node}, expected >=20.19`);
  if (manifest.scripts?.prepack !== 'node ../../scripts/copy-license.mjs')
    problems.push('no prepack that adds LICENSE');
  const readme = existsSync(join(pkgDir, 'README.md')) ? readFileSync(join(pkgDir, 'README.md'), 'utf8') : '';
  if (!/^## Install$/m.test(readme) || !readme.includes(`npm install ${manifest.name}`))
    problems.push(`README has no "## Install" section with \`npm install ${manifest.name}\``);
  return problems;
}

async function check(pkgDir, manifest) {
  const lines = [];
  let ok = true;
  for (const problem of metadataProblems(pkgDir, manifest)) {
    lines.push(`${manifest.name}: ${problem}`);
    ok = false;
  }
  const { messages } = await publint({ pkgDir, level: 'warning', strict: true });
  for (const message of messages)
    lines.push(`${manifest.name}: publint ${message.type}: ${formatMessage(message, manifest)}`);
  if (messages.length > 0) ok = false;
  try {
    await run(attw, ['--pack', pkgDir, '--profile', 'esm-only', '--format', 'table-flipped', '--no-emoji']);
  } catch (error) {
    ok = false;
    lines.push(`${manifest.name}: attw failed\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
  lines.push(`${manifest.name}: ${ok ? 'publint and attw passed' : 'FAILED'}`);
  return { ok, lines };
}

const queue = readdirSync(join(root, 'packages'))
  .sort()
  .map((dir) => join(root, 'packages', dir))
  .filter((pkgDir) => existsSync(join(pkgDir, 'package.json')))
  .map((pkgDir) => [pkgDir, JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))])
  .filter(([, manifest]) => !manifest.private);
let failures = 0;
const results = new Array(queue.length);
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < queue.length) {
      const index = next++;
      results[index] = await check(...queue[index]);
    }
  }),
);
for (const result of results) {
  for (const line of result.lines) console.log(line);
  if (!result.ok) failures++;
}
if (failures > 0) {
  console.error(`package checks failed for ${failures} package(s)`);
  process.exit(1);
}
