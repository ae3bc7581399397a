import {
  type Bars,
  Box,
  type Env,
  InvalidParameterError,
  type ResetOptions,
  type ResetResult,
  Rng,
  type StepResult,
} from '@candlelab/core';
import { episodeBounds, episodeStart, type RowRange } from './episodeBounds.js';

/** What {@link PortfolioEnv} reports in `info`. */
export interface PortfolioInfo extends Record<string, unknown> {
  /** Portfolio value at the decision bar's close (starts at 1). */
  equity: number;
  /** Current (drifted) weights: one per asset, then cash; they sum to 1. */
  weights: Float64Array;
  /** Turnover Σ|Δw| of the last rebalance (0 after reset). */
  turnover: number;
  /** Row index of the decision bar. */
  index: number;
  /** Open time of the decision bar (epoch ms). */
  time: number;
}

export interface PortfolioEnvOptions {
  /** Bars of each asset, all with identical times. */
  assets: readonly Bars[];
  /** Close-to-close log returns per asset in the observation, ending at the decision bar (default 16). */
  window?: number;
  /** Cost as a fraction of traded value, charged on Σ|Δw| over the assets (default 0.001). */
  turnoverCost?: number;
  /** Rows `[start, end)` episodes may use (default all). */
  range?: RowRange;
  /** Steps per episode (default: until the end of the range). */
  episodeLength?: number;
  /** Random start bar within the range (default true). */
  randomStart?: boolean;
  /** Seed of the start-bar generator when `reset()` gets none (default 0). */
  seed?: number;
}

/** Logit bound of the action box: softmax weights between e^-10 and 1 are reachable. */
const LOGIT_BOUND = 10;

/**
 * A long-only multi-asset portfolio environment. The action is a vector of `assets + 1` logits,
 * mapped by softmax to target weights over the assets and cash. Decided at bar t's close, the
 * rebalance happens at the next bar's open (old weights earn the close→open gap), costs
 * `turnoverCost × Σ|Δw|`, and the reward is the log return of the portfolio from close t to
 * close t+1. Observation: `window` log returns per asset (row-major, time-major) then the
 * current weights.
 */
export class PortfolioEnv implements Env<Box, Box, PortfolioInfo> {
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  private readonly assets: readonly Bars[];
  private readonly m: number;
  private readonly window: number;
  private readonly cost: number;
  private readonly first: number;
  private readonly end: number;
  private readonly episodeLength: number | undefined;
  private readonly randomStart: boolean;
  private rng: Rng;
  private t = 0;
  private stepsLeft = 0;
  private equity = 1;
  private turnover = 0;
  private readonly weights: Float64Array;
  private readonly target: Float64Array;

  constructor(options: PortfolioEnvOptions) {
    const { assets } = options;
    const base = assets[0];
    if (!base) throw new InvalidParameterError('assets', assets.length, 'need at least one asset');
    const n = base.time.length;
    assets.forEach((bars, k) => {
      if (bars.time.length !== n)
        throw new InvalidParameterError(`assets[${k}]`, bars.time.length, `expected ${n} bars like assets[0]`);
      for (let i = 0; i < n; i++) {
        if (bars.time[i] !== base.time[i])
          throw new InvalidParameterError(
            `assets[${k}].time[${i}]`,
            bars.time[i],
            `differs from assets[0] (${base.time[i]})`,
          );
      }
    });
    this.assets = assets;
    this.m = assets.length;
    this.window = options.window ?? 16;
    if (!Number.isInteger(this.window) || this.window <= 0)
      throw new InvalidParameterError('window', this.window, 'expected a positive integer');
    this.cost = options.turnoverCost ?? 0.001;
    if (!(this.cost >= 0 && this.cost < 1))
      throw new InvalidParameterError('turnoverCost', this.cost, 'expected 0 <= cost < 1');
    this.episodeLength = options.episodeLength;
    if (this.episodeLength !== undefined && (!Number.isInteger(this.episodeLength) || this.episodeLength <= 0)) {
      throw new InvalidParameterError('episodeLength', this.episodeLength, 'expected a positive integer');
    }
    this.randomStart = options.randomStart ?? true;
    const bounds = episodeBounds(n, options.range, this.window, this.episodeLength);
    this.first = bounds.first;
    this.end = bounds.end;
    this.rng = new Rng(options.seed ?? 0);
    this.weights = new Float64Array(this.m + 1);
    this.target = new Float64Array(this.m + 1);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [
      this.window * this.m + this.m + 1,
    ]);
    this.actionSpace = new Box(-LOGIT_BOUND, LOGIT_BOUND, [this.m + 1]);
  }

  reset(options: ResetOptions = {}): ResetResult<Float64Array, PortfolioInfo> {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    ({ t: this.t, stepsLeft: this.stepsLeft } = episodeStart(
      this.rng,
      { first: this.first, end: this.end },
      this.episodeLength,
      this.randomStart,
    ));
    this.equity = 1;
    this.turnover = 0;
    this.weights.fill(0);
    this.weights[this.m] = 1;
    return { observation: this.observe(), info: this.info() };
  }

  step(action: Float64Array): StepResult<Float64Array, PortfolioInfo> {
    if (action.length !== this.m + 1)
      throw new InvalidParameterError('action', action.length, `expected ${this.m + 1} logits`);
    if (this.stepsLeft <= 0) throw new InvalidParameterError('step', this.t, 'the episode has ended: call reset()');
    softmax(action, this.target);
    const { ratio, turnover } = rebalanceStep(this.assets, this.t, this.weights, this.target, this.cost);
    this.equity *= ratio;
    this.turnover = turnover;
    this.t += 1;
    this.stepsLeft--;
    return {
      observation: this.observe(),
      reward: Math.log(ratio),
      terminated: false,
      truncated: this.stepsLeft <= 0,
      info: this.info(),
    };
  }

  private observe(): Float64Array {
    return portfolioObservation(this.assets, this.t, this.window, this.weights);
  }

  private info(): PortfolioInfo {
    return {
      equity: this.equity,
      weights: this.weights.slice(),
      turnover: this.turnover,
      index: this.t,
      time: this.assets[0]!.time[this.t]!,
    };
  }
}

