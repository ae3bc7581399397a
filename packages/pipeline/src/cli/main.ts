import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CandlelabError, ConfigError, InvalidParameterError } from '@candlelab/core';
import { dataCommand } from './dataCommand.js';
import { modelsCommand } from './modelsCommand.js';
import { predictCommand } from './predictCommand.js';
import { retrainCommand } from './retrainCommand.js';
import { type Output, print } from './terminal.js';
import { trainCommand, validateCommand } from './trainCommand.js';
import { workerCommand } from './workerCommand.js';

/**
 * Exit codes: 0 success; 1 unexpected failure (a bug: the stack is printed); 2 bad usage or an
 * invalid config/parameter/input; 3 data could not be had (source, store, too few bars);
 * 4 a quality gate or promotion refused (with `--require-gates`, or `models promote`).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, data: 3, gates: 4 } as const;

const HELP = `candlelab — train, validate and serve trading models

Usage: candlelab <command> [options]

Commands:
  train     --strategy <file> [--symbol S]... [--no-register] [--require-gates]   run the whole chain and store the model
  validate  --strategy <file>                                    check a strategy file (no data, no training)
  backtest  --strategy <file> [--symbol S]...                    walk-forward + backtest of out-of-sample signals, nothing stored
  models    list [--strategy N] [--symbol S] [--stage X] | show <id> | promote <id> <stage>
  predict   --strategy <file> [--symbol S] [--model <id>]        latest model on the latest bars → signal with confidence
  data      fetch --strategy <file> | info --strategy <file>    load candles store-first / show what the store holds
  worker    [--queue NAME] [--redis URL] [--concurrency N]       pull training jobs from a Redis queue
  retrain   --strategy <file> --symbols A,B,… [--workers N | --redis URL]   train a universe, promote what passes the gates

Global options:
  --json       print one JSON document on stdout (for scripts), no progress
  --quiet      no progress output
  --registry   model registry folder (default: the strategy's registry.root, else ./models)
  -h, --help   this help

Exit codes: 0 ok, 1 unexpected error, 2 usage/config error, 3 data error, 4 gates failed / promotion refused.
`;

export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  registry: { type: 'string' },
  strategy: { type: 'string' },
  symbol: { type: 'string', multiple: true },
} as const;

export interface CommandContext {
  args: string[];
  out: Output;
}

const COMMANDS: Record<string, (context: CommandContext) => Promise<number>> = {
  train: trainCommand,
  validate: validateCommand,
  backtest: (context) => trainCommand(context, { backtestOnly: true }),
  models: modelsCommand,
  predict: predictCommand,
  data: dataCommand,
  worker: workerCommand,
  retrain: retrainCommand,
};

/** Runs the CLI; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  streams: Pick<Output, 'stdout' | 'stderr'> = process,
): Promise<number> {
  const [command, ...args] = argv;
  const json = args.includes('--json');
  const out: Output = { json, quiet: args.includes('--quiet'), stdout: streams.stdout, stderr: streams.stderr };
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    print(out, HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const run = COMMANDS[command];
  if (!run) {
    out.stderr.write(`candlelab: unknown command '${command}'\n\n${HELP}`);
    return EXIT.usage;
  }
  try {
    return await run({ args, out });
  } catch (error) {
    return reportError(out, error);
  }
}

/** Prints an error (as JSON with `--json`) and maps it to an exit code. */
export function reportError(out: Output, error: unknown): number {
  const code = exitCodeOf(error);
  if (out.json) {
    const body =
      error instanceof CandlelabError
        ? { error: { name: error.name, code: error.code, message: error.message, ...issuesOf(error) } }
        : { error: { name: 'Error', message: String((error as Error)?.message ?? error) } };
    print(out, JSON.stringify(body, null, 2));
  } else if (error instanceof CandlelabError) {
    out.stderr.write(`candlelab: ${error.message}\n`);
    for (const issue of issuesOf(error).issues ?? []) {
      out.stderr.write(
        `  - ${[issue.row === undefined ? undefined : `row ${issue.row}`, issue.field].filter(Boolean).join(', ')}: ${issue.reason}\n`,
      );
    }
  } else {
    out.stderr.write(`candlelab: unexpected error\n${(error as Error)?.stack ?? String(error)}\n`);
  }
  return code;
}

function issuesOf(error: CandlelabError): { issues?: Array<{ row?: number; field?: string; reason: string }> } {
  const issues = (error as { issues?: Array<{ row?: number; field?: string; reason: string }> }).issues;
  return issues ? { issues: [...issues] } : {};
}

function exitCodeOf(error: unknown): number {
  if (!(error instanceof CandlelabError)) {
    // parseArgs reports unknown or malformed options with these codes.
    const code = (error as { code?: string })?.code;
    return code?.startsWith('ERR_PARSE_ARGS') ? EXIT.usage : EXIT.failure;
  }
  switch (error.code) {
    case 'CONFIG':
    case 'VALIDATION':
    case 'INVALID_PARAMETER':
    case 'MODEL_FORMAT':
      return EXIT.usage;
    case 'DATA_SOURCE':
    case 'STORE':
    case 'NOT_ENOUGH_DATA':
      return EXIT.data;
    default:
      return EXIT.failure;
  }
}

/** Parses a command's options (common ones included); unknown options are usage errors. */
type CommandArgs<O extends NonNullable<ParseArgsConfig['options']>> = {
  args: string[];
  options: typeof COMMON_OPTIONS & O;
  allowPositionals: true;
  strict: true;
};

export function parseOptions<const O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
): ReturnType<typeof parseArgs<CommandArgs<O>>> {
  const all = { ...COMMON_OPTIONS, ...options } as typeof COMMON_OPTIONS & O;
  return parseArgs<CommandArgs<O>>({ args, options: all, allowPositionals: true, strict: true });
}

/** The `--strategy` file, required. */
export function requireStrategy(values: { strategy?: string | boolean | undefined }): string {
  if (typeof values.strategy !== 'string')
    throw new ConfigError('command line', [{ field: '--strategy', reason: 'required: the strategy YAML file' }]);
  return resolve(values.strategy);
}

export function requireArg(value: string | undefined, name: string): string {
  if (value === undefined) throw new InvalidParameterError(name, value, 'missing (see --help)');
  return value;
}
