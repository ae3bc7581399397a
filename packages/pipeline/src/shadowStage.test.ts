import { rmSync } from 'node:fs';
import { type Bars, copyBars } from '@candlelab/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTestStrategy } from '../test/testStrategy.js';
import type { SymbolSignals } from './backtestStage.js';
import { loadStrategyBars } from './loadStrategyBars.js';
import { ShadowConfigSchema, shadowStage } from './shadowStage.js';
import { loadStrategy, type StrategyConfig } from './strategyConfig.js';
import { buildStrategyDataset } from './strategyDataset.js';

const { path, dir } = writeTestStrategy();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Long on every 9th dataset row after the first 300: a fixed entry pattern, independent of any model. */
function everyNinthRow(config: StrategyConfig, bars: Bars): SymbolSignals {
  const data = buildStrategyDataset(config, [bars]);
  const rows = Array.from({ length: data.dataset.y.length }, (_, r) => r).filter((r) => r >= 300);
  return {
    symbol: bars.symbol,
    time: Float64Array.from(rows, (r) => data.dataset.time[r]!),
    proba: new Float64Array(rows.length * 2),
    positions: Float64Array.from(rows, (r) => (r % 9 === 0 ? 1 : 0)),
    fold: new Int32Array(rows.length),
    close: Float64Array.from(rows, (r) => bars.close[data.barIndex[r]!]!),
  };
}

describe('shadowStage', () => {
  it('no lookahead: changing every bar after t leaves every shadow trade resolved by t unchanged', async () => {
    const loaded = loadStrategy(path);
    const { config } = loaded;
    const bars = (await loadStrategyBars(config.data, ['BTC/USDT'], loaded.baseDir)).get('BTC/USDT')!.bars;
    const shadow = ShadowConfigSchema.parse({
      stopLoss: 0.01,
      takeProfit: 0.02,
      maxHoldBars: 12,
      postExitBars: 6,
      features: 3,
    });
    const signals = everyNinthRow(config, bars);
    const run = (b: Bars) => {
      const data = buildStrategyDataset(config, [b]);
      return shadowStage(config, shadow, data, [signals], []);
    };
    const base = run(bars);
    expect(base.summary.count).toBe(signals.positions.filter((p) => p === 1).length);
    const n = bars.time.length;
    fc.assert(
      fc.property(
        fc.integer({ min: 900, max: n - 50 }),
        fc.double({ min: 0.7, max: 1.4, noNaN: true }),
        (t, factor) => {
          const altered = copyBars(bars);
          for (let i = t + 1; i < n; i++)
            for (const f of ['open', 'high', 'low', 'close'] as const) altered[f][i] = bars[f][i]! * factor;
          // Resolved by t: the trade and its post-exit window end by bar t.
          const resolved = (trades: typeof base.trades) =>
            trades.filter((x) => x.exitTime + 6 * 3_600_000 <= bars.time[t]!).map((x) => ({ ...x }));
          const before = resolved(base.trades);
          expect(resolved(run(altered).trades)).toEqual(before);
          expect(before.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 6, seed: 5 },
    );
  });

  it('labels each trade with a trend and a volatility regime once both averages are warm', async () => {
    const loaded = loadStrategy(path);
    const { config } = loaded;
    const bars = (await loadStrategyBars(config.data, ['BTC/USDT'], loaded.baseDir)).get('BTC/USDT')!.bars;
    const shadow = ShadowConfigSchema.parse({ features: 3 });
    const signals = everyNinthRow(config, bars);
    const { trades } = shadowStage(config, shadow, buildStrategyDataset(config, [bars]), [signals], []);
    const warm = trades.filter((t) => t.entryTime >= bars.time[14 + 200]!);
    expect(warm.length).toBeGreaterThan(0);
    for (const t of warm) expect(t.regime).toMatch(/^(up|down)\/(high|low)-vol$/);
    expect(new Set(warm.map((t) => t.regime.split('/')[1])).size).toBe(2);
  });
});
