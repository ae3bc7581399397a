import {
  type Bars,
  Box,
  Discrete,
  type Env,
  InvalidParameterError,
  type ResetOptions,
  type ResetResult,
  Rng,
  type StepResult,
  ValidationError,
  type ValidationIssue,
} from '@candlelab/core';
import { episodeBounds, episodeStart, type RowRange } from './episodeBounds.js';

/** How a discrete action is read: a target position, or an order relative to the current position. */
export type ActionScheme = 'targetPosition' | 'holdBuySell';

/** The per-step reward. */
export type TradingReward = 'pnl' | 'logReturn' | 'differentialSharpe' | 'drawdownPenalised';

/** A closed round trip. `pnl` is in cash units and includes both fills' fees and slippage. */
export interface ClosedTrade {
  side: 'long' | 'short';
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
  /** `pnl` over the equity just before entry. */
  returnPct: number;
}

/** What {@link TradingEnv} reports in `info` after each reset and step. */
export interface TradingInfo extends Record<string, unknown> {
  /** Marked-to-market equity at the decision bar's close (cash units; starts at `initialCash`). */
  equity: number;
  /** Current position: -1 short, 0 flat, 1 long. */
  position: number;
  /** Row index of the decision bar. */
  index: number;
  /** Open time of the decision bar (epoch ms). */
  time: number;
  /** Round trips closed so far in this episode (the env's own array: copy before mutating). */
  trades: readonly ClosedTrade[];
}

export interface TradingEnvOptions {
  bars: Bars;
  /** Row-major `n × featureNames.length` matrix aligned with `bars` (row i known at the close of bar i). */
  features: Float64Array;
  featureNames: readonly string[];
  /** Feature rows per observation, ending at the decision bar (default 16). */
  window?: number;
  /** Action reading (default 'targetPosition'). */
  actionScheme?: ActionScheme;
  /** Allow short positions (default true). Without shorts, 'targetPosition' has actions flat/long. */
  allowShort?: boolean;
  /** Fee as a fraction of traded notional (default 0.001 = 10 bp). */
  fee?: number;
  /** Slippage as a fraction of the fill price, against the trader (default 0.0005). */
  slippage?: number;
  /** Reward (default 'logReturn'). */
  reward?: TradingReward;
  /** Weight of the drawdown increase in 'drawdownPenalised' (default 1). */
  drawdownPenalty?: number;
  /** Adaptation rate η of the differential Sharpe ratio's moving moments (default 0.01). */
  sharpeEta?: number;
  /** Rows `[start, end)` episodes may use (default all): set it to the training period. */
  range?: RowRange;
  /** Steps per episode (default: until the end of the range). */
  episodeLength?: number;
  /** Start each episode at a uniformly random bar of the range (default true); otherwise at its first usable bar. */
  randomStart?: boolean;
  /** Starting cash (default 1). */
  initialCash?: number;
  /** Seed of the start-bar generator when `reset()` gets none (default 0). */
  seed?: number;
}

/**
 * A single-asset trading environment over candles and a feature matrix. At decision bar `t` the
 * agent sees feature rows `t-window+1 … t` plus its position state (position, unrealised return
 * at close t); nothing of any later bar. Its order fills at the **next bar's open** (`open[t+1]`)
 * with slippage and fees, and the equity is then marked at `close[t+1]`, the next decision bar.
 * The whole equity is committed: position ±1 means fully long/short. An episode ends truncated at
 * the end of the range or after `episodeLength` steps, terminated if equity reaches 0.
 *
 * Rewards: 'pnl' = equity change / initial cash; 'logReturn' = ln(E[t+1]/E[t]);
 * 'differentialSharpe' = Moody & Saffell (1998) differential Sharpe ratio of simple returns;
 * 'drawdownPenalised' = logReturn − drawdownPenalty × (increase of the drawdown from the peak).
 */
export class TradingEnv implements Env<Box, Discrete, TradingInfo> {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  readonly featureNames: readonly string[];
  private readonly bars: Bars;
  private readonly features: Float64Array;
  private readonly d: number;
  private readonly window: number;
  private readonly scheme: ActionScheme;
  private readonly allowShort: boolean;
  private readonly fee: number;
  private readonly slippage: number;
  private readonly rewardKind: TradingReward;
  private readonly drawdownPenalty: number;
  private readonly eta: number;
  private readonly first: number;
  private readonly end: number;
  private readonly episodeLength: number | undefined;
  private readonly randomStart: boolean;
  private readonly initialCash: number;
  private rng: Rng;
  // episode state
  private t = 0;
  private stepsLeft = 0;
  private position = 0;
  private units = 0;
  private cash = 0;
  private equity = 0;
  private peak = 0;
  private entryPrice = 0;
  private entryTime = 0;
  private equityBeforeEntry = 0;
  private sharpeA = 0;
  private sharpeB = 0;
  private trades: ClosedTrade[] = [];

