import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import type { CommandContext } from './commonOptions.js';
import { EXIT } from './reportError.js';

/** The program of `@candlelab/server` that `candlelab serve` runs. */
export const SERVE_BIN = 'candlelab-serve';

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * Where `candlelab-serve` is: `$CANDLELAB_SERVE_BIN` when set, else the first
 * `node_modules/.bin/candlelab-serve` in `roots` or any folder above them (a local install),
 * else the first on `$PATH` (a global install). Undefined when it is not installed.
 */
export function findServeBin(env: NodeJS.ProcessEnv, roots: readonly string[]): string | undefined {
  if (env.CANDLELAB_SERVE_BIN) return isFile(env.CANDLELAB_SERVE_BIN) ? resolve(env.CANDLELAB_SERVE_BIN) : undefined;
  const names = process.platform === 'win32' ? [`${SERVE_BIN}.cmd`, SERVE_BIN] : [SERVE_BIN];
  const folders: string[] = [];
  for (const root of roots)
    for (let dir = resolve(root); ; dir = dirname(dir)) {
      folders.push(join(dir, 'node_modules', '.bin'));
      if (dirname(dir) === dir) break;
    }
  folders.push(...(env.PATH ?? '').split(delimiter).filter(Boolean));
  for (const folder of folders) for (const name of names) if (isFile(join(folder, name))) return join(folder, name);
  return undefined;
}

/**
 * `candlelab serve`: runs `candlelab-serve` of `@candlelab/server` as a child process, like git
 * runs its subcommands — the CLI and the server are both top-layer packages, so neither imports
 * the other. Arguments pass through, the child's output is relayed, SIGINT/SIGTERM are forwarded
 * once (the child stops cleanly), and its exit code is the command's (128 + n when a signal ended it).
 * The child does not outlive the CLI: killed outright, the CLI cannot forward anything, so the
 * child watches for it (`serveChildWatch.mjs`) and stops itself.
 */
export function serveCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .summary('run promoted models on live candles with the HTTP API (needs @candlelab/server)')
    .description(
      `Runs ${SERVE_BIN} of @candlelab/server (npm install @candlelab/server): live candles, streaming signals, the predictions log, health and alerts, the HTTP API and dashboard, and the scheduled retrain, as set in the serve config. Further arguments go to ${SERVE_BIN}. Stops cleanly on Ctrl-C or SIGTERM. Set CANDLELAB_SERVE_BIN to run another ${SERVE_BIN}.`,
    )
    .option('-c, --config <file>', 'the serve YAML file', 'serve.yaml')
    // Every other argument and option goes to candlelab-serve as is.
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (options, command) => {
      const args = command.args;
      const bin = findServeBin(process.env, [process.cwd(), fileURLToPath(new URL('.', import.meta.url))]);
      if (bin === undefined) {
        context.streams.stderr.write(
          `candlelab serve needs the ${SERVE_BIN} program of @candlelab/server, which is not installed${process.env.CANDLELAB_SERVE_BIN ? ` (CANDLELAB_SERVE_BIN=${process.env.CANDLELAB_SERVE_BIN} is not a file)` : ''}.\nInstall it beside candlelab:\n\n  npm install @candlelab/server ccxt @duckdb/node-api\n`,
        );
        context.exit(EXIT.failure);
        return;
      }
      context.exit(await runChild(bin, ['--config', options.config, ...args], context));
    });
}

/**
 * The environment of the child: `serveChildWatch.mjs` preloaded into it (NODE_OPTIONS) with this
 * process's id, so a child whose parent died stops itself with SIGTERM.
 */
export function serveChildEnv(env: NodeJS.ProcessEnv, parentPid: number): NodeJS.ProcessEnv {
  // serveChildWatch.mjs sits at the package root, beside src/ and dist/.
  const preload = `--import=${pathToFileURL(fileURLToPath(new URL('../serveChildWatch.mjs', import.meta.url))).href}`;
  return {
    ...env,
    NODE_OPTIONS: env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${preload}` : preload,
    CANDLELAB_SERVE_PARENT: String(parentPid),
    CANDLELAB_SERVE_PRELOAD: preload,
  };
}

function runChild(bin: string, args: string[], context: CommandContext): Promise<number> {
  return new Promise((done) => {
    // Its own process group: a terminal's Ctrl-C reaches only this process, which forwards it once
    // (the server takes a second SIGINT as "exit without a clean stop"). The group does not follow
    // the CLI when it is killed outright, so the child watches its parent (serveChildEnv).
    const child = spawn(bin, args, {
      stdio: ['inherit', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      shell: process.platform === 'win32',
      env: serveChildEnv(process.env, process.pid),
    });
    child.stdout.pipe(context.streams.stdout, { end: false });
    child.stderr.pipe(context.streams.stderr, { end: false });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const finish = (code: number) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      done(code);
    };
    child.on('error', (error) => {
      context.streams.stderr.write(`candlelab serve: cannot run ${bin}: ${error.message}\n`);
      finish(EXIT.failure);
    });
    child.on('close', (code, signal) => finish(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}
