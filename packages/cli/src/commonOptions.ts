import { type Command, InvalidArgumentError, type OptionValues } from '@commander-js/extra-typings';
import type { Output } from './terminal.js';

/** Where a command writes (the process's streams, or test captures). */
export type Streams = Pick<Output, 'stdout' | 'stderr'>;

/** What every command action receives besides its own arguments and options. */
export interface CommandContext {
  streams: Streams;
  /** Records the command's exit code (the default is 0). */
  exit: (code: number) => void;
}

/** `--json` and `--quiet`, which every command takes. */
export function withOutputOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option('--json', 'print one JSON document on stdout (results, and errors too), no progress')
    .option('--quiet', 'no progress output on stderr');
}

/** `--registry <dir-or-url>`, for the commands that read or write models. */
export function withRegistryOption<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command.option(
    '--registry <dir-or-url>',
    "model registry: a folder or a postgres:// URL (default: the strategy's registry.root, else ./models)",
  );
}

/** The output of a command from its `--json` / `--quiet` options. */
export function outputOf(streams: Streams, options: { json?: true; quiet?: true }): Output {
  return { json: options.json === true, quiet: options.quiet === true, ...streams };
}

/** Argument parser of a repeatable option: `--symbol A --symbol B` → `['A', 'B']`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Argument parser of a positive integer option (a usage error, exit 2, otherwise). */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a positive integer');
  return number;
}