  constructor(options: TradingEnvOptions) {
    const { bars, features, featureNames } = options;
    const n = bars.time.length;
    this.d = featureNames.length;
    if (this.d === 0) throw new InvalidParameterError('featureNames', featureNames, 'need at least one feature');
    if (features.length !== n * this.d) {
      throw new InvalidParameterError(
        'features',
        features.length,
        `expected ${n} rows × ${this.d} features = ${n * this.d} values`,
      );
    }
    this.window = positiveInteger('window', options.window ?? 16);
    this.scheme = options.actionScheme ?? 'targetPosition';
    this.allowShort = options.allowShort ?? true;
    this.fee = nonNegative('fee', options.fee ?? 0.001);
    this.slippage = nonNegative('slippage', options.slippage ?? 0.0005);
    this.rewardKind = options.reward ?? 'logReturn';
    this.drawdownPenalty = nonNegative('drawdownPenalty', options.drawdownPenalty ?? 1);
    this.eta = options.sharpeEta ?? 0.01;
    if (!(this.eta > 0 && this.eta < 1)) throw new InvalidParameterError('sharpeEta', this.eta, 'expected 0 < η < 1');
    this.initialCash = options.initialCash ?? 1;
    if (!(this.initialCash > 0)) throw new InvalidParameterError('initialCash', this.initialCash, 'expected > 0');
    this.episodeLength =
      options.episodeLength === undefined ? undefined : positiveInteger('episodeLength', options.episodeLength);
    this.randomStart = options.randomStart ?? true;
    const bounds = episodeBounds(n, options.range, this.window - 1, this.episodeLength);
    this.first = bounds.first;
    this.end = bounds.end;
    checkFinite(features, this.d, featureNames, bounds.rangeStart, this.end);
    this.bars = bars;
    this.features = features;
    this.featureNames = featureNames;
    this.rng = new Rng(options.seed ?? 0);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [this.window * this.d + 2]);
    this.actionSpace = new Discrete(tradingActionNames(this.scheme, this.allowShort).length);
  }

  reset(options: ResetOptions = {}): ResetResult<Float64Array, TradingInfo> {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    ({ t: this.t, stepsLeft: this.stepsLeft } = episodeStart(
      this.rng,
      { first: this.first, end: this.end },
      this.episodeLength,
      this.randomStart,
    ));
    this.position = 0;
    this.units = 0;
    this.cash = this.initialCash;
    this.equity = this.initialCash;
    this.peak = this.initialCash;
    this.sharpeA = 0;
    this.sharpeB = 0;
    this.trades = [];
    return { observation: this.observe(), info: this.info() };
  }

  step(action: number): StepResult<Float64Array, TradingInfo> {
    if (!this.actionSpace.contains(action))
      throw new InvalidParameterError('action', action, `expected an integer in [0, ${this.actionSpace.n})`);
    if (this.stepsLeft <= 0) throw new InvalidParameterError('step', this.t, 'the episode has ended: call reset()');
    const next = this.t + 1;
    const target = positionAfterAction(this.scheme, this.allowShort, this.position, action);
    if (target !== this.position) {
      const open = this.bars.open[next]!;
      const time = this.bars.time[next]!;
      if (this.position !== 0) this.closePosition(open, time);
      if (target !== 0) this.openPosition(target, open, time);
    }
    const previous = this.equity;
    this.t = next;
    this.stepsLeft--;
    this.equity = this.cash + this.units * this.bars.close[next]!;
    const terminated = this.equity <= 0;
    const reward = this.reward(previous, this.equity);
    return {
      observation: this.observe(),
      reward,
      terminated,
      truncated: !terminated && this.stepsLeft <= 0,
      info: this.info(),
    };
  }

  private closePosition(open: number, time: number): void {
    const price = open * (1 - Math.sign(this.units) * this.slippage);
    this.cash += this.units * price - this.fee * Math.abs(this.units) * price;
    this.units = 0;
    const pnl = this.cash - this.equityBeforeEntry;
    this.trades.push({
      side: this.position > 0 ? 'long' : 'short',
      entryTime: this.entryTime,
      exitTime: time,
      entryPrice: this.entryPrice,
      exitPrice: price,
      pnl,
      returnPct: pnl / this.equityBeforeEntry,
    });
    this.position = 0;
  }

  private openPosition(target: number, open: number, time: number): void {
    const price = tradingEntryPrice(open, target, this.slippage);
    // Commit the whole equity: notional * (1 + fee) = cash.
    const notional = this.cash / (1 + this.fee);
    this.equityBeforeEntry = this.cash;
    this.units = (target * notional) / price;
    this.cash -= target * notional + this.fee * notional;
    this.position = target;
    this.entryPrice = price;
    this.entryTime = time;
  }

  private reward(previous: number, current: number): number {
    switch (this.rewardKind) {
      case 'pnl':
        return (current - previous) / this.initialCash;
      case 'logReturn':
        return safeLogRatio(current, previous);
      case 'drawdownPenalised': {
        const before = 1 - previous / this.peak;
        this.peak = Math.max(this.peak, current);
        const after = 1 - current / this.peak;
        return safeLogRatio(current, previous) - this.drawdownPenalty * Math.max(0, after - before);
      }
      case 'differentialSharpe': {
        const r = current / previous - 1;
        const a = this.sharpeA;
        const b = this.sharpeB;
        const dA = r - a;
        const dB = r * r - b;
        const variance = b - a * a;
        this.sharpeA = a + this.eta * dA;
        this.sharpeB = b + this.eta * dB;
        return variance > 1e-12 ? (b * dA - 0.5 * a * dB) / variance ** 1.5 : 0;
      }
    }
  }

  private observe(): Float64Array {
    const from = (this.t - this.window + 1) * this.d;
    return tradingObservation(
      this.features.subarray(from, from + this.window * this.d),
      this.position,
      this.bars.close[this.t]!,
      this.entryPrice,
    );
  }

  private info(): TradingInfo {
    return {
      equity: this.equity,
      position: this.position,
      index: this.t,
      time: this.bars.time[this.t]!,
      trades: this.trades,
    };
  }
}

