import { type Bars, InvalidParameterError, ValidationError } from '@candlelab/core';
import { BRACKET_NONE, BRACKET_STOP, bracketExit, bracketFillPrice } from './bracketExit.js';
import type { PositionSide } from './eventBacktest.js';
import { SeriesView } from './SeriesView.js';

/** An entry rule: a precomputed 0/1 mask per bar, or a predicate over bars ≤ t only. */
export type EntryRule = ArrayLike<number> | ((view: SeriesView) => boolean);

/** How a shadow trade ended. */
export type ShadowExitReason = 'stopLoss' | 'takeProfit' | 'trailingStop' | 'timeExit' | 'endOfData';
export type ShadowOutcome = 'win' | 'loss' | 'flat';

export interface ShadowOptions {
  /** Named entry rules ("setups"); a bar can fire several. */
  entries: Record<string, EntryRule>;
  /** Default `'long'`. */
  side?: PositionSide;
  /** Stop-loss distance as a fraction of the entry price. Default none. */
  stopLoss?: number;
  /** Take-profit distance as a fraction of the entry price. Default none. */
  takeProfit?: number;
  /** Trailing-stop distance as a fraction of the best price since entry. Default none. */
  trailingStop?: number;
  /** Close at the close of the `maxHoldBars`-th bar held. Default 100. */
  maxHoldBars?: number;
  /** Bars after the exit over which post-exit drift is measured. Default 10. */
  postExitBars?: number;
  /** Commission per side in basis points, deducted from the return. Default 0. */
  feesBps?: number;
  /** Adverse slippage per fill in basis points: entries fill this much worse than the open, exits worse than their price. Default 0. */
  slippageBps?: number;
  /**
   * Feature columns (same length as the bars) whose values at the decision bar t are stored with
   * each trade. They must be causal (computed from bars ≤ t); that is the caller's promise.
   */
  features?: Record<string, ArrayLike<number>>;
}

/** One simulated trade: decided at `decisionIndex`'s close, entered at the next open. */
export interface ShadowTrade {
  setup: string;
  side: PositionSide;
  decisionIndex: number;
  entryIndex: number;
  exitIndex: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  /** Direction-signed return net of fees. */
  returnPct: number;
  outcome: ShadowOutcome;
  exitReason: ShadowExitReason;
  /** Maximum favourable excursion (fraction of entry). */
  mfe: number;
  /** Maximum adverse excursion (positive fraction of entry). */
  mae: number;
  holdBars: number;
  /** Direction-signed return from the exit price to the close `postExitBars` later; NaN when the data ends first. */
  postExitDrift: number;
  /**
   * Best direction-signed move from the exit price within the `postExitBars` bars after the exit
   * (highs for longs, lows for shorts): what a later exit could have made. NaN when no bar follows.
   */
  postExitBest: number;
  /** How much was left on the table: `max(0, postExitBest)`. NaN when no bar follows. */
  leftOnTable: number;
  /** Feature values at the decision bar, in `featureNames` order. */
  features: Float64Array;
}

export interface ShadowResult {
  trades: ShadowTrade[];
  featureNames: string[];
}

function optionalFraction(name: string, value: number | undefined): number {
  if (value === undefined) return Number.NaN;
  if (!(value > 0) || !Number.isFinite(value))
    throw new InvalidParameterError(name, value, 'expected a finite fraction > 0');
  return value;
}

/**
 * Shadow trading: for every bar t where an entry rule fires, simulates the trade as if taken at
 * bar t+1's open and managed by the exit rules on the following bars (stop/target/trailing with
 * the conservative rule of `bracketExit`, then the time exit). Trades overlap freely: each
 * candidate is judged on its own. Predicate rules see only bars ≤ t.
 */
