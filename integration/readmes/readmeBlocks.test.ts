// Every ```ts block of the public packages' READMEs is run as an npm user would paste it: typechecked
// against the packages' sources, then executed in an empty temporary directory, so an example can use
// only what a user has: published @candlelab packages and Node built-ins (no test-utils, no repository
// paths; data comes from a package, e.g. @candlelab/data's generateSyntheticBars). Blocks that cannot run
// here say why in a `<!-- not-runnable: reason -->` marker (the harness is ../codeBlocks.ts); some
// examples' printed results are checked below.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CodeBlock,
  markdownBlocks,
  missingService,
  runBlock,
  tsBlocks,
  typecheckBlocks,
  writeBlocks,
} from '../codeBlocks.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

/** Packages published to npm (not private), by directory name. */
const publicPackages = readdirSync(join(repoRoot, 'packages'))
  .filter((name) => !JSON.parse(readFileSync(join(repoRoot, 'packages', name, 'package.json'), 'utf8')).private)
  .sort();

/** Blocks keyed `<package>#<index of the ts block in its README>`. */
const blocks: (CodeBlock & { key: string })[] = publicPackages.flatMap((name) => {
  const readme = `packages/${name}/README.md`;
  return markdownBlocks(readme, readFileSync(join(repoRoot, readme), 'utf8'), here, `readme-${name}`).map(
    (block, k) => ({ ...block, key: `${name}#${k}` }),
  );
});
const runnable = blocks.filter((block) => block.notRunnable === undefined);

/** What an example's comments promise about its output, given the arguments of its console.log calls. */
const checks: Record<string, (logged: unknown[][]) => void> = {
  'gbdt#0': (logged) => {
    const [summary, importance, roundTrip, ensemble] = logged;
    const { testAuc, bestIteration } = summary![0] as { testAuc: number; bestIteration: number };
    expect(testAuc).toBeGreaterThan(0.87);
    expect(bestIteration).toBeGreaterThan(0);
    const gain = importance![0] as Float64Array;
    expect(gain[0]! + gain[1]!).toBeGreaterThan(0.9 * gain.reduce((a, b) => a + b, 0));
    expect(roundTrip).toEqual(['round trip identical:', true]);
    expect(ensemble![1] as number).toBeGreaterThan(0.87);
  },
  'labels#0': (logged) => {
    const [unlabeled] = logged[0] as [{ byReason: { horizon: number } }];
    expect(unlabeled.byReason.horizon).toBe(24);
    expect(logged[1]![0]).toBeGreaterThan(0); // an ATR swing size in price units
    const [classes, upClass, numClasses, y100] = logged.at(-1)!;
    expect(classes).toEqual(['down', 'flat', 'up']);
    expect([upClass, numClasses]).toEqual([2, 3]);
    expect([0, 1, 2]).toContain(y100);
  },
};

/** Module specifiers a block imports (static and dynamic). */
function imports(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((match) => match[1]!);
}

beforeAll(() => writeBlocks(here, blocks));
afterAll(() => {
  for (const block of blocks) rmSync(block.file, { force: true });
});

describe('package README code blocks', () => {
  it('finds a block in every public README, and every check names one', () => {
    const withBlocks = new Set(blocks.map((block) => block.key.split('#')[0]));
    expect(publicPackages.filter((name) => !withBlocks.has(name))).toEqual([]);
    expect(Object.keys(checks).filter((key) => !runnable.some((block) => block.key === key))).toEqual([]);
  });

  it('imports only published @candlelab packages and Node built-ins', () => {
    const allowed = (specifier: string) =>
      specifier.startsWith('node:') ||
      (specifier.startsWith('@candlelab/') && publicPackages.includes(specifier.slice('@candlelab/'.length)));
    const offending = runnable.flatMap((block) =>
      imports(block.code)
        .filter((specifier) => !allowed(specifier))
        .map((specifier) => `${block.where}: ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('typechecks every block against the packages (errors point at the README line)', () => {
    expect(typecheckBlocks(join(here, 'tsconfig.json'), blocks)).toBe('');
  });

  it('reads the not-runnable and requires markers', () => {
    const markdown =
      '<!-- not-runnable: browser only -->\n\n```ts\nx;\n```\n<!-- requires: redis -->\n```ts\ny;\n```\n';
    expect(tsBlocks(markdown)).toEqual([
      { line: 4, code: 'x;\n', notRunnable: 'browser only' },
      { line: 8, code: 'y;\n', requires: 'redis' },
    ]);
    expect(() => tsBlocks('<!-- not-runnable: -->\n```ts\nx;\n```\n')).toThrow(/must give its reason/);
    expect(() => tsBlocks('<!-- requires: mysql -->\n```ts\nx;\n```\n')).toThrow(/expected one of postgres, redis/);
  });

  // Not-runnable blocks are listed as skipped, with their reason.
  it.for(blocks.map((block) => [block.where, block] as const))(
    'runs %s',
    { timeout: 60_000 },
    async ([, block], context) => {
      if (block.notRunnable !== undefined) return context.skip(`not-runnable: ${block.notRunnable}`);
      const missing = await missingService(block);
      if (missing) return context.skip(missing);
      const cwd = mkdtempSync(join(tmpdir(), 'candlelab-readme-'));
      try {
        const logged = await runBlock(block, cwd);
        checks[block.key]?.(logged);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );
});
