import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../test/runCli.js';
import { EXIT } from './reportError.js';
import { findServeBin, SERVE_BIN } from './serveCommand.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-serve-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.CANDLELAB_SERVE_BIN;
});

/** An executable stand-in for candlelab-serve: prints its arguments, writes to stderr, exits with `code`. */
function fakeBin(path: string, code: number): string {
  writeFileSync(
    path,
    `#!${process.execPath}\nconsole.log(JSON.stringify(process.argv.slice(2)));\nconsole.error('from the child');\nprocess.exit(${code});\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('candlelab serve', () => {
  it('--help shows the config option and names the package it runs, without running anything', async () => {
    process.env.CANDLELAB_SERVE_BIN = join(dir, 'missing');
    const help = await runCli('serve', '--help');
    expect(help).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: candlelab serve \[options\]/);
    expect(help.stdout).toMatch(/-c, --config <file>\s+the serve YAML file \(default: "serve\.yaml"\)/);
    expect(help.stdout).toMatch(/npm install @candlelab\/server/);
    expect((await runCli('--help')).stdout).toMatch(/^ {2}serve\b/m);
  });

  it('runs candlelab-serve as a child: arguments through, output relayed, its exit code returned', async () => {
    process.env.CANDLELAB_SERVE_BIN = fakeBin(join(dir, 'serve-3'), 3);
    const run = await runCli('serve', '--config', 'live.yaml', '--verbose', 'extra');
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual(['--config', 'live.yaml', '--verbose', 'extra']);
    expect(run.stderr).toBe('from the child\n');
    process.env.CANDLELAB_SERVE_BIN = fakeBin(join(dir, 'serve-0'), 0);
    const plain = await runCli('serve');
    expect(plain.code).toBe(EXIT.ok);
    expect(JSON.parse(plain.stdout)).toEqual(['--config', 'serve.yaml']);
  });

  it('without @candlelab/server installed it says how to install it', async () => {
    process.env.CANDLELAB_SERVE_BIN = join(dir, 'not-installed');
    const run = await runCli('serve', '--config', 'serve.yaml');
    expect(run.code).toBe(EXIT.failure);
    expect(run.stderr).toMatch(/needs the candlelab-serve program of @candlelab\/server, which is not installed/);
    expect(run.stderr).toMatch(/npm install @candlelab\/server/);
  });

  it('finds the bin in node_modules/.bin above a folder, else on PATH', () => {
    const project = join(dir, 'project');
    const nested = join(project, 'a', 'b');
    mkdirSync(nested, { recursive: true });
    const global = join(dir, 'global-bin');
    mkdirSync(global);
    fakeBin(join(global, SERVE_BIN), 0);
    expect(findServeBin({ PATH: global }, [nested])).toBe(join(global, SERVE_BIN));
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    fakeBin(join(project, 'node_modules', '.bin', SERVE_BIN), 0);
    expect(findServeBin({ PATH: global }, [nested])).toBe(join(project, 'node_modules', '.bin', SERVE_BIN));
    expect(findServeBin({ PATH: join(dir, 'nowhere') }, [join(dir, 'global-bin')])).toBeUndefined();
  });
});
