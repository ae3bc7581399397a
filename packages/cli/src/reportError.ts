import type { CandlelabError } from '@candlelab/core';
import { CommanderError } from '@commander-js/extra-typings';
import { type Output, print } from './terminal.js';

/**
 * Exit codes: 0 success; 1 unexpected failure (a bug: the stack is printed); 2 bad usage (unknown
 * or missing option, bad argument) or an invalid config/parameter/input; 3 data could not be had
 * (source, store, too few bars); 4 a quality gate failed (`train --require-gates`) or a promotion
 * was refused.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, data: 3, gates: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface Issue {
  row?: number;
  field?: string;
  reason: string;
}

/**
 * Prints an error and maps it to an exit code. With `--json` it is one JSON document
 * `{ error: { name, code, message, issues?, option? } }` on stdout; otherwise a message on stderr
 * (the stack only for unexpected errors, which are bugs).
 */
export async function reportError(out: Output, error: unknown): Promise<ExitCode> {
  const code = await exitCodeOf(error);
  if (error instanceof CommanderError) {
    // Commander has already written its message on stderr unless in JSON mode.
    const message = error.message.replace(/^error: /, '');
    const option = /'(--?[\w-]+)/.exec(message)?.[1];
    if (out.json && code !== EXIT.ok)
      print(
        out,
        JSON.stringify(
          { error: { name: 'UsageError', code: error.code, message, ...(option ? { option } : {}) } },
          null,
          2,
        ),
      );
    return code;
  }
  const typed = await asCandlelabError(error);
  if (out.json) {
    const body = typed
      ? { error: { name: typed.name, code: typed.code, message: typed.message, ...issuesOf(typed) } }
      : { error: { name: 'Error', message: String((error as Error)?.message ?? error) } };
    print(out, JSON.stringify(body, null, 2));
  } else if (typed) {
    out.stderr.write(`candlelab: ${typed.message}\n`);
    for (const issue of issuesOf(typed).issues ?? []) {
      const where = [issue.row === undefined ? undefined : `row ${issue.row}`, issue.field].filter(Boolean).join(', ');
      out.stderr.write(`  - ${where}: ${issue.reason}\n`);
    }
  } else {
    out.stderr.write(`candlelab: unexpected error\n${(error as Error)?.stack ?? String(error)}\n`);
  }
  return code;
}

function issuesOf(error: CandlelabError): { issues?: Issue[] } {
  const issues = (error as { issues?: readonly Issue[] }).issues;
  return issues ? { issues: [...issues] } : {};
}

/** `error` when it is one of candlelab's typed errors (core is loaded only when an error is reported). */
async function asCandlelabError(error: unknown): Promise<CandlelabError | undefined> {
  if (!(error instanceof Error)) return undefined;
  const { CandlelabError } = await import('@candlelab/core');
  return error instanceof CandlelabError ? error : undefined;
}

/** The exit code of an error thrown by the argument parser or a command. */
export async function exitCodeOf(error: unknown): Promise<ExitCode> {
  if (error instanceof CommanderError) {
    // `--help`, `help <command>` and `--version` exit 0; a command group called without its
    // subcommand shows its help as an error (exit code 1 in commander), which is bad usage here.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const typed = await asCandlelabError(error);
  switch (typed?.code) {
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
