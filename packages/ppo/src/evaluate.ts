import { type Env, InvalidParameterError, type Space } from '@candlelab/core';
import { maxDrawdown as maxDrawdownOf, sharpeRatio, winRate } from '@candlelab/metrics';

/** Trading statistics of evaluation episodes, from the env's `info.equity` and `info.trades`. */
export interface TradingEvaluation {
  /** Sharpe ratio of the per-step simple equity returns (`@candlelab/metrics`), annualised by `periodsPerYear` (per step when not given). */
  sharpe: number;
  /** Win rate of closed trades (`@candlelab/metrics`: wins ÷ trades with non-zero P&L; NaN without trades). */
  winRate: number;
  /** Closed trades over all episodes. */
  trades: number;
  /** Σ over episodes of final − initial equity. */
  totalPnl: number;
  /** Mean over episodes of final / initial equity − 1. */
  meanReturn: number;
  /** Largest peak-to-trough equity decline within any episode, as a fraction (≥ 0). */
  maxDrawdown: number;
}

export interface EvaluationResult {
  meanReturn: number;
  stdReturn: number;
  returns: number[];
  lengths: number[];
  /** Present when the env reports a numeric `info.equity` (e.g. `TradingEnv`, `PortfolioEnv`). */
  trading?: TradingEvaluation;
}

export interface EvaluateOptions {
  /** Seed of the first episode's reset; later episodes continue the env's generator (default 0). */
  seed?: number;
  /** Bars per year to annualise the Sharpe ratio (default: not annualised). */
  periodsPerYear?: number;
}

/** Chooses an action for one observation. */
export type ActFunction = (observation: Float64Array) => number | Float64Array;

/**
 * Runs `episodes` full episodes of `env` with `act` and reports the undiscounted returns; for
 * envs that report equity it adds Sharpe, win rate, P&L and max drawdown (from `@candlelab/metrics`).
 */
export function evaluate(
  act: ActFunction,
  env: Env<Space, Space>,
  episodes: number,
  options: EvaluateOptions = {},
): EvaluationResult {
  if (!Number.isInteger(episodes) || episodes <= 0)
    throw new InvalidParameterError('episodes', episodes, 'expected a positive integer');
  const returns: number[] = [];
  const lengths: number[] = [];
  const stepReturns: number[] = [];
  let hasEquity = true;
  let totalPnl = 0;
  let sumEpisodeReturn = 0;
  let maxDrawdown = 0;
  const tradePnlList: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const reset = env.reset(e === 0 ? { seed: options.seed ?? 0 } : {});
    let observation = reset.observation;
    const initialEquity = equityOf(reset.info);
    hasEquity &&= initialEquity !== undefined;
    let equity = initialEquity ?? 0;
    const equityCurve = [equity];
    let total = 0;
    let length = 0;
    let info: unknown = reset.info;
    for (;;) {
      const result = env.step(act(toArray(observation)) as never);
      total += result.reward;
      length++;
      info = result.info;
      const next = equityOf(result.info);
      if (hasEquity && next !== undefined) {
        stepReturns.push(next / equity - 1);
        equity = next;
        equityCurve.push(equity);
      }
      observation = result.observation;
      if (result.terminated || result.truncated) break;
    }
    returns.push(total);
    lengths.push(length);
    if (hasEquity && initialEquity !== undefined) {
      totalPnl += equity - initialEquity;
      sumEpisodeReturn += equity / initialEquity - 1;
      if (equityCurve.length > 1) maxDrawdown = Math.max(maxDrawdown, maxDrawdownOf(equityCurve).maxDrawdown);
      tradePnlList.push(...tradePnls(info));
    }
  }
  const { mean, std } = meanStd(returns, 0);
  const result: EvaluationResult = { meanReturn: mean, stdReturn: std, returns, lengths };
  if (hasEquity) {
    result.trading = {
      sharpe: stepReturns.length > 1 ? sharpeRatio(stepReturns, { periodsPerYear: options.periodsPerYear ?? 1 }) : 0,
      winRate: tradePnlList.length > 0 ? winRate(tradePnlList) : Number.NaN,
      trades: tradePnlList.length,
      totalPnl,
      meanReturn: sumEpisodeReturn / episodes,
      maxDrawdown,
    };
  }
  return result;
}

function toArray(observation: unknown): Float64Array {
  return typeof observation === 'number' ? Float64Array.of(observation) : (observation as Float64Array);
}

function equityOf(info: unknown): number | undefined {
  if (typeof info !== 'object' || info === null) return undefined;
  const equity = (info as { equity?: unknown }).equity;
  return typeof equity === 'number' ? equity : undefined;
}

function tradePnls(info: unknown): number[] {
  if (typeof info !== 'object' || info === null) return [];
  const trades = (info as { trades?: unknown }).trades;
  if (!Array.isArray(trades)) return [];
  return trades.flatMap((t: unknown) =>
    typeof t === 'object' && t !== null && typeof (t as { pnl?: unknown }).pnl === 'number'
      ? [(t as { pnl: number }).pnl]
      : [],
  );
}

/** Mean and standard deviation with `ddof` (0: population, 1: sample). */
function meanStd(values: readonly number[], ddof: number): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: n - ddof > 0 ? Math.sqrt(ss / (n - ddof)) : 0 };
}
