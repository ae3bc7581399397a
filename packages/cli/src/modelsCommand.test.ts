import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry, STAGES, type Stage } from '@candlelab/registry';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/runCli.js';
import { writeTestStrategy } from '../test/writeTestStrategy.js';
import { EXIT } from './reportError.js';

// A registry filled directly through the registry API, so these tests need no training run.
const root = mkdtempSync(join(tmpdir(), 'candlelab-cli-models-'));
const strategyFile = writeTestStrategy({ name: 'alpha' });
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(strategyFile.dir, { recursive: true, force: true });
});

const registry = new ModelRegistry({ root });
function register(strategy: string, symbol: string, timeframe: '1h' | '4h', sharpe: number, gates: string[] = []) {
  return registry.register({
    strategy,
    symbol,
    timeframe,
    model: { kind: 'test-model', version: 1 },
    metrics: { sharpe, trades: 40 },
    config: { name: strategy },
    fingerprint: {
      data: `bars of ${symbol} ${timeframe}`,
      featureSet: {},
      labels: {},
      split: {},
      hyperparameters: {},
      packageVersions: {},
      seed: 1,
    },
    gates: { validation: gates },
  }).id;
}
const alphaBtc1h = register('alpha', 'BTC/USDT', '1h', 0.4, ['sharpe > 1']);
const alphaBtc4h = register('alpha', 'BTC/USDT', '4h', 1.5, ['sharpe > 1']);
const alphaEth1h = register('alpha', 'ETH/USDT', '1h', 2);
const betaBtc1h = register('beta', 'BTC/USDT', '1h', 0.1);
registry.promote(alphaEth1h, 'validation');

async function listed(...filters: string[]): Promise<string[]> {
  const result = await runCli('models', 'list', '--registry', root, '--json', ...filters);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  return JSON.parse(result.stdout).map((row: { id: string }) => row.id);
}

describe('candlelab models list', () => {
  it('filters by strategy name, symbol, stage and timeframe, alone and together', async () => {
    expect(await listed()).toEqual([alphaBtc1h, alphaBtc4h, alphaEth1h, betaBtc1h]);
    expect(await listed('--strategy', 'beta')).toEqual([betaBtc1h]);
    expect(await listed('--symbol', 'BTC/USDT')).toEqual([alphaBtc1h, alphaBtc4h, betaBtc1h]);
    expect(await listed('--stage', 'validation')).toEqual([alphaEth1h]);
    expect(await listed('--timeframe', '4h')).toEqual([alphaBtc4h]);
    expect(await listed('--strategy', 'alpha', '--symbol', 'BTC/USDT', '--timeframe', '1h')).toEqual([alphaBtc1h]);
    expect(await listed('--strategy', 'nobody')).toEqual([]);
  });

  it('--strategy <file> selects the strategy by its name (and its registry unless --registry is given)', async () => {
    expect(await listed('--strategy', strategyFile.path)).toEqual([alphaBtc1h, alphaBtc4h, alphaEth1h]);
  });

  it('an unknown stage is a usage error naming the allowed stages', async () => {
    const result = await runCli('models', 'list', '--registry', root, '--stage', 'production');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/'--stage' = "production": expected one of discovery, validation, paper/);
  });

  it('prints a table with the metrics', async () => {
    const result = await runCli('models', 'list', '--registry', root, '--strategy', 'beta');
    expect(result.stdout).toMatch(/^id\s+stage\s+created\s+kind\s+sharpe/);
    expect(result.stdout).toMatch(/beta\/BTC-USDT_1h_v1\s+discovery\s+\S+\s+test-model\s+0\.1/);
  });
});

describe('candlelab models promote', () => {
  const stageOf = (id: string): Stage => registry.load(id).manifest.stage;

  it('its help lists the lifecycle stages of the registry', async () => {
    // The help is built without loading the registry, so it spells the stages out: keep them equal.
    const help = (await runCli('models', 'promote', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(`target stage (${STAGES.join(', ')})`);
  });

  it('obeys the gates stored with the model: refused with exit 4, nothing changes', async () => {
    const refused = await runCli('models', 'promote', alphaBtc1h, 'validation', '--registry', root);
    expect(refused.code).toBe(EXIT.gates);
    expect(refused.stdout).toMatch(/^refused: discovery → validation: .*sharpe = 0\.4 fails sharpe > 1/);
    expect(stageOf(alphaBtc1h)).toBe('discovery');
    const passed = await runCli('models', 'promote', alphaBtc4h, 'validation', '--registry', root, '--json');
    expect(passed.code).toBe(EXIT.ok);
    expect(JSON.parse(passed.stdout)).toMatchObject({
      promoted: true,
      forced: false,
      from: 'discovery',
      to: 'validation',
    });
  });

  it('--force needs --reason; with it the promotion happens and is recorded as forced', async () => {
    const noReason = await runCli('models', 'promote', alphaBtc1h, 'validation', '--registry', root, '--force');
    expect(noReason.code).toBe(EXIT.usage);
    expect(noReason.stderr).toMatch(/--reason: required with --force/);
    expect(stageOf(alphaBtc1h)).toBe('discovery');

    const forced = await runCli(
      'models',
      'promote',
      alphaBtc1h,
      'validation',
      '--registry',
      root,
      '--force',
      '--reason',
      'regime change, paper-trade it anyway',
      '--by',
      'alice',
    );
    expect(forced.code).toBe(EXIT.ok);
    expect(forced.stdout).toMatch(/^promoted: discovery → validation/);
    expect(forced.stderr).toMatch(
      /FORCED promotion of alpha\/BTC-USDT_1h_v1 to validation over failing gates \(.*sharpe > 1.*\)/,
    );
    const change = registry.load(alphaBtc1h).manifest.stageHistory.at(-1);
    expect(change).toMatchObject({
      to: 'validation',
      forced: true,
      by: 'alice',
      reason: 'regime change, paper-trade it anyway',
    });
  });

  it('never forces a forbidden move; bad stage and unknown model are usage and data errors', async () => {
    const skip = await runCli('models', 'promote', betaBtc1h, 'mature', '--registry', root, '--force', '--reason', 'x');
    expect(skip.code).toBe(EXIT.gates);
    expect(skip.stdout).toMatch(/refused: discovery → mature: cannot move from discovery to mature/);
    const stage = await runCli('models', 'promote', betaBtc1h, 'live', '--registry', root, '--json');
    expect(stage.code).toBe(EXIT.usage);
    expect(JSON.parse(stage.stdout).error).toMatchObject({ code: 'INVALID_PARAMETER' });
    const missing = await runCli('models', 'show', 'beta/ETH-USDT_1h_v9', '--registry', root);
    expect(missing.code).toBe(EXIT.data);
    expect(missing.stderr).toMatch(/model beta\/ETH-USDT_1h_v9 not found/);
  });
});
