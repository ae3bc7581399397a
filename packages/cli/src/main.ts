import { createRequire } from 'node:module';
import { Command } from '@commander-js/extra-typings';
import type { CommandContext, Streams } from './commonOptions.js';
import { dataCommand } from './dataCommand.js';
import { healthCommand } from './healthCommand.js';
import { modelsCommand } from './modelsCommand.js';
import { optimizeCommand } from './optimizeCommand.js';
import { predictCommand } from './predictCommand.js';
import { EXIT, reportError } from './reportError.js';
import { retrainCommand } from './retrainCommand.js';
import { serveCommand } from './serveCommand.js';
import { backtestCommand, trainCommand, validateCommand } from './trainCommand.js';
import { workerCommand } from './workerCommand.js';

const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 unexpected error, 2 usage/config error, 3 data error,
            4 gates failed (train --require-gates) or promotion refused.

Run 'candlelab <command> --help' (or 'candlelab help <command>') for a command's options.`;

/**
 * The `candlelab` command tree. Building it loads no heavy module: each command imports what it
 * needs (pipeline, stores, TensorFlow.js, BullMQ…) only when it runs. `exit` receives the exit
 * code a command decides; parse errors are thrown (`exitOverride`) and mapped by {@link main}.
 */
export function createProgram(streams: Streams, exit: CommandContext['exit'], json = false): Command {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  const program = new Command('candlelab')
    .usage('<command> [options]')
    .description('Train, validate, backtest and version trading models from OHLCV candles.')
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError()
    .showHelpAfterError(json ? false : '(add --help for usage)')
    .configureHelp({ showGlobalOptions: false })
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      // With --json the error is reported as a JSON document by main() instead.
      outputError: (text, write) => {
        if (!json) write(text);
      },
    })
    .addHelpText('after', EXIT_CODES_HELP);
  const context: CommandContext = { streams, exit };
  for (const add of [
    trainCommand,
    validateCommand,
    backtestCommand,
    modelsCommand,
    predictCommand,
    optimizeCommand,
    dataCommand,
    workerCommand,
    retrainCommand,
    serveCommand,
    healthCommand,
  ])
    add(program, context);
  return program;
}

/** Whether the command line asks for JSON output (known before parsing, for parse errors). */
const wantsJson = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
};

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves with the exit code: 0 ok,
 * 1 unexpected failure, 2 usage or config error, 3 data error, 4 gates failed or promotion refused.
 */
export async function main(argv: readonly string[], streams: Streams = process): Promise<number> {
  const json = wantsJson(argv);
  let code: number = EXIT.ok;
  const program = createProgram(
    streams,
    (exitCode) => {
      code = exitCode;
    },
    json,
  );
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    return await reportError({ json, quiet: true, ...streams }, error);
  }
}
