import { fileURLToPath } from 'node:url';
import {
  attributeByFeature,
  attributeBySetup,
  type BucketStats,
  bestHoldingPeriod,
  type EntryRule,
  type GroupStats,
  groupStats,
  type HoldingPeriodCurve,
  type Pattern,
  PatternLibrary,
  type PatternMatch,
  type SetupStats,
  type ShadowTrade,
  shadowTrades,
} from '@candlelab/backtest';
import type { Timeframe } from '@candlelab/core';
import { BUNDLED_BTC_HOURLY, type DataFile, loadDataFile, runExampleCli } from '@candlelab/example-data';
import { bbands, ema, natr, rsi } from '@candlelab/indicators';

export interface ShadowExampleOptions {
  /** The candle file. Default: the bundled Binance BTC/USDT 1h fixture. */
  data?: DataFile;
  /** The most recent bars of the file used. Default 8,760 (one year of hourly bars: 2021-10 → 2022-10 in the fixture). */
  bars?: number;
  /** Stop-loss fraction. Default 0.02. */
  stopLoss?: number;
  /** Take-profit fraction. Default 0.03. */
  takeProfit?: number;
  /** Time exit in bars. Default 48. */
  maxHoldBars?: number;
  /** Commission per side in basis points. Default 10. */
  feesBps?: number;
  /** Clusters of the pattern library. Default 6. */
  patterns?: number;
  /** Holding periods scanned by `bestHoldingPeriod`. Default 72 bars. */
  maxHoldingScan?: number;
}

export interface ShadowExampleResult {
  symbol: string;
  timeframe: Timeframe;
  bars: number;
  firstTime: number;
  lastTime: number;
  trades: number;
  /** Every simulated candidate entry, in decision order. */
  shadow: ShadowTrade[];
  overall: GroupStats;
  bySetup: SetupStats[];
  featureNames: string[];
  /** Quintiles of each feature at the decision bar, with the trades' win rate per bucket. */
  byFeature: Record<string, BucketStats[]>;
  holding: HoldingPeriodCurve;
  patterns: Pattern[];
  /** The pattern nearest to the latest bar's features (what history says about a setup now). */
  nearestToLatest: PatternMatch;
  latestFeatures: Float64Array;
}

/** 1 where `a` crosses above `b` (a ≤ b on the previous bar, a > b now), else 0. */
function crossAbove(a: Float64Array, b: Float64Array | number): Float64Array {
  const out = new Float64Array(a.length);
  for (let t = 1; t < a.length; t++) {
    const prevB = typeof b === 'number' ? b : b[t - 1]!;
    const nowB = typeof b === 'number' ? b : b[t]!;
    if (a[t - 1]! <= prevB && a[t]! > nowB) out[t] = 1;
  }
  return out;
}

/**
 * Shadow trading on real candles (the bundled BTC/USDT hourly fixture, or `data`): four entry setups fire wherever their rule
 * holds, each candidate is simulated on its own (entry at the next open, 2% stop, 3% target,
 * 48-bar time exit, fees), and the wins and losses are analysed — per setup, per quintile of the
 * features seen at the decision bar, by holding period, and as a k-means pattern library.
 */
