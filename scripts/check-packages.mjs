#!/usr/bin/env node
// Checks what would be published, for every public package under packages/: publint (package.json
// and files) and attw (types resolve for ESM consumers under node16 and bundler resolution).
// Run after `pnpm build`. Exit 1 when any package has an error.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = process.cwd();
const attw = join(root, 'node_modules', '.bin', 'attw');
let failures = 0;
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkgDir = join(root, 'packages', dir);
  const manifestPath = join(pkgDir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.private) continue;
  const { messages } = await publint({ pkgDir, level: 'warning', strict: true });
  for (const message of messages)
    console.log(`${manifest.name}: publint ${message.type}: ${formatMessage(message, manifest)}`);
  if (messages.length > 0) failures++;
  try {
    execFileSync(attw, ['--pack', pkgDir, '--profile', 'esm-only', '--format', 'table-flipped', '--no-emoji'], {
      stdio: 'pipe',
    });
    console.log(`${manifest.name}: publint and attw passed`);
  } catch (error) {
    failures++;
    console.log(`${manifest.name}: attw failed\n${error.stdout?.toString() ?? ''}${error.stderr?.toString() ?? ''}`);
  }
}
if (failures > 0) {
  console.error(`package checks failed for ${failures} check(s)`);
  process.exit(1);
}
