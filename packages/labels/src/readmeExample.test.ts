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
  const [unlabeled] = logged[0] as [{ byReason: { horizon: number } }];
  expect(unlabeled.byReason.horizon).toBe(24);
  expect(logged[1]![0]).toBeGreaterThan(0); // an ATR swing size in price units
  const [classes, upClass, numClasses, y100] = logged.at(-1)!;
  expect(classes).toEqual(['down', 'flat', 'up']);
  expect([upClass, numClasses]).toEqual([2, 3]);
  expect([0, 1, 2]).toContain(y100);
});
