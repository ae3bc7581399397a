import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignalSchema } from '@candlelab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/runCli.js';
import { writeTestStrategy } from '../test/writeTestStrategy.js';
import { EXIT } from './reportError.js';

const { path, dir } = writeTestStrategy({ gates: ['sharpe > 100'] });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const COMMANDS = [
  'train',
  'validate',
  'backtest',
  'models',
  'predict',
  'optimize',
  'data',
  'worker',
  'retrain',
  'serve',
];

describe('candlelab help', () => {
  it('lists every command; no command at all is a usage error', async () => {
    const help = await runCli('--help');
    expect(help.code).toBe(EXIT.ok);
    for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(help.stdout).toMatch(/Exit codes: 0 ok/);
    expect(await runCli('--version')).toMatchObject({ code: EXIT.ok, stdout: `${version}\n` });
    const bare = await runCli();
    expect(bare.code).toBe(EXIT.usage);
    expect(bare.stderr).toMatch(/Usage: candlelab <command> \[options\]/);
  });

  it('every command and subcommand has --help (exit 0, nothing run), also as `help <command>`', async () => {
    for (const argv of [...COMMANDS.map((c) => [c]), ['models', 'list'], ['models', 'promote'], ['data', 'fetch']]) {
      const help = await runCli(...argv, '--help');
      expect(help, argv.join(' ')).toMatchObject({ code: EXIT.ok, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^Usage: candlelab ${argv.join(' ')}`));
    }
    // `train --help` shows its options even though --strategy is required.
    expect((await runCli('train', '--help')).stdout).toMatch(
      /--strategy <file>[\s\S]*--no-register[\s\S]*--require-gates/,
    );
    expect((await runCli('help', 'retrain')).stdout).toMatch(/^Usage: candlelab retrain[\s\S]*--workers <n>/);
  });

  it('worker --help returns at once with the defaults, without starting a worker', async () => {
    // A started worker would print "pulling from" and wait for SIGINT, so this await would never end.
    const help = await runCli('worker', '--help', '--redis', 'redis://unreachable.invalid:1');
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toMatch(/--queue <name>\s+queue name \(default: "candlelab"\)/);
    expect(help.stdout).toMatch(/--redis <url>\s+Redis connection URL \(default: "redis:\/\/127\.0\.0\.1:6379"\)/);
    expect(help.stdout).toMatch(/--concurrency <n>.*\(default: 1\)/);
    expect(help.stdout).not.toMatch(/pulling from/);
  });
});

describe('candlelab usage errors', () => {
  it('unknown command, unknown option, missing option and bad value exit 2 naming the culprit', async () => {
    const command = await runCli('fly');
    expect(command.code).toBe(EXIT.usage);
    expect(command.stderr).toMatch(/unknown command 'fly'/);
    const option = await runCli('validate', '--strategy', path, '--bogus');
    expect(option.code).toBe(EXIT.usage);
    expect(option.stderr).toMatch(/unknown option '--bogus'/);
    expect(option.stderr).not.toMatch(/unexpected error|at .*\.ts:\d+/);
    const missing = await runCli('train');
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/required option '--strategy <file>' not specified/);
    const value = await runCli('worker', '--concurrency', 'many');
    expect(value.code).toBe(EXIT.usage);
    expect(value.stderr).toMatch(/--concurrency <n>.*'many' is invalid.*positive integer/);
    const conflict = await runCli('retrain', '--strategy', path, '--workers', '2', '--redis', 'redis://x');
    expect(conflict.code).toBe(EXIT.usage);
    expect(conflict.stderr).toMatch(/'--workers <n>' cannot be used with option '--redis <url>'/);
  });

  it('with --json a usage error is one JSON document on stdout naming the option', async () => {
    const result = await runCli('validate', '--json', '--strategy', path, '--bogus');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        name: 'UsageError',
        code: 'commander.unknownOption',
        message: "unknown option '--bogus'",
        option: '--bogus',
      },
    });
    const missing = JSON.parse((await runCli('predict', '--json')).stdout);
    expect(missing.error).toMatchObject({ code: 'commander.missingMandatoryOptionValue', option: '--strategy' });
  });
});

describe('candlelab validate', () => {
  it('ok for a good file; a bad one names the YAML path, exit 2, also as JSON', async () => {
    expect(await runCli('validate', '--strategy', path)).toMatchObject({
      code: EXIT.ok,
      stdout: expect.stringMatching(/test-gbdt: valid/),
    });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nseed: -1\n');
    const text = await runCli('validate', '--strategy', bad);
    expect(text.code).toBe(EXIT.usage);
    expect(text.stderr).toMatch(/seed \(line 2\)/);
    const json = await runCli('validate', '--strategy', bad, '--json');
    expect(json.code).toBe(EXIT.usage);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'CONFIG',
      issues: expect.arrayContaining([expect.objectContaining({ field: 'seed (line 2)' })]),
    });
    expect((await runCli('validate', '--strategy', join(dir, 'missing.yaml'))).stderr).toMatch(
      /cannot read the strategy file \(ENOENT\)/,
    );
  });
});

describe('candlelab end to end on real candles', () => {
  const id = 'test-gbdt/BTC-USDT_1h_v1';

  it('train --json stores a model; models list/show; the stored gates refuse promotion; predict gives a signal', async () => {
    const trained = await runCli('train', '--strategy', path, '--json', '--require-gates');
    expect(trained.code).toBe(EXIT.gates);
    expect(trained.stderr).toBe('');
    const result = JSON.parse(trained.stdout);
    expect(result.model.id).toBe(id);
    expect(result.gates.passed).toBe(false);
    // The JSON carries per-symbol, per-fold and per-gate results, and the same totals as the portfolio.
    expect(result.perSymbol[0].backtest.totalReturn).toBe(result.backtest.totalReturn);
    expect(result.folds).toHaveLength(3);
    expect(result.gates.results[0]).toMatchObject({ expression: 'sharpe > 100', passed: false });

    const list = await runCli('models', 'list', '--strategy', path, '--json');
    expect(JSON.parse(list.stdout).map((m: { id: string }) => m.id)).toEqual([id]);
    const show = await runCli('models', 'show', id, '--strategy', path);
    expect(show.stdout).toMatch(/Stage history:/);

    // The strategy's gates were stored with the model: no registry option can bypass them.
    const refused = await runCli('models', 'promote', id, 'validation', '--registry', join(dir, 'models'));
    expect(refused.code).toBe(EXIT.gates);
    expect(refused.stdout).toMatch(/refused: discovery → validation: .*sharpe > 100/);

    const predicted = await runCli('predict', '--strategy', path, '--json');
    expect(predicted.code).toBe(EXIT.ok);
    const { signal, probabilities } = JSON.parse(predicted.stdout);
    expect(SignalSchema.parse(signal)).toMatchObject({
      symbol: 'BTC/USDT',
      source: id,
      time: Date.UTC(2022, 7, 31, 23),
    });
    expect(probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 9);
    const up = probabilities[1];
    expect(signal.action).toBe(up >= 0.55 && up > 1 - up ? 'buy' : 'hold');
  });

  it('backtest prints the results and stores nothing; progress goes to stderr unless --quiet', async () => {
    const shown = await runCli('backtest', '--strategy', path);
    expect(shown.code).toBe(EXIT.ok);
    expect(shown.stdout).toMatch(/3 fold\(s\) on 1 thread\(s\)/);
    expect(shown.stdout).toMatch(/Backtest of out-of-sample signals vs buy-and-hold:\n.*sharpe/);
    expect(shown.stdout).not.toMatch(/^Model /m);
    // Every fold is listed with its own test window and metrics.
    expect(shown.stdout).toMatch(
      /Per fold \(each scored on its own test window\):\nfold +trainRows +testRows +test +accuracy/,
    );
    expect(shown.stdout.match(/^ +[123] +\d+ +\d+ +2022-\d\d-\d\d → 2022-\d\d-\d\d/gm)).toHaveLength(3);
    // One line per phase and quarter (stderr is not a terminal here), starting with loading the bars.
    expect(shown.stderr).toMatch(/^\[\d+\.\ds\] load bars: 0\/1 symbol=BTC\/USDT$/m);
    expect(shown.stderr.trim().split('\n').length).toBeGreaterThan(3);
    const quiet = await runCli('backtest', '--strategy', path, '--quiet');
    expect(quiet).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(quiet.stdout).toBe(shown.stdout.replace(/timings \(ms\) .*/, quiet.stdout.match(/timings \(ms\) .*/)![0]));
  });

  it('data fetch and info report the bars; a bad subcommand is a usage error', async () => {
    const fetched = await runCli('data', 'fetch', '--strategy', path, '--json');
    expect(JSON.parse(fetched.stdout)[0]).toMatchObject({ symbol: 'BTC/USDT', bars: 92 * 24, fetched: 92 * 24 });
    const info = await runCli('data', 'info', '--strategy', path, '--json');
    // The test strategy's store is in memory: a new process (command) starts with it empty.
    expect(JSON.parse(info.stdout)).toEqual([expect.objectContaining({ symbol: 'BTC/USDT', bars: 0 })]);
    const nonsense = await runCli('data', 'nonsense', '--strategy', path);
    expect(nonsense.code).toBe(EXIT.usage);
    expect(nonsense.stderr).toMatch(/unknown command 'nonsense'/);
  });
});
