import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = new URL('./check-layers.mjs', import.meta.url).pathname;
const layersFile = new URL('../layers.json', import.meta.url).pathname;
let root: string;

/** A throwaway repo with the real layer table and the given packages: name → [dependencies, source]. */
function plantRepo(
  packages: Record<
    string,
    { deps?: Record<string, string>; devDeps?: Record<string, string>; files: Record<string, string> }
  >,
) {
  root = mkdtempSync(join(tmpdir(), 'layers-'));
  cpSync(layersFile, join(root, 'layers.json'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ private: true, devDependencies: { vitest: '^4' } }));
  for (const [name, spec] of Object.entries(packages)) {
    const dir = join(root, 'packages', name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: `@candlelab/${name}`,
        dependencies: spec.deps ?? {},
        devDependencies: spec.devDeps ?? {},
      }),
    );
    for (const [file, text] of Object.entries(spec.files)) writeFileSync(join(dir, 'src', file), text);
  }
  return spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
}

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('layer check', () => {
  it('passes a lower-layer import that is declared', () => {
    const run = plantRepo({
      core: { files: { 'index.ts': 'export const x = 1;' } },
      metrics: {
        deps: { '@candlelab/core': 'workspace:^' },
        files: { 'index.ts': "import { x } from '@candlelab/core';\nexport const y = x;" },
      },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('fails on a sibling import in the same layer', () => {
    const run = plantRepo({
      metrics: { files: { 'index.ts': 'export const x = 1;' } },
      indicators: {
        deps: { '@candlelab/metrics': 'workspace:^' },
        files: { 'index.ts': "export { x } from '@candlelab/metrics';" },
      },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /@candlelab\/indicators \(layer 1\) imports @candlelab\/metrics \(layer 1\), a sibling in the same layer/,
    );
  });

  it('fails on an import of a higher layer and on an undeclared package', () => {
    const run = plantRepo({
      core: {
        files: {
          'index.ts': "const m = await import('@candlelab/pipeline');\nimport { z } from 'zod';\nexport { m, z };",
        },
      },
      pipeline: { files: { 'index.ts': 'export {};' } },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/imports '@candlelab\/pipeline' which @candlelab\/core does not declare/);
    expect(run.stderr).toMatch(/\(layer 0\) imports @candlelab\/pipeline \(layer 5\), a higher layer/);
    expect(run.stderr).toMatch(/imports 'zod' which @candlelab\/core does not declare/);
  });

  it('allows devDependencies in tests only, and test-utils only from tests', () => {
    const run = plantRepo({
      core: {
        devDeps: { 'fast-check': '^4', '@candlelab/test-utils': 'workspace:*' },
        files: {
          'a.test.ts':
            "import fc from 'fast-check';\nimport { it } from 'vitest';\nimport { btcHourly } from '@candlelab/test-utils';",
          'd.ts': "import { it } from 'vitest';",
          'b.ts': "import fc from 'fast-check';",
          'c.ts': "import { btcHourly } from '@candlelab/test-utils';",
        },
      },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /core\/src\/b\.ts: imports 'fast-check' which @candlelab\/core does not declare as a runtime\/peer dependency/,
    );
    expect(run.stderr).toMatch(/core\/src\/c\.ts: imports private package '@candlelab\/test-utils' outside tests/);
    expect(run.stderr).toMatch(/core\/src\/d\.ts: imports 'vitest'/);
    expect(run.stderr).not.toMatch(/a\.test\.ts/);
  });
});
