import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** How a child process ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A TypeScript program from the workspace sources running as a child process (see {@link startSourceProcess}). */
export interface SourceProcess {
  /** The node process itself (not a tsx wrapper), so that a kill — SIGKILL too — reaches the program. */
  proc: ChildProcessByStdio<null, Readable, Readable>;
  /** Everything it has written to stdout so far. */
  stdout(): string;
  /** Everything it has written to stderr so far. */
  stderr(): string;
  /** The complete lines it has written to stdout so far: how the test children report progress. */
  lines(): string[];
  /** Settles once it has ended and its output has been read to the end. */
  exit: Promise<ProcessExit>;
  /** The match of `pattern` in `stream`'s output, as soon as it appears; rejects with stderr if the process ends first. */
  waitForOutput(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray>;
  /** Its first `count` stdout lines, as soon as they are complete; rejects with stderr if the process ends first. */
  waitForLines(count: number): Promise<string[]>;
}

/**
 * Runs `script` (a .ts file of the workspace) with `args` as its own node process, loading the
 * workspace packages from their sources (the `@candlelab/source` condition) through tsx, with the
 * repo root as working directory and `env` added to this process's environment. Its stdout and
 * stderr are collected; for tests that kill, restart or talk to a real process.
 */
export function startSourceProcess(
  script: string,
  args: readonly string[],
  { env = {} }: { env?: NodeJS.ProcessEnv } = {},
): SourceProcess {
  const proc = spawn(process.execPath, ['--conditions=@candlelab/source', '--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  let ended = false;
  // Each pending wait re-checks its condition on new output, and gives up once the output is complete.
  const waits = new Set<() => void>();
  const recheck = () => {
    for (const wait of waits) wait();
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    proc[stream].setEncoding('utf8');
    proc[stream].on('data', (chunk: string) => {
      output[stream] += chunk;
      recheck();
    });
  }
  const exit = new Promise<ProcessExit>((resolve) =>
    proc.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
      recheck();
    }),
  );
  const lines = () => output.stdout.split('\n').slice(0, -1);

  function waitUntil<T>(found: () => T | undefined, awaited: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const wait = () => {
        const result = found();
        if (result === undefined && !ended) return;
        waits.delete(wait);
        if (result !== undefined) resolve(result);
        else reject(new Error(`${basename(script)} ended before ${awaited}; its stderr:\n${output.stderr}`));
      };
      waits.add(wait);
      wait();
    });
  }

  return {
    proc,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    lines,
    exit,
    waitForOutput: (stream, pattern) =>
      waitUntil(() => pattern.exec(output[stream]) ?? undefined, `its ${stream} matched ${pattern}`),
    waitForLines: (count) =>
      waitUntil(() => {
        const complete = lines();
        return complete.length >= count ? complete.slice(0, count) : undefined;
      }, `it wrote ${count} lines`),
  };
}
