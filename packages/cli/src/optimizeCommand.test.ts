import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { universeDataYaml } from '@candlelab/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/runCli.js';
import { EXIT } from './reportError.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-optimize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PPO strategy small enough for a few trials in seconds. */
const strategy = join(dir, 'ppo.yaml');
writeFileSync(
  strategy,
  `name: optimize-ppo
seed: 3
${universeDataYaml(['ETH/USDT'], { end: '2022-08-01' })}
features:
  name: tiny
  features: [{ kind: returns, period: 1 }, { kind: indicator, id: rsi, params: { period: 14 } }]
labels: { kind: forwardReturn, horizon: 1, target: binary }
model:
  kind: ppo
  totalTimesteps: 512
  seeds: 1
  randomRuns: 1
  env: { window: 4, episodeLength: 128 }
  params: { numEnvs: 2, numSteps: 128, hiddenSizes: [8] }
validation: { method: walkForward, trainSize: 800, validationSize: 0, testSize: 300, gap: 1 }
`,
);
const space = join(dir, 'space.yaml');
writeFileSync(
  space,
  `model.params.learningRate: { type: logFloat, low: 0.0001, high: 0.003 }
model.env.window: { type: int, low: 2, high: 6 }
`,
);

describe('candlelab optimize', () => {
  it('searches a PPO strategy: every trial trains walk-forward and is scored out of sample, seeded', async () => {
    const argv = [
      'optimize',
      '--strategy',
      strategy,
      '--space',
      space,
      '--trials',
      '2',
      '--sampler',
      'random',
      '--json',
    ];
    const run = await runCli(...argv);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT.ok);
    const study = JSON.parse(run.stdout) as {
      trials: Array<{ state: string; value: number; params: Record<string, number>; metrics: Record<string, number> }>;
      best: { value: number };
    };
    expect(study.trials).toHaveLength(2);
    for (const trial of study.trials) {
      expect(trial.state).toBe('complete');
      expect(trial.value).toBe(trial.metrics.sharpe);
      expect(trial.params['model.env.window']).toBeGreaterThanOrEqual(2);
    }
    expect(study.best.value).toBe(Math.max(...study.trials.map((t) => t.value)));
    // Same seed, same study.
    expect(JSON.parse((await runCli(...argv)).stdout).trials.map((t: { value: number }) => t.value)).toEqual(
      study.trials.map((t) => t.value),
    );
  }, 120_000);

  it('refuses a search path the strategy schema does not have, naming it (exit 2)', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'model.params.learningRat: { type: float, low: 0.1, high: 0.2 }\n');
    const run = await runCli('optimize', '--strategy', strategy, '--space', bad, '--json');
    expect(run.code).toBe(EXIT.usage);
    expect(run.stdout).toMatch(/learningRat/);
  });
});
