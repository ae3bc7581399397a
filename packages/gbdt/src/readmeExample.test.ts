// The README's example, extracted from README.md and run as pasted, so it cannot drift from the API.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';

const generated = new URL(`./readmeExample.generated.${process.pid}.ts`, import.meta.url);
afterEach(() => rmSync(generated, { force: true }));

it('runs the README example and prints what its comments promise', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  writeFileSync(generated, code!);
  const logged: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
  try {
    await import(/* @vite-ignore */ generated.href);
  } finally {
    log.mockRestore();
  }
  const [summary, importance, roundTrip, ensemble] = logged;
  const { testAuc, bestIteration } = summary![0] as { testAuc: number; bestIteration: number };
  expect(testAuc).toBeGreaterThan(0.87);
  expect(bestIteration).toBeGreaterThan(0);
  const gain = importance![0] as Float64Array;
  expect(gain[0]! + gain[1]!).toBeGreaterThan(0.9 * gain.reduce((a, b) => a + b, 0));
  expect(roundTrip).toEqual(['round trip identical:', true]);
  expect(ensemble![1] as number).toBeGreaterThan(0.87);
}, 60_000);
