import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SignalSchema } from '@candlelab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTestStrategy } from '../../test/testStrategy.js';
import { EXIT, main } from './main.js';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(...argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const { path, dir } = writeTestStrategy({ gates: ['sharpe > 100'] });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('candlelab CLI', () => {
  it('prints help and refuses unknown commands and options with exit code 2', async () => {
    expect((await run('--help')).stdout).toMatch(/Usage: candlelab <command>/);
    const unknown = await run('fly');
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/unknown command 'fly'/);
    expect((await run('validate', '--strategy', path, '--bogus')).code).toBe(EXIT.usage);
    expect((await run('train')).stderr).toMatch(/--strategy: required/);
  });

  it('validate: ok for a good file; a bad one names the YAML path, exit 2, also as JSON', async () => {
    expect(await run('validate', '--strategy', path)).toMatchObject({
      code: EXIT.ok,
      stdout: expect.stringMatching(/test-gbdt: valid/),
    });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nseed: -1\n');
    const text = await run('validate', '--strategy', bad);
    expect(text.code).toBe(EXIT.usage);
    expect(text.stderr).toMatch(/seed \(line 2\)/);
    const json = await run('validate', '--strategy', bad, '--json');
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'CONFIG',
      issues: expect.arrayContaining([expect.objectContaining({ field: 'seed (line 2)' })]),
    });
    expect((await run('validate', '--strategy', join(dir, 'missing.yaml'))).stderr).toMatch(
      /cannot read the strategy file \(ENOENT\)/,
    );
  });

  it('train --json stores a model; models list/show; a refused promotion exits 4; predict gives a signal', async () => {
    const trained = await run('train', '--strategy', path, '--json', '--require-gates');
    expect(trained.code).toBe(EXIT.gates);
    const result = JSON.parse(trained.stdout);
    expect(result.model.id).toBe('test-gbdt/BTC-USDT_1h_v1');
    expect(result.gates.passed).toBe(false);

    const list = await run('models', 'list', '--strategy', path, '--json');
    expect(JSON.parse(list.stdout).map((m: { id: string }) => m.id)).toEqual(['test-gbdt/BTC-USDT_1h_v1']);
    const show = await run('models', 'show', 'test-gbdt/BTC-USDT_1h_v1', '--strategy', path);
    expect(show.stdout).toMatch(/Stage history:/);

    const refused = await run('models', 'promote', 'test-gbdt/BTC-USDT_1h_v1', 'validation', '--strategy', path);
    expect(refused.code).toBe(EXIT.gates);
    expect(refused.stdout).toMatch(
      /refused: discovery → validation: gates for validation failed: sharpe = .* fails sharpe > 100/,
    );
    const promoted = await run(
      'models',
      'promote',
      'test-gbdt/BTC-USDT_1h_v1',
      'validation',
      '--strategy',
      path,
      '--gate',
      'oosRows > 0',
    );
    expect(promoted.code).toBe(EXIT.ok);

    const predicted = await run('predict', '--strategy', path, '--json');
    expect(predicted.code).toBe(EXIT.ok);
    const { signal, probabilities } = JSON.parse(predicted.stdout);
    expect(SignalSchema.parse(signal)).toMatchObject({
      symbol: 'BTC/USDT',
      source: 'test-gbdt/BTC-USDT_1h_v1',
      time: Date.UTC(2022, 7, 31, 23),
    });
    expect(probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('data fetch and info report the bars', async () => {
    const fetched = await run('data', 'fetch', '--strategy', path, '--json');
    expect(JSON.parse(fetched.stdout)[0]).toMatchObject({ symbol: 'BTC/USDT', bars: 92 * 24, fetched: 92 * 24 });
    expect((await run('data', 'nonsense', '--strategy', path)).code).toBe(EXIT.usage);
  });
});
