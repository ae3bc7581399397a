import { InvalidParameterError } from '@candlelab/core';
import { type RebalancePrices, rebalanceStep } from '@candlelab/env';

export interface WeightsBacktestOptions {
  /** Commission in basis points of the traded fraction of the portfolio (Σ|Δw| over the assets). Default 0. */
  feesBps?: number;
  /** Slippage in basis points, charged like the fee on the traded fraction. Default 0. */
  slippageBps?: number;
}

/** A long-only portfolio's per-bar outcome. */
export interface WeightsBacktestResult {
  /** Portfolio value at each bar's close, 1 at the first bar (before any fill). */
  equity: Float64Array;
  /** Simple return per bar (0 at the first bar). */
  returns: Float64Array;
  /** Row-major `bars × (assets + 1)` weights held at each close (drifted; cash last). */
  weights: Float64Array;
  /** Turnover Σ|Δw| of the rebalance filled at each bar's open (0 at the first bar). */
  turnover: Float64Array;
  /** Fraction of the portfolio in assets at each close (1 − the cash weight). */
  exposure: Float64Array;
}

/**
 * Backtests target weights over several assets with identical bar times: row i of `targets`
 * (assets then cash, summing to 1) is decided at bar i's close and filled at bar i+1's open, at a
 * cost of (fees + slippage) × turnover — `@candlelab/env`'s `rebalanceStep`, the step of the
 * `PortfolioEnv` an allocator trains in, so the backtest of its weights is its env equity. The
 * last row decides nothing (there is no next open): bars `0 … n − 1` need `n − 1` target rows
 * at least; extra rows are ignored. The portfolio starts in cash.
 */
export function weightsBacktest(
  assets: readonly RebalancePrices[],
  targets: ArrayLike<number>,
  options: WeightsBacktestOptions = {},
): WeightsBacktestResult {
  const m = assets.length;
  if (m === 0) throw new InvalidParameterError('assets', m, 'need at least one asset');
  const n = assets[0]!.close.length;
  assets.forEach((a, k) => {
    if (a.close.length !== n || a.open.length !== n)
      throw new InvalidParameterError(`assets[${k}]`, a.close.length, `expected ${n} bars like assets[0]`);
  });
  const width = m + 1;
  if (targets.length < (n - 1) * width)
    throw new InvalidParameterError('targets', targets.length, `expected ${n - 1} rows × ${width} weights`);
  const cost = ((options.feesBps ?? 0) + (options.slippageBps ?? 0)) / 10_000;
  if (!(cost >= 0 && cost < 1)) throw new InvalidParameterError('feesBps', options.feesBps, 'expected costs >= 0');
  const equity = new Float64Array(n);
  const returns = new Float64Array(n);
  const held = new Float64Array(n * width);
  const turnover = new Float64Array(n);
  const exposure = new Float64Array(n);
  const w = new Float64Array(width);
  w[m] = 1;
  held.set(w, 0);
  equity[0] = 1;
  for (let i = 0; i + 1 < n; i++) {
    const target = Array.from({ length: width }, (_, k) => targets[i * width + k]!);
    const sum = target.reduce((a, b) => a + b, 0);
    if (target.some((x) => !(x >= 0)) || Math.abs(sum - 1) > 1e-9)
      throw new InvalidParameterError(`targets[${i}]`, target, 'expected non-negative weights summing to 1');
    const step = rebalanceStep(assets, i, w, target, cost);
    equity[i + 1] = equity[i]! * step.ratio;
    returns[i + 1] = step.ratio - 1;
    turnover[i + 1] = step.turnover;
    held.set(w, (i + 1) * width);
    exposure[i + 1] = 1 - w[m]!;
  }
  return { equity, returns, weights: held, turnover, exposure };
}
