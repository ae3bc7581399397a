import { InvalidParameterError } from '@candlelab/core';
import { equityFromReturns } from '@candlelab/metrics';

/** One symbol's backtested per-bar series, as a portfolio merge reads them. */
export interface PortfolioPart {
  /** Bar times (UTC ms), sorted ascending. */
  time: Float64Array;
  /** Per-bar simple returns of the symbol's strategy. */
  returns: Float64Array;
  /** Per-bar simple returns of holding the symbol (for the buy-and-hold comparison). */
  holdReturns: Float64Array;
  /** Position held per bar (0 = flat); gives the portfolio's exposure. */
  positions: ArrayLike<number>;
  /** The part's own equity curves (one point per bar, starting at 1): a single part keeps them bit for bit. */
  equity?: Float64Array;
  holdEquity?: Float64Array;
}

/** An equal-weight portfolio over the union of the parts' bar times. */
export interface Portfolio {
  time: Float64Array;
  returns: Float64Array;
  holdReturns: Float64Array;
  /** Fraction of the symbols trading at that bar that hold a position. */
  exposure: Float64Array;
  /** Equity starting at 1 (one point per bar, after that bar's return): `equityFromReturns(returns)` without its leading 1. */
  equity: Float64Array;
  holdEquity: Float64Array;
  /** Symbols with a bar at each time. */
  members: Uint16Array;
}

/**
 * Merges per-symbol backtests into one portfolio that rebalances to equal weights every bar
 * among the symbols that have that bar: the portfolio return at time t is the mean of the
 * returns of the symbols trading at t. A single part is returned unchanged (as a portfolio): its
 * own equity curves when given, so its totals equal the part's to the last bit.
 */
export function mergePortfolio(parts: readonly PortfolioPart[]): Portfolio {
  if (parts.length === 0) throw new InvalidParameterError('parts', parts, 'need at least one backtest');
  parts.forEach((part, p) => {
    const n = part.time.length;
    if (part.returns.length !== n || part.holdReturns.length !== n || part.positions.length !== n)
      throw new InvalidParameterError(`parts[${p}]`, n, 'time, returns, holdReturns and positions differ in length');
  });
  // k-way merge of the sorted time columns.
  const cursor = new Int32Array(parts.length);
  const total = parts.reduce((sum, part) => sum + part.time.length, 0);
  const time: number[] = [];
  const sums: Array<[number, number, number, number]> = [];
  for (let done = 0; done < total; ) {
    let next = Number.POSITIVE_INFINITY;
    for (let p = 0; p < parts.length; p++) {
      const c = cursor[p]!;
      if (c < parts[p]!.time.length) next = Math.min(next, parts[p]!.time[c]!);
    }
    const entry: [number, number, number, number] = [0, 0, 0, 0];
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]!;
      const c = cursor[p]!;
      if (c < part.time.length && part.time[c] === next) {
        entry[0] += part.returns[c]!;
        entry[1] += part.holdReturns[c]!;
        entry[2] += part.positions[c] === 0 ? 0 : 1;
        entry[3] += 1;
        cursor[p] = c + 1;
        done++;
      }
    }
    time.push(next);
    sums.push(entry);
  }
  const n = time.length;
  const returns = new Float64Array(n);
  const holdReturns = new Float64Array(n);
  const exposure = new Float64Array(n);
  const members = new Uint16Array(n);
  sums.forEach(([r, h, e, count], i) => {
    returns[i] = r / count;
    holdReturns[i] = h / count;
    exposure[i] = e / count;
    members[i] = count;
  });
  const single = parts.length === 1 ? parts[0]! : undefined;
  return {
    time: Float64Array.from(time),
    returns,
    holdReturns,
    exposure,
    equity: single?.equity ?? equityFromReturns(returns).subarray(1),
    holdEquity: single?.holdEquity ?? equityFromReturns(holdReturns).subarray(1),
    members,
  };
}
