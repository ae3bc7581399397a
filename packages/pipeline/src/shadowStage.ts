import {
  attributeByFeature,
  type BucketStats,
  type GroupStats,
  groupStats,
  PatternLibrary,
  type ShadowExitReason,
  type ShadowTrade,
  shadowTrades,
} from '@candlelab/backtest';
import { type Bars, firstValidIndex } from '@candlelab/core';
import type { CandleStore } from '@candlelab/data';
import { natr, sma } from '@candlelab/indicators';
import { z } from 'zod';
import type { SymbolSignals } from './backtestStage.js';
import type { StrategyConfig } from './strategyConfig.js';
import type { StrategyDataset } from './strategyDataset.js';

/** `shadow:` in a strategy: every out-of-sample entry simulated with exits, then analysed. */
export const ShadowConfigSchema = z
  .object({
    /** Stop-loss as a fraction of the entry price. Default none. */
    stopLoss: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('Stop-loss as a fraction of the entry price (0.02 = 2 %); default none.'),
    /** Take-profit as a fraction of the entry price. Default none. */
    takeProfit: z.number().gt(0).optional().describe('Take-profit as a fraction of the entry price; default none.'),
    /** Trailing stop as a fraction of the best price since entry. Default none. */
    trailingStop: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('Trailing stop as a fraction of the best price since entry; default none.'),
    /** Close at the close of this many bars held. Default 24. */
    maxHoldBars: z
      .number()
      .int()
      .positive()
      .default(24)
      .describe('Close at the close of this many bars held (bars; default 24).'),
    /** Bars after each exit that are searched for a better exit. Default 24. */
    postExitBars: z
      .number()
      .int()
      .min(1)
      .default(24)
      .describe('Bars after each exit searched for a better exit (bars; default 24).'),
    /** Clusters in the pattern library. Default 8. */
    patterns: z.number().int().positive().default(8).describe('Clusters in the pattern library of trades; default 8.'),
    /** Entry features kept per trade (the most important ones): attribution and clustering use them. Default 6. */
    features: z
      .number()
      .int()
      .positive()
      .default(6)
      .describe('Entry features kept per trade (the most important) for attribution and clustering; default 6.'),
  })
  .strict();
export type ShadowConfig = z.output<typeof ShadowConfigSchema>;

/** One shadow trade as stored (trade memory): where it was, how it went, what came after. */
export interface ShadowTradeRecord {
  symbol: string;
  side: ShadowTrade['side'];
  /** Market regime at the decision bar: trend (close vs SMA 200) and volatility (NATR 14 vs its SMA 200). */
  regime: string;
  decisionTime: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  returnPct: number;
  outcome: ShadowTrade['outcome'];
  exitReason: ShadowExitReason;
  mfe: number;
  mae: number;
  holdBars: number;
  postExitBest: number;
  leftOnTable: number;
  /** The kept entry features' values at the decision bar, by name. */
  features: Record<string, number>;
}

export interface ShadowPattern extends Omit<GroupStats, 'wins' | 'losses'> {
  pattern: number;
  /** Cluster centre in feature units, by feature name. */
  centroid: Record<string, number>;
}

export interface ShadowReport {
  config: ShadowConfig;
  /** Entry features kept per trade (the most important first). */
  features: string[];
  summary: GroupStats;
  bySide: Record<string, GroupStats>;
  byExitReason: Record<string, GroupStats>;
  byRegime: Record<string, GroupStats>;
  bySymbol: Record<string, GroupStats>;
  /** Win/loss by quintile of each kept feature: which entry conditions win. */
  attribution: Array<{ feature: string; buckets: BucketStats[] }>;
  /** Losing trades by exit reason and regime (the seed's `loss_analysis`). */
  losses: Array<{ exitReason: string; regime: string; count: number; meanReturn: number; meanMae: number }>;
  patterns: ShadowPattern[];
  trades: ShadowTradeRecord[];
}

