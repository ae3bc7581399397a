import { type Bars, InvalidParameterError, NotEnoughDataError } from '@candlelab/core';
import type { ShadowTrade } from './shadowTrades.js';

/** Win/loss statistics of a group of shadow trades. */
export interface GroupStats {
  count: number;
  wins: number;
  losses: number;
  /** wins ÷ count (NaN for an empty group). */
  winRate: number;
  /**
   * How sure the win rate is: the lower bound of its 95% Wilson score interval (0 for an empty
   * group). A pattern of 3 wins in 3 trades scores 0.44, one of 60 in 100 scores 0.50.
   */
  confidence: number;
  meanReturn: number;
  meanMfe: number;
  meanMae: number;
  meanHoldBars: number;
  /** Mean post-exit drift over trades where it is defined. */
  meanPostExitDrift: number;
  /** Mean of `leftOnTable` over trades where it is defined. */
  meanLeftOnTable: number;
}

/** Lower bound of the Wilson score interval of `wins` successes in `count` trials at z = 1.96. */
function wilsonLowerBound(wins: number, count: number): number {
  if (count === 0) return 0;
  const z = 1.959963984540054;
  const p = wins / count;
  const z2n = (z * z) / count;
  return Math.max(0, (p + z2n / 2 - z * Math.sqrt((p * (1 - p)) / count + z2n / (4 * count))) / (1 + z2n));
}

export interface SetupStats extends GroupStats {
  setup: string;
}

export interface BucketStats extends GroupStats {
  /** Inclusive lower edge of the bucket. */
  lower: number;
  /** Upper edge (exclusive, except for the last bucket). */
  upper: number;
}

/** Statistics of the trades at the given indices (all when omitted). */
export function groupStats(trades: readonly ShadowTrade[], indices?: readonly number[]): GroupStats {
  const idx = indices ?? trades.map((_, i) => i);
  let wins = 0;
  let losses = 0;
  let ret = 0;
  let mfe = 0;
  let mae = 0;
  let hold = 0;
  let drift = 0;
  let driftCount = 0;
  let left = 0;
  let leftCount = 0;
  for (const i of idx) {
    const t = trades[i]!;
    if (t.outcome === 'win') wins++;
    else if (t.outcome === 'loss') losses++;
    ret += t.returnPct;
    mfe += t.mfe;
    mae += t.mae;
    hold += t.holdBars;
    if (!Number.isNaN(t.postExitDrift)) {
      drift += t.postExitDrift;
      driftCount++;
    }
    if (!Number.isNaN(t.leftOnTable)) {
      left += t.leftOnTable;
      leftCount++;
    }
  }
  const count = idx.length;
  return {
    count,
    wins,
    losses,
    winRate: wins / count,
    confidence: wilsonLowerBound(wins, count),
    meanReturn: ret / count,
    meanMfe: mfe / count,
    meanMae: mae / count,
    meanHoldBars: hold / count,
    meanPostExitDrift: drift / driftCount,
    meanLeftOnTable: left / leftCount,
  };
}

/** Win/loss attribution by setup (entry rule name), in order of first appearance. */
export function attributeBySetup(trades: readonly ShadowTrade[]): SetupStats[] {
  const groups = new Map<string, number[]>();
  trades.forEach((t, i) => {
    const group = groups.get(t.setup);
    if (group) group.push(i);
    else groups.set(t.setup, [i]);
  });
  return [...groups].map(([setup, idx]) => ({ setup, ...groupStats(trades, idx) }));
}

/**
 * Win/loss attribution by quantile buckets of one entry feature (index into `featureNames`).
 * Bucket edges are empirical quantiles of that feature over the trades; NaN values are skipped.
 * Default 5 buckets.
 */
export function attributeByFeature(trades: readonly ShadowTrade[], feature: number, buckets = 5): BucketStats[] {
  if (!Number.isInteger(buckets) || buckets < 1)
    throw new InvalidParameterError('buckets', buckets, 'expected an integer >= 1');
  const values = trades.map((t) => t.features[feature]);
  if (trades.length > 0 && values.some((v) => v === undefined))
    throw new InvalidParameterError('feature', feature, 'no such feature index');
  const valid = trades.map((_, i) => i).filter((i) => !Number.isNaN(values[i]!));
  if (valid.length === 0) return [];
  const sorted = valid.map((i) => values[i]!).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 0; b <= buckets; b++)
    edges.push(sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / buckets))]!);
  edges[buckets] = sorted[sorted.length - 1]!;
  const out: BucketStats[] = [];
  for (let b = 0; b < buckets; b++) {
    const lower = edges[b]!;
    const upper = edges[b + 1]!;
    if (b > 0 && lower === edges[b - 1]) continue;
    const last = b === buckets - 1;
    const idx = valid.filter((i) => values[i]! >= lower && (values[i]! < upper || (last && values[i]! <= upper)));
    if (idx.length > 0) out.push({ lower, upper, ...groupStats(trades, idx) });
  }
  return out;
}

export interface HoldingPeriodCurve {
  /** Mean direction-signed return from the entry open to the close `h` bars later, index h − 1. */
  meanReturn: Float64Array;
  /** Trades with data for each holding period. */
  count: Uint32Array;
  /** Holding period (bars) with the highest mean return. */
  bestHoldBars: number;
  bestMeanReturn: number;
}

/**
 * The holding period that would have been best: for h = 1..`maxBars` (default 50), the mean
 * return of holding every shadow entry for exactly h bars, ignoring the exit rules.
 */
export function bestHoldingPeriod(bars: Bars, trades: readonly ShadowTrade[], maxBars = 50): HoldingPeriodCurve {
  if (!Number.isInteger(maxBars) || maxBars < 1)
    throw new InvalidParameterError('maxBars', maxBars, 'expected an integer >= 1');
  if (trades.length === 0) throw new NotEnoughDataError('bestHoldingPeriod: trades', 1, 0);
  const close = bars.close;
  const sum = new Float64Array(maxBars);
  const count = new Uint32Array(maxBars);
  for (const t of trades) {
    const dir = t.side === 'long' ? 1 : -1;
    for (let h = 1; h <= maxBars; h++) {
      const j = t.entryIndex + h - 1;
      if (j >= close.length) break;
      sum[h - 1]! += (dir * (close[j]! - t.entryPrice)) / t.entryPrice;
      count[h - 1]!++;
    }
  }
  const meanReturn = new Float64Array(maxBars);
  let bestHoldBars = 1;
  let bestMeanReturn = Number.NEGATIVE_INFINITY;
  for (let h = 0; h < maxBars; h++) {
    meanReturn[h] = count[h]! > 0 ? sum[h]! / count[h]! : Number.NaN;
    if (meanReturn[h]! > bestMeanReturn) {
      bestMeanReturn = meanReturn[h]!;
      bestHoldBars = h + 1;
    }
  }
  return { meanReturn, count, bestHoldBars, bestMeanReturn };
}
