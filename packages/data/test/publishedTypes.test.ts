import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(packageDir, '../..');
const work = mkdtempSync(join(tmpdir(), 'candlelab-data-types-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What an npm user's code does with the package's types: stores, options, record tables. */
const consumer = `
import { type CandleStore, DuckDbStore, MemoryStore, PostgresStore, type PostgresStoreOptions, type RecordRow } from '@candlelab/data';

interface TradeRow { model: string; entry_time: number; pnl: number | null; won: boolean }

export async function keepTrades(store: CandleStore, trades: TradeRow[]): Promise<RecordRow[]> {
  if (store.writeRecords === undefined || store.readRecords === undefined) return [];
  await store.writeRecords('trade_memory', trades, { key: ['model', 'entry_time'] });
  return store.readRecords('trade_memory', { model: 'm1' });
}

const options: PostgresStoreOptions = { connectionString: 'postgres://localhost/test', pool: { max: 2, ssl: false } };
export const stores = [PostgresStore.open(options), DuckDbStore.open({ path: ':memory:' }), Promise.resolve(new MemoryStore())];
`;

describe('published types', () => {
  it('compile for an npm user with skipLibCheck false and no optional peer (pg, @types/pg, DuckDB, ccxt) installed', async () => {
    // The declarations exactly as \`pnpm build\` emits them (same tsup config), written outside dist/.
    const declarations = join(work, 'dts');
    await run(join(repoRoot, 'node_modules/.bin/tsup'), ['--dts-only', '--out-dir', declarations], {
      cwd: packageDir,
    });
    const dts = readFileSync(join(declarations, 'index.d.ts'), 'utf8');
    const imported = [...dts.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imported.every((specifier) => specifier === '@candlelab/core')).toBe(true);

    // A consumer project whose node_modules hold only @candlelab/data (these declarations) and
    // @candlelab/core (its sources; core's own published types are core's concern).
    const project = join(work, 'consumer');
    const dataDir = join(project, 'node_modules/@candlelab/data');
    mkdirSync(join(dataDir, 'dist'), { recursive: true });
    writeFileSync(join(dataDir, 'dist/index.d.ts'), dts);
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    writeFileSync(
      join(dataDir, 'package.json'),
      JSON.stringify({ name: manifest.name, type: 'module', exports: { '.': { types: manifest.exports['.'].types } } }),
    );
    symlinkSync(resolve(repoRoot, 'packages/core'), join(project, 'node_modules/@candlelab/core'), 'dir');
    writeFileSync(join(project, 'consumer.ts'), consumer);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          customConditions: ['@candlelab/source'],
          typeRoots: [join(repoRoot, 'node_modules/@types')],
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    const result = await run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', project], { cwd: project }).then(
      () => '',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    expect(result).toBe('');
  }, 120_000);
});