export async function run(options: ShadowExampleOptions = {}): Promise<ShadowExampleResult> {
  const bars = await loadDataFile(options.data ?? BUNDLED_BTC_HOURLY, { lastBars: options.bars ?? 8760 });
  const n = bars.time.length;
  const rsi14 = rsi.batch(bars.close, { period: 14 });
  const natr14 = natr.batch(bars, { period: 14 });
  const { lower, percentB } = bbands.batch(bars, { period: 20, stdDev: 2 });
  const emaFast = ema.batch(bars.close, { period: 12 });
  const emaSlow = ema.batch(bars.close, { period: 48 });
  const ret24 = new Float64Array(n).fill(Number.NaN);
  for (let t = 24; t < n; t++) ret24[t] = bars.close[t]! / bars.close[t - 24]! - 1;
  const bbLowerTouch = new Float64Array(n);
  for (let t = 0; t < n; t++) if (bars.low[t]! <= lower[t]!) bbLowerTouch[t] = 1;

  const entries: Record<string, EntryRule> = {
    rsiOversoldExit: crossAbove(rsi14, 30),
    bbLowerTouch,
    emaCrossUp: crossAbove(emaFast, emaSlow),
    // A predicate rule sees only bars up to the decision bar: a close above the prior 24-bar high.
    breakout24: (v) => {
      if (v.index < 24) return false;
      const close = v.close();
      for (let ago = 1; ago <= 24; ago++) if (v.high(ago) >= close) return false;
      return true;
    },
  };
  const features = { rsi14, natr14, percentB, ret24 };
  const { trades, featureNames } = shadowTrades(bars, {
    entries,
    stopLoss: options.stopLoss ?? 0.02,
    takeProfit: options.takeProfit ?? 0.03,
    maxHoldBars: options.maxHoldBars ?? 48,
    feesBps: options.feesBps ?? 10,
    features,
  });

  const byFeature: Record<string, BucketStats[]> = {};
  featureNames.forEach((name, j) => {
    byFeature[name] = attributeByFeature(trades, j, 5);
  });
  const library = new PatternLibrary().fit(trades, { k: options.patterns ?? 6, seed: 0 });
  const latestFeatures = Float64Array.from(featureNames, (name) => features[name as keyof typeof features][n - 1]!);
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    bars: n,
    firstTime: bars.time[0]!,
    lastTime: bars.time[n - 1]!,
    trades: trades.length,
    shadow: trades,
    overall: groupStats(trades),
    bySetup: attributeBySetup(trades),
    featureNames,
    byFeature,
    holding: bestHoldingPeriod(bars, trades, options.maxHoldingScan ?? 72),
    patterns: library.patterns,
    nearestToLatest: library.nearest(latestFeatures),
    latestFeatures,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function statsLine(label: string, s: GroupStats): string {
  return `${label.padEnd(24)} n=${String(s.count).padStart(5)}  win ${pct(s.winRate).padStart(7)}  mean ${pct(s.meanReturn).padStart(7)}  MFE ${pct(s.meanMfe)}  MAE ${pct(s.meanMae)}  hold ${s.meanHoldBars.toFixed(1)}`;
}

/** A readable report of the analysis. */
export function formatResult(r: ShadowExampleResult): string {
  const lines = [
    `${r.symbol} ${r.timeframe}, ${r.bars} bars ${day(r.firstTime)} → ${day(r.lastTime)}: ${r.trades} shadow trades`,
    statsLine('all setups', r.overall),
    ...r.bySetup.map((s) => statsLine(s.setup, s)),
    `best holding period: ${r.holding.bestHoldBars} bars (mean ${pct(r.holding.bestMeanReturn)} before fees)`,
  ];
  for (const name of r.featureNames) {
    const buckets = r.byFeature[name]!.map((b) => `[${b.lower.toFixed(3)}, ${b.upper.toFixed(3)}] ${pct(b.winRate)}`);
    lines.push(`win rate by ${name} quintile: ${buckets.join('  ')}`);
  }
  lines.push('patterns (k-means on z-scored features):');
  r.patterns.forEach((p, i) => {
    const centre = r.featureNames.map((name, j) => `${name}=${p.centroid[j]!.toFixed(3)}`).join(' ');
    lines.push(`  ${statsLine(`#${i}`, p)}  ${centre}`);
  });
  lines.push(
    `latest bar is nearest to pattern #${r.nearestToLatest.cluster} (distance ${r.nearestToLatest.distance.toFixed(2)}, win rate ${pct(r.nearestToLatest.pattern.winRate)})`,
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runExampleCli(async (data) => formatResult(await run({ data })));
}