/** The gate metrics of a shadow run, named `shadow.<stat>` (e.g. `shadow.winRate > 0.52`). */
export const SHADOW_METRICS = {
  'shadow.trades': 'shadow trades simulated (every out-of-sample entry)',
  'shadow.winRate': 'fraction of shadow trades that won after costs',
  'shadow.confidence': 'lower bound of the 95% Wilson interval of the shadow win rate',
  'shadow.meanReturn': 'mean return per shadow trade after costs',
  'shadow.leftOnTable': 'mean best move after exit that a later exit would have captured',
} as const;
export type ShadowMetricName = keyof typeof SHADOW_METRICS;

export function shadowMetrics(report: ShadowReport): Record<ShadowMetricName, number> {
  const { summary } = report;
  return {
    'shadow.trades': summary.count,
    'shadow.winRate': summary.count > 0 ? summary.winRate : 0,
    'shadow.confidence': summary.confidence,
    'shadow.meanReturn': summary.count > 0 ? summary.meanReturn : 0,
    'shadow.leftOnTable': Number.isNaN(summary.meanLeftOnTable) ? 0 : summary.meanLeftOnTable,
  };
}

/** Causal regime labels per bar: `up`/`down` trend and `high-vol`/`low-vol`, from bars ≤ t only. */
function regimes(bars: Bars): string[] {
  const trend = sma.batch(bars.close, { period: 200 });
  const volatility = natr.batch(bars, { period: 14 });
  // NATR is NaN during its own warm-up and a running mean would carry that NaN forever: average
  // from its first defined value on.
  const defined = firstValidIndex(volatility);
  const typical = new Float64Array(volatility.length).fill(Number.NaN);
  typical.set(sma.batch(volatility.subarray(defined), { period: 200 }), defined);
  return Array.from(bars.close, (close, t) => {
    const dir = Number.isNaN(trend[t]!) ? 'warmup' : close >= trend[t]! ? 'up' : 'down';
    const vol = Number.isNaN(typical[t]!) ? 'warmup' : volatility[t]! >= typical[t]! ? 'high-vol' : 'low-vol';
    return `${dir}/${vol}`;
  });
}

function groupBy(trades: readonly ShadowTrade[], key: (i: number) => string): Record<string, GroupStats> {
  const groups = new Map<string, number[]>();
  trades.forEach((_, i) => {
    const k = key(i);
    const members = groups.get(k);
    if (members) members.push(i);
    else groups.set(k, [i]);
  });
  return Object.fromEntries(
    [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, idx]) => [k, groupStats(trades, idx)]),
  );
}

/**
 * Shadow trading of a trained strategy: every out-of-sample bar where the one position rule
 * went long (or short) is an entry, simulated on the symbol's bars with the strategy's exits,
 * fees and slippage (`shadowTrades`: decided at the close, filled at the next open). Each trade
 * keeps its entry features and regime; trades are grouped by side, exit reason, regime and
 * symbol, attributed by feature quintile, and clustered into a pattern library.
 */
