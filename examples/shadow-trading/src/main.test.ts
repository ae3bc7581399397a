import { fileURLToPath } from 'node:url';
import { parseDataArgs } from '@candlelab/example-data';
import { describe, expect, it } from 'vitest';
import { formatResult, run } from './main.js';

const SOL_HOURLY = fileURLToPath(new URL('../../../fixtures/ohlcv/binance-1h/SOL_USDT-1h.json.gz', import.meta.url));

describe('shadow trading example', () => {
  it('simulates every candidate entry on real BTC candles and partitions wins and losses consistently', async () => {
    const maxHoldBars = 24;
    const r = await run({ bars: 2000, maxHoldBars, patterns: 4, maxHoldingScan: 30 });
    expect(r.bars).toBe(2000);
    expect(r.lastTime).toBe(Date.UTC(2022, 9, 11, 10)); // the fixture's last bar
    expect(r.trades).toBeGreaterThan(50);
    expect(r.shadow).toHaveLength(r.trades);
    for (const t of r.shadow) {
      // Decided at a close, entered at the next open, out within the time exit: no lookahead.
      expect(t.entryIndex).toBe(t.decisionIndex + 1);
      expect(t.exitIndex).toBeGreaterThanOrEqual(t.entryIndex);
      expect(t.holdBars).toBeLessThanOrEqual(maxHoldBars);
      expect(t.outcome).toBe(t.returnPct > 0 ? 'win' : t.returnPct < 0 ? 'loss' : 'flat');
    }
    // Per-setup, per-bucket and per-pattern statistics each partition the same trades.
    const sum = (xs: { count: number }[]) => xs.reduce((s, x) => s + x.count, 0);
    expect(sum(r.bySetup)).toBe(r.trades);
    expect(r.bySetup.map((s) => s.setup).sort()).toEqual([
      'bbLowerTouch',
      'breakout24',
      'emaCrossUp',
      'rsiOversoldExit',
    ]);
    expect(r.overall.wins).toBe(r.shadow.filter((t) => t.outcome === 'win').length);
    expect(r.overall.winRate).toBeCloseTo(r.overall.wins / r.trades, 12);
    expect(r.featureNames).toEqual(['rsi14', 'natr14', 'percentB', 'ret24']);
    // Trades whose feature is still in warm-up (NaN) are left out of that feature's buckets and of the patterns.
    r.featureNames.forEach((name, j) => {
      const defined = r.shadow.filter((t) => !Number.isNaN(t.features[j]!)).length;
      expect(defined).toBeGreaterThan(r.trades - 5);
      expect(sum(r.byFeature[name]!)).toBe(defined);
    });
    expect(r.patterns).toHaveLength(4);
    expect(sum(r.patterns)).toBe(r.shadow.filter((t) => t.features.every((v) => !Number.isNaN(v))).length);
    expect(r.holding.meanReturn).toHaveLength(30);
    expect(r.holding.count[0]).toBe(r.trades);
    expect(r.holding.bestMeanReturn).toBe(Math.max(...r.holding.meanReturn));
    expect(r.nearestToLatest.pattern).toBe(r.patterns[r.nearestToLatest.cluster]);
    expect(formatResult(r)).toContain('shadow trades');
  });

  it('analyses the file given by --data', async () => {
    const data = parseDataArgs(['--data', SOL_HOURLY, '--symbol', 'SOL/USDT', '--timeframe', '1h']);
    const r = await run({ data, bars: 1000, patterns: 3, maxHoldingScan: 10 });
    expect(r).toMatchObject({ symbol: 'SOL/USDT', timeframe: '1h', bars: 1000 });
    expect(r.lastTime).toBe(Date.UTC(2022, 9, 11, 10));
    expect(r.bySetup.reduce((s, x) => s + x.count, 0)).toBe(r.trades);
    expect(formatResult(r)).toMatch(/^SOL\/USDT 1h, 1000 bars/);
  });
});
