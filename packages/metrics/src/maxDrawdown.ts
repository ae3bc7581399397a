import { checkEquity } from './checkSeries.js';

/** The deepest peak-to-trough fall of an equity curve and how long it lasted (indices into the curve). */
export interface MaxDrawdown {
  /** Largest fall from a running peak as a positive fraction of that peak, in [0, 1]; 0 without drawdown. */
  maxDrawdown: number;
  /** Index of the peak the maximum drawdown fell from: the last bar at that high-water mark. 0 without drawdown. */
  peakIndex: number;
  /** Index of the lowest point of the maximum drawdown (the first one on ties). 0 without drawdown. */
  troughIndex: number;
  /** First index after the trough back at or above the peak; `null` when never recovered (or without drawdown). */
  recoveryIndex: number | null;
  /** Bars from `peakIndex` to `recoveryIndex`, or to the last bar when not recovered; 0 without drawdown. */
  durationBars: number;
  /** Longest underwater spell (any depth): bars from a peak to its recovery, or to the last bar. */
  longestDurationBars: number;
}

/**
 * Maximum drawdown of an equity curve (values finite, >= 0, first > 0), with its peak, trough,
 * recovery and duration, and the longest time spent below a previous peak. A bar is under water
 * when its equity is strictly below the running maximum; it has recovered once it is back at or
 * above it. Durations count bars from the peak bar to the recovery bar.
 */
export function maxDrawdown(equity: ArrayLike<number>): MaxDrawdown {
  checkEquity('maxDrawdown', equity);
  const n = equity.length;
  let peak = equity[0]!;
  let peakIndex = 0;
  let spellPeak = -1;
  let longest = 0;
  let worst = 0;
  let worstPeak = 0;
  let worstTrough = 0;
  let worstRecovery: number | null = null;
  for (let i = 1; i < n; i++) {
    const value = equity[i]!;
    if (value >= peak) {
      if (spellPeak >= 0) {
        longest = Math.max(longest, i - spellPeak);
        if (spellPeak === worstPeak && worst > 0) worstRecovery = i;
        spellPeak = -1;
      }
      peak = value;
      peakIndex = i;
      continue;
    }
    if (spellPeak < 0) spellPeak = peakIndex;
    const drawdown = 1 - value / peak;
    if (drawdown > worst) {
      worst = drawdown;
      worstPeak = peakIndex;
      worstTrough = i;
      worstRecovery = null;
    }
  }
  if (spellPeak >= 0) longest = Math.max(longest, n - 1 - spellPeak);
  const durationBars = worst > 0 ? (worstRecovery ?? n - 1) - worstPeak : 0;
  return {
    maxDrawdown: worst,
    peakIndex: worstPeak,
    troughIndex: worstTrough,
    recoveryIndex: worstRecovery,
    durationBars,
    longestDurationBars: longest,
  };
}
