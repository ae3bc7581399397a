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

/** What {@link SizingEnv} reports in `info` after each reset and step. */
export interface SizingInfo extends Record<string, unknown> {
  /** Marked-to-market equity at the decision bar's close (starts at 1). */
  equity: number;
  /** Target position after the last step: direction × size (0 after reset). */
  position: number;
  /** Size chosen at the last step (0 after reset). */
  size: number;
  /** Row index of the decision bar. */
  index: number;
  /** Open time of the decision bar (epoch ms). */
  time: number;
}

export interface SizingEnvOptions {
  bars: Bars;
  /** Row-major `n × featureNames.length` matrix aligned with `bars` (row i known at the close of bar i). */
  features: Float64Array;
  featureNames: readonly string[];
  /** Direction decided at each bar's close by another model (−1, 0 or 1), aligned with `bars`. */
  direction: ArrayLike<number>;
  /** Size of each action, a fraction of equity in [0, 1] (action k sizes the position at `sizes[k]`). */
  sizes: readonly number[];
  /** Feature rows per observation, ending at the decision bar (default 4). */
  window?: number;
  /** Fee as a fraction of traded notional (default 0.001 = 10 bp). */
  fee?: number;
  /** Slippage as a fraction of the fill price, against the trader (default 0.0005). */
  slippage?: number;
  /** Rows `[start, end)` episodes may use (default all): set it to the training period. */
  range?: RowRange;
  /** Steps per episode (default: until the end of the range). */
  episodeLength?: number;
  /** Start each episode at a uniformly random bar of the range (default true). */
  randomStart?: boolean;
  /** Seed of the start-bar generator when `reset()` gets none (default 0). */
  seed?: number;
}

/**
 * The position of a sized entry: the direction another model decided (−1, 0 or 1) times the
 * size the allocator chose (`sizes[action]`). The one place direction and size combine: the
 * env's steps, a strategy's backtest and its live `predict` all call it.
 */
export function sizedPosition(direction: number, sizes: readonly number[], action: number): number {
  const size = sizes[action];
  if (size === undefined)
    throw new InvalidParameterError('action', action, `expected an integer in [0, ${sizes.length})`);
  return direction * size;
}

/**
 * {@link SizingEnv}'s observation layout: the `window` feature rows ending at the decision bar
 * (row-major), then the direction decided at that bar. It holds nothing of the allocator's own
 * position, so a decision depends on the data up to the bar only (no position log needed live).
 */
export function sizingObservation(featureRows: ArrayLike<number>, direction: number): Float64Array {
  const n = featureRows.length;
  const out = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) out[k] = featureRows[k]!;
  out[n] = direction;
  return out;
}

/**
 * A position-sizing environment: another model decides the direction of each bar (entries and
 * exits); the agent only chooses how much of the equity to commit, from a fixed list of sizes.
 * Decided at bar t's close, the target `direction[t] × size` fills at bar t+1's open the way
 * `@candlelab/backtest`'s vectorized engine fills a target fraction (units re-sized only when the
 * target changes, slippage against the trade, fee on the traded notional), and the equity is
 * marked at close t+1. Reward: the log return of the equity over the step.
 */
export class SizingEnv implements Env<Box, Discrete, SizingInfo> {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  private readonly bars: Bars;
  private readonly features: Float64Array;
  private readonly direction: ArrayLike<number>;
  private readonly sizes: readonly number[];
  private readonly d: number;
  private readonly window: number;
  private readonly fee: number;
  private readonly slippage: number;
  private readonly first: number;
  private readonly end: number;
  private readonly episodeLength: number | undefined;
  private readonly randomStart: boolean;
  private rng: Rng;
  private t = 0;
  private stepsLeft = 0;
  private cash = 1;
  private units = 0;
  private target = 0;
  private size = 0;
  private equity = 1;

