#!/usr/bin/env node
// Start-up time of `candlelab`, side by side: the CLI before this package (its sources at commit
// OLD_CLI_COMMIT, in @candlelab/pipeline, run through tsx as `pnpm candlelab` did), this CLI through
// tsx on its sources, the built bin (`node dist/cli.js`, what an installed CLI runs) and the
// workspace runner behind `pnpm candlelab` / `pnpm start` (file-time checks, then the built bin).
// Median wall time of RUNS runs after one warm-up run each; a variant that fails is reported and skipped.
// Usage (from the repo root, after `pnpm build` or one `pnpm candlelab --help`):
//   node packages/cli/bench/startup.mjs [runs]
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(dirname(cliDir));
const RUNS = Number(process.argv[2] ?? 5);
const built = join(cliDir, 'dist', 'cli.js');
if (!existsSync(built)) {
  console.error('build the CLI first: pnpm candlelab --help (or pnpm build)');
  process.exit(1);
}

/** The last commit with the CLI inside @candlelab/pipeline (packages/pipeline/src/cli.ts). */
const OLD_CLI_COMMIT = '21bb65a^';
const tsx = join(root, 'node_modules', '.bin', 'tsx');
// The old pipeline sources in a temporary folder, resolving packages through today's pipeline node_modules.
const oldTree = mkdtempSync(join(tmpdir(), 'candlelab-old-cli-'));
process.on('exit', () => rmSync(oldTree, { recursive: true, force: true }));
execSync(`git archive ${OLD_CLI_COMMIT} packages/pipeline | tar -x -C ${oldTree}`, { cwd: root });
symlinkSync(join(root, 'packages', 'pipeline', 'node_modules'), join(oldTree, 'packages', 'pipeline', 'node_modules'));

const variants = {
  'old CLI in pipeline, tsx': [
    tsx,
    '--conditions=@candlelab/source',
    join(oldTree, 'packages', 'pipeline', 'src', 'cli.ts'),
  ],
  'new CLI, tsx on sources': [tsx, '--conditions=@candlelab/source', join(cliDir, 'src', 'cli.ts')],
  'built bin (node dist/cli.js)': [process.execPath, built],
  'pnpm candlelab runner': [process.execPath, join(cliDir, 'scripts', 'runBuilt.mjs')],
};
const cases = {
  'candlelab --help': ['--help'],
  'candlelab validate --strategy strategies/btc-trend-gbdt.yaml': [
    'validate',
    '--strategy',
    'strategies/btc-trend-gbdt.yaml',
  ],
};

/** Wall time of one run in ms, or undefined when it fails (e.g. a workspace package mid-edit does not build). */
function timeRun(command, args) {
  const started = performance.now();
  const run = spawnSync(command[0], [...command.slice(1), ...args], { cwd: root, stdio: 'pipe' });
  const ms = performance.now() - started;
  if (run.status === 0) return ms;
  console.error(`${command.at(-1)} ${args.join(' ')} exited ${run.status}:\n${String(run.stderr).slice(0, 400)}`);
  return undefined;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

console.log(`median of ${RUNS} runs (ms), Node ${process.version}\n`);
for (const [name, args] of Object.entries(cases)) {
  const medians = {};
  for (const [variant, command] of Object.entries(variants)) {
    if (timeRun(command, args) === undefined) continue; // the warm-up run failed: skip this variant
    const times = Array.from({ length: RUNS }, () => timeRun(command, args));
    if (times.every((ms) => ms !== undefined)) medians[variant] = median(times);
  }
  const before = medians['old CLI in pipeline, tsx'];
  console.log(name);
  for (const variant of Object.keys(variants)) {
    const ms = medians[variant];
    const ratio = before === undefined ? '' : `   ${(before / ms).toFixed(1)}× as fast as the old CLI`;
    console.log(
      `  ${variant.padEnd(30)} ${ms === undefined ? 'failed (see above)' : `${ms.toFixed(0).padStart(6)} ms${ratio}`}`,
    );
  }
}