/** Names of {@link TradingEnv}'s actions, in action order (so its action space has this many). */
export function tradingActionNames(actionScheme: ActionScheme, allowShort: boolean): string[] {
  if (actionScheme === 'holdBuySell') return ['hold', 'buy', 'sell'];
  return allowShort ? ['short', 'flat', 'long'] : ['flat', 'long'];
}

/**
 * The position after `action` from `current`, as {@link TradingEnv} reads actions:
 * `targetPosition` → the action names the position (short/flat/long, or flat/long without
 * shorts); `holdBuySell` → 0 holds, 1 steps up, 2 steps down, within [−1 or 0, 1]. Exported so a
 * live path replays an agent's positions with the env's own rule.
 */
export function positionAfterAction(
  actionScheme: ActionScheme,
  allowShort: boolean,
  current: number,
  action: number,
): number {
  if (actionScheme === 'targetPosition') return allowShort ? action - 1 : action;
  if (action === 1) return Math.min(1, current + 1);
  if (action === 2) return Math.max(allowShort ? -1 : 0, current - 1);
  return current;
}

/**
 * The fill price {@link TradingEnv} records for an entry to `position` (±1) at the bar's `open`:
 * slippage against the trader. A live path feeds it back as the entry price of the observation.
 */
export function tradingEntryPrice(open: number, position: number, slippage: number): number {
  return open * (1 + position * slippage);
}

/**
 * {@link TradingEnv}'s observation layout: the `window` feature rows ending at the decision bar
 * (row-major), then the position and its unrealised return at the decision bar's close
 * (`position × (close / entryPrice − 1)`, 0 when flat; `entryPrice` includes slippage).
 */
export function tradingObservation(
  featureRows: ArrayLike<number>,
  position: number,
  close: number,
  entryPrice: number,
): Float64Array {
  const n = featureRows.length;
  const out = new Float64Array(n + 2);
  for (let k = 0; k < n; k++) out[k] = featureRows[k]!;
  out[n] = position;
  out[n + 1] = position === 0 ? 0 : position * (close / entryPrice - 1);
  return out;
}

function safeLogRatio(current: number, previous: number): number {
  return current > 0 && previous > 0 ? Math.log(current / previous) : -10;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new InvalidParameterError(name, value, 'expected a positive integer');
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value))
    throw new InvalidParameterError(name, value, 'expected a finite number >= 0');
  return value;
}

/** Observations must be finite: every feature of the usable rows is checked once, naming row and feature. */
function checkFinite(features: Float64Array, d: number, names: readonly string[], start: number, end: number): void {
  const issues: ValidationIssue[] = [];
  for (let row = start; row < end && issues.length < 20; row++) {
    for (let j = 0; j < d; j++) {
      const v = features[row * d + j]!;
      if (!Number.isFinite(v))
        issues.push({ row, field: names[j], reason: `feature is ${v}; trim the warm-up rows with the range option` });
    }
  }
  if (issues.length > 0) throw new ValidationError('TradingEnv features', issues);
}
