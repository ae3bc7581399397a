import { fileURLToPath } from 'node:url';
import { parseDataArgs } from '@candlelab/example-data';
import { describe, expect, it } from 'vitest';
import { formatResult, run } from './main.js';

const ETH_HOURLY = fileURLToPath(new URL('../../../fixtures/ohlcv/binance-1h/ETH_USDT-1h.json.gz', import.meta.url));

describe('PPO trading example', () => {
  it('trains on one period of real BTC candles and evaluates on a later one against the baselines', async () => {
    const options = { totalTimesteps: 2048, trainBars: 2000, testBars: 1000, randomRuns: 3, window: 8, seed: 3 };
    const r = await run(options);
    expect(r.featureNames).toEqual([
      'ret_1',
      'ret_4',
      'ret_24',
      'ret_1_std24',
      'rsi_14',
      'close_vs_sma_48',
      'volume_ratio_24',
    ]);
    expect(r.timesteps).toBeGreaterThanOrEqual(2048);
    expect(r.updates).toBe(2); // 2048 steps / (4 envs × 256 steps)
    expect(Number.isFinite(r.lastUpdate.approxKl)).toBe(true);
    expect(r.learningCurve).toHaveLength(r.updates);

    // The test period follows the training period and ends at the fixture's last bar.
    expect(r.test.start).toBeGreaterThan(r.train.end);
    expect(r.test.end).toBe(Date.UTC(2022, 9, 11, 10));
    expect(r.test.bars).toBe(1000);

    for (const p of [r.train, r.test]) {
      // Buy-and-hold is long for the whole period: one position, a return close to the price change.
      expect(p.buyAndHold.trades).toBeLessThanOrEqual(1);
      for (const policy of [p.ppo, p.buyAndHold, p.random]) {
        expect(Number.isFinite(policy.totalReturn)).toBe(true);
        expect(policy.maxDrawdown).toBeGreaterThanOrEqual(0);
        expect(policy.maxDrawdown).toBeLessThan(1);
      }
      // A random flat/long policy trades about every other bar and pays for it.
      expect(p.random.trades).toBeGreaterThan(p.bars / 8);
    }
    expect(formatResult(r)).toContain('test (out of sample)');

    // Same seed → the same agent and the same evaluation.
    const again = await run(options);
    expect(again.test.ppo).toEqual(r.test.ppo);
  });

  it('trains and evaluates on the file given by --data', async () => {
    const data = parseDataArgs(['--data', ETH_HOURLY, '--symbol', 'ETH/USDT', '--timeframe', '1h']);
    const r = await run({ data, totalTimesteps: 1024, trainBars: 1500, testBars: 500, randomRuns: 1, seed: 1 });
    expect(r).toMatchObject({ symbol: 'ETH/USDT', timeframe: '1h', updates: 1 });
    expect(r.test.end).toBe(Date.UTC(2022, 9, 11, 10)); // the ETH fixture's last bar
    expect(r.test.bars).toBe(500);
    expect(formatResult(r)).toMatch(/^ETH\/USDT 1h; features: ret_1/);
  });

  it('refuses a file shorter than the two periods, naming it', async () => {
    const data = parseDataArgs(['--data', ETH_HOURLY, '--symbol', 'ETH/USDT', '--timeframe', '1h']);
    await expect(run({ data, trainBars: 8000, testBars: 1000 })).rejects.toThrow(
      /ETH_USDT-1h\.json\.gz.*needs at least 9000, got 8760/,
    );
  });
});