export function shadowStage(
  config: StrategyConfig,
  shadow: ShadowConfig,
  data: StrategyDataset,
  signals: readonly SymbolSignals[],
  importance: ReadonlyArray<{ feature: string }>,
): ShadowReport {
  const { dataset, barIndex } = data;
  const d = dataset.featureNames.length;
  const ranked = importance.length > 0 ? importance.map((r) => r.feature) : dataset.featureNames;
  const kept = ranked.slice(0, Math.min(shadow.features, d));
  const keptColumns = kept.map((name) => dataset.featureNames.indexOf(name));
  const trades: ShadowTrade[] = [];
  const records: ShadowTradeRecord[] = [];
  data.bars.forEach((bars, s) => {
    const symbolSignals = signals.find((x) => x.symbol === bars.symbol);
    if (!symbolSignals) return;
    const n = bars.time.length;
    // The dataset's own feature values at each bar (NaN where the bar has no row).
    const features: Record<string, Float64Array> = Object.fromEntries(
      kept.map((name) => [name, new Float64Array(n).fill(Number.NaN)]),
    );
    for (let row = 0; row < dataset.y.length; row++) {
      if ((dataset.symbolIndex?.[row] ?? 0) !== s) continue;
      keptColumns.forEach((j, f) => {
        features[kept[f]!]![barIndex[row]!] = dataset.X[row * d + j]!;
      });
    }
    const long = new Uint8Array(n);
    const short = new Uint8Array(n);
    let cursor = 0;
    for (let i = 0; i < symbolSignals.time.length; i++) {
      while (bars.time[cursor]! < symbolSignals.time[i]!) cursor++;
      if (symbolSignals.positions[i] === 1) long[cursor] = 1;
      else if (symbolSignals.positions[i] === -1) short[cursor] = 1;
    }
    const regime = regimes(bars);
    const common = {
      maxHoldBars: shadow.maxHoldBars,
      postExitBars: shadow.postExitBars,
      feesBps: config.backtest.feesBps,
      slippageBps: config.backtest.slippageBps,
      features,
      ...(shadow.stopLoss === undefined ? {} : { stopLoss: shadow.stopLoss }),
      ...(shadow.takeProfit === undefined ? {} : { takeProfit: shadow.takeProfit }),
      ...(shadow.trailingStop === undefined ? {} : { trailingStop: shadow.trailingStop }),
    };
    const sides = [
      shadowTrades(bars, { ...common, entries: { long }, side: 'long' }).trades,
      ...(config.backtest.allowShort
        ? [shadowTrades(bars, { ...common, entries: { short }, side: 'short' }).trades]
        : []),
    ];
    for (const trade of sides.flat().sort((a, b) => a.decisionIndex - b.decisionIndex)) {
      trades.push(trade);
      records.push({
        symbol: bars.symbol,
        side: trade.side,
        regime: regime[trade.decisionIndex]!,
        decisionTime: bars.time[trade.decisionIndex]!,
        entryTime: trade.entryTime,
        exitTime: trade.exitTime,
        entryPrice: trade.entryPrice,
        exitPrice: trade.exitPrice,
        returnPct: trade.returnPct,
        outcome: trade.outcome,
        exitReason: trade.exitReason,
        mfe: trade.mfe,
        mae: trade.mae,
        holdBars: trade.holdBars,
        postExitBest: trade.postExitBest,
        leftOnTable: trade.leftOnTable,
        features: Object.fromEntries(kept.map((name, f) => [name, trade.features[f]!])),
      });
    }
  });
  const losses = new Map<string, number[]>();
  records.forEach((r, i) => {
    if (r.outcome !== 'loss') return;
    const key = `${r.exitReason}|${r.regime}`;
    const members = losses.get(key);
    if (members) members.push(i);
    else losses.set(key, [i]);
  });
  let patterns: ShadowPattern[] = [];
  if (trades.some((t) => t.features.every((v) => !Number.isNaN(v)))) {
    const library = new PatternLibrary().fit(trades, { k: shadow.patterns, seed: config.seed });
    patterns = library.patterns
      .map(({ centroid, wins: _w, losses: _l, ...stats }, pattern) => ({
        pattern,
        ...stats,
        centroid: Object.fromEntries(kept.map((name, f) => [name, centroid[f]!])),
      }))
      .filter((p) => p.count > 0);
  }
  return {
    config: shadow,
    features: kept,
    summary: groupStats(trades),
    bySide: groupBy(trades, (i) => trades[i]!.side),
    byExitReason: groupBy(trades, (i) => trades[i]!.exitReason),
    byRegime: groupBy(trades, (i) => records[i]!.regime),
    bySymbol: groupBy(trades, (i) => records[i]!.symbol),
    attribution:
      trades.length === 0 ? [] : kept.map((feature, f) => ({ feature, buckets: attributeByFeature(trades, f, 5) })),
    losses: [...losses].map(([key, idx]) => {
      const [exitReason, regime] = key.split('|') as [string, string];
      const stats = groupStats(trades, idx);
      return { exitReason, regime, count: stats.count, meanReturn: stats.meanReturn, meanMae: stats.meanMae };
    }),
    patterns,
    trades: records,
  };
}

