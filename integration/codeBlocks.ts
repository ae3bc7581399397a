// The one harness for Markdown code examples (docs/ guides and package READMEs): extract the ```ts blocks,
// typecheck them against the packages' sources with errors located at the Markdown line, and run them.
//
// Every ```ts block is a complete program (its imports included) and is typechecked and run, unless the
// line before its fence (blank lines between are allowed) is a marker:
//   <!-- not-runnable: reason -->   neither typechecked nor run; the reason says why (keep these few)
//   <!-- requires: postgres -->     run only when the service is reachable on 127.0.0.1 (postgres, redis)
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { portReachable } from '@candlelab/test-utils';
import { vi } from 'vitest';

/** Services a block may require, with the port they listen on at 127.0.0.1. */
export const SERVICES = { postgres: 5432, redis: 6379 } as const;
export type Service = keyof typeof SERVICES;

export interface MarkdownBlock {
  /** 1-based line of the block's first code line in the Markdown file. */
  line: number;
  code: string;
  /** Why the block is neither typechecked nor run (`<!-- not-runnable: reason -->`). */
  notRunnable?: string;
  /** A service the block connects to (`<!-- requires: postgres -->`). */
  requires?: Service;
}

export interface CodeBlock extends MarkdownBlock {
  /** `docs/guides/data.md:42` — where the block's code starts. */
  where: string;
  /** The Markdown file, relative to the repository root. */
  markdown: string;
  /** The generated `.ts` file the block is written to. */
  file: string;
}

const MARKER = /^<!--\s*(not-runnable|requires):\s*(.*?)\s*-->$/;

/** The ```ts fenced blocks of a Markdown text, with the line their code starts on and their marker. */
export function tsBlocks(markdown: string): MarkdownBlock[] {
  const out: MarkdownBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    const block: MarkdownBlock = { line: start + 1, code: `${lines.slice(start, end).join('\n')}\n` };
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const marker = before >= 0 ? MARKER.exec(lines[before]!.trim()) : null;
    if (marker?.[1] === 'not-runnable') {
      if (marker[2] === '') throw new Error(`line ${i + 1}: a not-runnable marker must give its reason`);
      block.notRunnable = marker[2];
    } else if (marker?.[1] === 'requires') {
      if (!(marker[2]! in SERVICES)) {
        throw new Error(`line ${i + 1}: requires '${marker[2]}', expected one of ${Object.keys(SERVICES).join(', ')}`);
      }
      block.requires = marker[2] as Service;
    }
    out.push(block);
    i = end;
  }
  return out;
}

/**
 * Writes the blocks that are not marked not-runnable to their files (the typecheck's input), after
 * removing the `*.generated.ts` files an interrupted run left in `dir`.
 */
export function writeBlocks(dir: string, blocks: readonly CodeBlock[]): void {
  for (const name of readdirSync(dir)) if (name.endsWith('.generated.ts')) rmSync(join(dir, name));
  for (const block of blocks) if (block.notRunnable === undefined) writeFileSync(block.file, block.code);
}

/**
 * Runs tsc on a project whose `include` is the generated files; returns its errors with each location
 * rewritten to the Markdown line (`readme-core.0.generated.ts(3,7): error …` → `packages/core/README.md:33:7: error …`),
 * or '' when the blocks typecheck.
 */
export function typecheckBlocks(tsconfig: string, blocks: readonly CodeBlock[]): string {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], { encoding: 'utf8' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  return output.replace(/^(?:.*[\\/])?([\w-]+\.\d+\.generated\.ts)\((\d+),(\d+)\)/gm, (match, name, row, col) => {
    const block = blocks.find((b) => b.file.endsWith(`/${name}`) || b.file.endsWith(`\\${name}`));
    return block ? `${block.markdown}:${block.line + Number(row) - 1}:${col}` : match;
  });
}

/** Whether a required service is reachable; the reason to skip the block when it is not. */
export async function missingService(block: CodeBlock): Promise<string | undefined> {
  if (block.requires === undefined) return undefined;
  if (await portReachable(SERVICES[block.requires])) return undefined;
  return `${block.where} needs ${block.requires} on 127.0.0.1:${SERVICES[block.requires]}: start it to run this block`;
}

/**
 * Imports a block's generated file with `cwd` as the working directory and returns the arguments of
 * each `console.log` call it made (DOCS_VERBOSE=1 also prints them).
 */
export async function runBlock(block: CodeBlock, cwd: string): Promise<unknown[][]> {
  const previous = process.cwd();
  process.chdir(cwd);
  const logged: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logged.push(args);
    if (process.env.DOCS_VERBOSE) process.stdout.write(`${block.where}: ${format(...args)}\n`);
  });
  try {
    await import(/* @vite-ignore */ pathToFileURL(block.file).href);
  } finally {
    log.mockRestore();
    process.chdir(previous);
  }
  return logged;
}

/** Blocks of one Markdown file, each bound to `<dir>/<slug>.<k>.generated.ts`. */
export function markdownBlocks(markdown: string, text: string, dir: string, slug: string): CodeBlock[] {
  return tsBlocks(text).map((block, k) => ({
    ...block,
    where: `${markdown}:${block.line}`,
    markdown,
    file: join(dir, `${slug}.${k}.generated.ts`),
  }));
}