  constructor(options: SizingEnvOptions) {
    const { bars, features, featureNames, direction, sizes } = options;
    const n = bars.time.length;
    this.d = featureNames.length;
    if (this.d === 0) throw new InvalidParameterError('featureNames', featureNames, 'need at least one feature');
    if (features.length !== n * this.d)
      throw new InvalidParameterError('features', features.length, `expected ${n} rows × ${this.d} features`);
    if (direction.length !== n) throw new InvalidParameterError('direction', direction.length, `expected ${n} values`);
    if (sizes.length < 2 || sizes.some((s) => !(s >= 0 && s <= 1)))
      throw new InvalidParameterError('sizes', sizes, 'expected at least two sizes in [0, 1]');
    this.window = options.window ?? 4;
    if (!Number.isInteger(this.window) || this.window <= 0)
      throw new InvalidParameterError('window', this.window, 'expected a positive integer');
    this.fee = options.fee ?? 0.001;
    this.slippage = options.slippage ?? 0.0005;
    if (!(this.fee >= 0 && this.fee < 1)) throw new InvalidParameterError('fee', this.fee, 'expected 0 <= fee < 1');
    if (!(this.slippage >= 0 && this.slippage < 1))
      throw new InvalidParameterError('slippage', this.slippage, 'expected 0 <= slippage < 1');
    this.episodeLength = options.episodeLength;
    this.randomStart = options.randomStart ?? true;
    const bounds = episodeBounds(n, options.range, this.window - 1, this.episodeLength);
    this.first = bounds.first;
    this.end = bounds.end;
    const issues: ValidationIssue[] = [];
    for (let row = bounds.rangeStart; row < this.end && issues.length < 20; row++) {
      for (let j = 0; j < this.d; j++)
        if (!Number.isFinite(features[row * this.d + j]!))
          issues.push({ row, field: featureNames[j], reason: 'feature is not finite' });
      const dir = direction[row]!;
      if (row >= bounds.first && dir !== -1 && dir !== 0 && dir !== 1)
        issues.push({ row, field: 'direction', reason: `${dir} is not −1, 0 or 1` });
    }
    if (issues.length > 0) throw new ValidationError('SizingEnv inputs', issues);
    this.bars = bars;
    this.features = features;
    this.direction = direction;
    this.sizes = [...sizes];
    this.rng = new Rng(options.seed ?? 0);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [this.window * this.d + 1]);
    this.actionSpace = new Discrete(sizes.length);
  }

  reset(options: ResetOptions = {}): ResetResult<Float64Array, SizingInfo> {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    ({ t: this.t, stepsLeft: this.stepsLeft } = episodeStart(
      this.rng,
      { first: this.first, end: this.end },
      this.episodeLength,
      this.randomStart,
    ));
    this.cash = 1;
    this.units = 0;
    this.target = 0;
    this.size = 0;
    this.equity = 1;
    return { observation: this.observe(), info: this.info() };
  }

  step(action: number): StepResult<Float64Array, SizingInfo> {
    if (!this.actionSpace.contains(action))
      throw new InvalidParameterError('action', action, `expected an integer in [0, ${this.actionSpace.n})`);
    if (this.stepsLeft <= 0) throw new InvalidParameterError('step', this.t, 'the episode has ended: call reset()');
    const next = this.t + 1;
    const wanted = sizedPosition(this.direction[this.t]!, this.sizes, action);
    if (wanted !== this.target) this.fill(wanted, this.bars.open[next]!);
    const previous = this.equity;
    this.size = this.sizes[action]!;
    this.t = next;
    this.stepsLeft--;
    this.equity = this.cash + this.units * this.bars.close[next]!;
    const terminated = this.equity <= 0;
    return {
      observation: this.observe(),
      reward: this.equity > 0 && previous > 0 ? Math.log(this.equity / previous) : -10,
      terminated,
      truncated: !terminated && this.stepsLeft <= 0,
      info: this.info(),
    };
  }

  /** Re-sizes to `wanted` × equity at `open`, as the vectorized backtest fills a target change. */
  private fill(wanted: number, open: number): void {
    const equity = this.cash + this.units * open;
    const buying = wanted * equity > this.units * open;
    const price = buying ? open * (1 + this.slippage) : open * (1 - this.slippage);
    const desired = equity > 0 ? (wanted * equity) / price : 0;
    const traded = desired - this.units;
    this.cash -= traded * price + Math.abs(traded) * price * this.fee;
    this.units = desired;
    this.target = wanted;
  }

  private observe(): Float64Array {
    const from = (this.t - this.window + 1) * this.d;
    return sizingObservation(this.features.subarray(from, from + this.window * this.d), this.direction[this.t]!);
  }

  private info(): SizingInfo {
    return {
      equity: this.equity,
      position: this.target,
      size: this.size,
      index: this.t,
      time: this.bars.time[this.t]!,
    };
  }
}