/** The trade memory as CSV (one row per shadow trade, features as `f_<name>` columns). */
export function shadowTradesCsv(report: ShadowReport): string {
  const head = [
    'symbol',
    'side',
    'regime',
    'decision_time',
    'entry_time',
    'exit_time',
    'entry_price',
    'exit_price',
    'return_pct',
    'outcome',
    'exit_reason',
    'mfe',
    'mae',
    'hold_bars',
    'post_exit_best',
    'left_on_table',
    ...report.features.map((f) => `f_${f}`),
  ];
  const iso = (ms: number) => new Date(ms).toISOString();
  const rows = report.trades.map((t) =>
    [
      t.symbol,
      t.side,
      t.regime,
      iso(t.decisionTime),
      iso(t.entryTime),
      iso(t.exitTime),
      t.entryPrice,
      t.exitPrice,
      t.returnPct,
      t.outcome,
      t.exitReason,
      t.mfe,
      t.mae,
      t.holdBars,
      t.postExitBest,
      t.leftOnTable,
      ...report.features.map((f) => t.features[f]),
    ].join(','),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

/** The SQL tables a shadow run writes into the strategy's candle store (DuckDB or PostgreSQL), keyed by model id. */
export const SHADOW_TABLES = ['trade_memory', 'pattern_library', 'loss_analysis'] as const;

/**
 * Writes a model's shadow run into the candle store's record tables, so that SQL can query it
 * beside the candles: `trade_memory` (one row per trade, entry features as JSON), `pattern_library`
 * (one row per cluster, centroid as JSON) and `loss_analysis` (losses by exit reason and regime).
 * Keyed by the model id, so writing the same model again changes nothing.
 */
export async function writeShadowTables(store: CandleStore, modelId: string, report: ShadowReport): Promise<void> {
  if (!store.writeRecords) return;
  const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);
  await store.writeRecords(
    'trade_memory',
    report.trades.map((t, trade) => ({
      model_id: modelId,
      trade,
      symbol: t.symbol,
      side: t.side,
      regime: t.regime,
      decision_time: t.decisionTime,
      entry_time: t.entryTime,
      exit_time: t.exitTime,
      entry_price: t.entryPrice,
      exit_price: t.exitPrice,
      return_pct: t.returnPct,
      outcome: t.outcome,
      exit_reason: t.exitReason,
      mfe: t.mfe,
      mae: t.mae,
      hold_bars: t.holdBars,
      post_exit_best: finiteOrNull(t.postExitBest),
      left_on_table: finiteOrNull(t.leftOnTable),
      features: JSON.stringify(t.features),
    })),
    { key: ['model_id', 'trade'], columns: { post_exit_best: 'double', left_on_table: 'double' } },
  );
  await store.writeRecords(
    'pattern_library',
    report.patterns.map((p) => ({
      model_id: modelId,
      pattern: p.pattern,
      trades: p.count,
      win_rate: p.winRate,
      confidence: p.confidence,
      mean_return: p.meanReturn,
      mean_hold_bars: p.meanHoldBars,
      centroid: JSON.stringify(p.centroid),
    })),
    { key: ['model_id', 'pattern'] },
  );
  await store.writeRecords(
    'loss_analysis',
    report.losses.map((l) => ({
      model_id: modelId,
      exit_reason: l.exitReason,
      regime: l.regime,
      losses: l.count,
      mean_return: l.meanReturn,
      mean_mae: l.meanMae,
    })),
    { key: ['model_id', 'exit_reason', 'regime'] },
  );
}