/**
 * {@link PortfolioEnv}'s observation at decision bar t: the close-to-close log returns of bars
 * `t − window + 1 … t` (time-major, one per asset), then the current weights (assets, cash).
 * Exported so a live path decides from exactly what the agent trained on.
 */
export function portfolioObservation(
  assets: readonly RebalancePrices[],
  t: number,
  window: number,
  weights: ArrayLike<number>,
): Float64Array {
  const m = assets.length;
  const out = new Float64Array(window * m + weights.length);
  let o = 0;
  for (let i = t - window + 1; i <= t; i++) {
    for (let k = 0; k < m; k++) out[o++] = Math.log(assets[k]!.close[i]! / assets[k]!.close[i - 1]!);
  }
  for (let k = 0; k < weights.length; k++) out[o++] = weights[k]!;
  return out;
}

/** The prices a rebalance step reads (a core `Bars` satisfies it). */
export interface RebalancePrices {
  open: Float64Array;
  close: Float64Array;
}

/**
 * One bar of a long-only portfolio rebalanced to `target` weights (assets then cash, summing to
 * 1) decided at bar t's close: the held `weights` earn close t → open t+1, the rebalance at open
 * t+1 costs `cost × Σ|target − drifted|` over the assets, the targets earn open t+1 → close t+1.
 * Updates `weights` in place to the drifted weights at close t+1 and returns the equity ratio
 * close t → close t+1 and the turnover. `PortfolioEnv` and `@candlelab/backtest`'s weights
 * backtest both step with it, so a backtest of an agent's weights is its env equity.
 */
export function rebalanceStep(
  assets: readonly RebalancePrices[],
  t: number,
  weights: Float64Array,
  target: ArrayLike<number>,
  cost: number,
): { ratio: number; turnover: number } {
  const m = assets.length;
  const next = t + 1;
  const w = weights;
  // 1. close t → open t+1 with the old weights.
  let growth = w[m]!;
  for (let k = 0; k < m; k++) growth += w[k]! * (assets[k]!.open[next]! / assets[k]!.close[t]!);
  // 2. rebalance at the open: cost on the traded fraction of the assets.
  let turnover = 0;
  for (let k = 0; k < m; k++) {
    const drifted = (w[k]! * (assets[k]!.open[next]! / assets[k]!.close[t]!)) / growth;
    turnover += Math.abs(target[k]! - drifted);
  }
  const afterCost = growth * (1 - cost * turnover);
  // 3. open t+1 → close t+1 with the target weights.
  let growth2 = target[m]!;
  for (let k = 0; k < m; k++) growth2 += target[k]! * (assets[k]!.close[next]! / assets[k]!.open[next]!);
  for (let k = 0; k < m; k++) w[k] = (target[k]! * (assets[k]!.close[next]! / assets[k]!.open[next]!)) / growth2;
  w[m] = target[m]! / growth2;
  return { ratio: afterCost * growth2, turnover };
}

/** Numerically stable softmax of `logits` into `out`. */
export function softmax(logits: ArrayLike<number>, out: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < logits.length; i++) out[i] = out[i]! / sum;
  return out;
}