export function shadowTrades(bars: Bars, options: ShadowOptions): ShadowResult {
  const n = bars.close.length;
  const dir = (options.side ?? 'long') === 'long' ? 1 : -1;
  const stopLoss = optionalFraction('stopLoss', options.stopLoss);
  const takeProfit = optionalFraction('takeProfit', options.takeProfit);
  const trail = optionalFraction('trailingStop', options.trailingStop);
  const maxHold = options.maxHoldBars ?? 100;
  if (!Number.isInteger(maxHold) || maxHold < 1)
    throw new InvalidParameterError('maxHoldBars', maxHold, 'expected an integer >= 1');
  const post = options.postExitBars ?? 10;
  if (!Number.isInteger(post) || post < 0)
    throw new InvalidParameterError('postExitBars', post, 'expected an integer >= 0');
  const feeRate = (options.feesBps ?? 0) / 1e4;
  if (!(feeRate >= 0)) throw new InvalidParameterError('feesBps', options.feesBps, 'expected >= 0');
  const slip = (options.slippageBps ?? 0) / 1e4;
  if (!(slip >= 0) || !Number.isFinite(slip))
    throw new InvalidParameterError('slippageBps', options.slippageBps, 'expected a finite number >= 0');
  const featureNames = Object.keys(options.features ?? {});
  const featureColumns = featureNames.map((name) => {
    const column = options.features![name]!;
    if (column.length !== n)
      throw new ValidationError('shadowTrades', [
        { field: `features.${name}`, reason: `has ${column.length} values, bars have ${n}` },
      ]);
    return column;
  });
  const setups = Object.entries(options.entries);
  if (setups.length === 0) throw new InvalidParameterError('entries', options.entries, 'need at least one entry rule');
  for (const [name, rule] of setups) {
    if (typeof rule !== 'function' && rule.length !== n) {
      throw new ValidationError('shadowTrades', [
        { field: `entries.${name}`, reason: `mask has ${rule.length} values, bars have ${n}` },
      ]);
    }
  }
  const view = new SeriesView(bars);
  const { open, high, low, close, time } = bars;
  const trades: ShadowTrade[] = [];
  for (let t = 0; t + 1 < n; t++) {
    view.seek(t);
    for (const [setup, rule] of setups) {
      const fires = typeof rule === 'function' ? rule(view) : rule[t] === 1;
      if (!fires) continue;
      const e = t + 1;
      const entry = open[e]!;
      const stopLevel = stopLoss > 0 ? entry * (1 - dir * stopLoss) : Number.NaN;
      const target = takeProfit > 0 ? entry * (1 + dir * takeProfit) : Number.NaN;
      let best = entry;
      let worst = entry;
      let exitIndex = -1;
      let exitPrice = Number.NaN;
      let reason: ShadowExitReason = 'endOfData';
      const last = Math.min(n - 1, e + maxHold - 1);
      for (let j = e; j <= last; j++) {
        let stop = stopLevel;
        let trailing = false;
        if (trail > 0) {
          const level = dir > 0 ? best * (1 - trail) : best * (1 + trail);
          if (!(dir > 0 ? level <= stop : level >= stop)) {
            stop = level;
            trailing = true;
          }
        }
        const hit = bracketExit(dir, open[j]!, high[j]!, low[j]!, stop, target);
        if (hit !== BRACKET_NONE) {
          exitIndex = j;
          exitPrice = bracketFillPrice(dir, hit, open[j]!, stop, target);
          reason = hit === BRACKET_STOP ? (trailing ? 'trailingStop' : 'stopLoss') : 'takeProfit';
          break;
        }
        const fav = dir > 0 ? high[j]! : low[j]!;
        const adv = dir > 0 ? low[j]! : high[j]!;
        if (dir > 0 ? fav > best : fav < best) best = fav;
        if (dir > 0 ? adv < worst : adv > worst) worst = adv;
      }
      if (exitIndex < 0) {
        exitIndex = last;
        exitPrice = close[last]!;
        reason = last === e + maxHold - 1 ? 'timeExit' : 'endOfData';
      }
      if (dir > 0 ? exitPrice > best : exitPrice < best) best = exitPrice;
      if (dir > 0 ? exitPrice < worst : exitPrice > worst) worst = exitPrice;
      const entryFill = entry * (1 + dir * slip);
      const exitFill = exitPrice * (1 - dir * slip);
      const returnPct = (dir * (exitFill - entryFill)) / entryFill - feeRate * (1 + exitFill / entryFill);
      const driftIndex = exitIndex + post;
      let postExitBest = Number.NaN;
      for (let j = exitIndex + 1; j <= Math.min(n - 1, exitIndex + post); j++) {
        const move = (dir * ((dir > 0 ? high[j]! : low[j]!) - exitPrice)) / exitPrice;
        if (!(move <= postExitBest)) postExitBest = move;
      }
      const features = new Float64Array(featureColumns.length);
      for (let f = 0; f < featureColumns.length; f++) features[f] = featureColumns[f]![t]!;
      trades.push({
        setup,
        side: dir > 0 ? 'long' : 'short',
        decisionIndex: t,
        entryIndex: e,
        exitIndex,
        entryTime: time[e]!,
        exitTime: time[exitIndex]!,
        entryPrice: entry,
        exitPrice,
        returnPct,
        outcome: returnPct > 0 ? 'win' : returnPct < 0 ? 'loss' : 'flat',
        exitReason: reason,
        mfe: (dir * (best - entry)) / entry,
        mae: (dir * (entry - worst)) / entry,
        holdBars: exitIndex - e + 1,
        postExitDrift: driftIndex < n ? (dir * (close[driftIndex]! - exitPrice)) / exitPrice : Number.NaN,
        postExitBest,
        leftOnTable: Number.isNaN(postExitBest) ? Number.NaN : Math.max(0, postExitBest),
        features,
      });
    }
  }
  return { trades, featureNames };
}
