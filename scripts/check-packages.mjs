#!/usr/bin/env node
// Checks what would be published, for every public package under packages/: publint (package.json
// and files) and attw (types resolve for ESM consumers under node16 and bundler resolution).
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

async function check(pkgDir, manifest) {
  const lines = [];
  let ok = true;
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
