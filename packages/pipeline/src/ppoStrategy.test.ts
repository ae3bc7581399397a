import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openModelStore } from '@candlelab/registry';
import { universeDataYaml } from '@candlelab/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { predictSignal } from './predictSignal.js';
import { loadStrategy } from './strategyConfig.js';
import { trainResultJson, trainStrategy } from './trainStrategy.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-ppo-strategy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'ppo.yaml');
writeFileSync(
  path,
  `name: ppo-strategy-test
seed: 3
${universeDataYaml(['ETH/USDT', 'SOL/USDT'])}
features:
  name: ppo-test
  features:
    - { kind: returns, period: 1 }
    - { kind: returns, period: 24 }
    - { kind: indicator, id: rsi, params: { period: 14 } }
labels: { kind: forwardReturn, horizon: 4, target: binary }
model:
  kind: ppo
  totalTimesteps: 2048
  seeds: 2
  randomRuns: 3
  env: { episodeLength: 256 }
  params: { numEnvs: 2, numSteps: 256, hiddenSizes: [16, 16] }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 4 }
gates: [sharpe > 1.5, winRate > 0.55]
registry: { root: models }
`,
);

describe('model.kind: ppo in a strategy file', () => {
  it('trains walk-forward, backtests like any strategy, registers the agent, and predict gives its action with all probabilities', async () => {
    const loaded = loadStrategy(path);
    const result = await trainStrategy(loaded);
    const ppo = result.ppo!;
    expect(ppo.actions).toEqual(['flat', 'long']);
    // The gates read the same portfolio backtest that compares the agent with the baselines.
    expect(result.metrics.sharpe).toBe(ppo.oos.agent.sharpe);
    expect(result.metrics.totalReturn).toBe(ppo.oos.agent.totalReturn);
    expect(result.metrics.trades).toBe(ppo.oos.agent.trades);
    expect(Number.isNaN(result.metrics.oosAuc)).toBe(true);
    expect(result.gates.results.map((g) => g.expression)).toEqual(['sharpe > 1.5', 'winRate > 0.55']);
    expect(result.perSymbol.map((s) => s.symbol)).toEqual(['ETH/USDT', 'SOL/USDT']);
    expect(result.folds[0]!.metrics).toMatchObject({
      chosenSeed: expect.any(Number),
      sharpeSeedMin: expect.any(Number),
    });
    for (const signals of result.signals) for (const p of signals.positions) expect([0, 1]).toContain(p);
    const report = readFileSync(result.reportPath!, 'utf8');
    expect(report).toContain('PPO out of sample: the agent');
    expect(readFileSync(result.predictionsPath!, 'utf8').split('\n')[0]).toBe(
      'time,time_ms,symbol,fold,close,p_flat,p_long,position',
    );
    expect(JSON.parse(JSON.stringify(trainResultJson(result))).ppo.oos.random.trades).toBe(ppo.oos.random.trades);

    const store = await openModelStore(join(dir, 'models'));
    try {
      expect(result.model!.modelKind).toBe('ppo');
      const predicted = await predictSignal({ strategy: loaded, store, symbol: 'SOL/USDT' });
      expect(predicted.classes).toEqual(['flat', 'long']);
      expect(predicted.probabilities).toHaveLength(2);
      expect(predicted.probabilities[0]! + predicted.probabilities[1]!).toBeCloseTo(1, 12);
      expect(predicted.signal.action).toBe(predicted.decision.position === 1 ? 'buy' : 'hold');
      expect(predicted.signal.source).toBe(result.model!.id);
      // The same stored agent, the same bars: the same decision.
      expect((await predictSignal({ strategy: loaded, store, symbol: 'SOL/USDT' })).probabilities).toEqual(
        predicted.probabilities,
      );
    } finally {
      await store.close();
    }
  });
});
