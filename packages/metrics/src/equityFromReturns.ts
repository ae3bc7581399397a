import { InvalidParameterError, ValidationError } from '@candlelab/core';
import { checkEquity, checkReturns } from './checkSeries.js';

/**
 * Equity curve compounded from per-bar simple returns: `equity[0] = initial` and
 * `equity[i + 1] = equity[i] · (1 + returns[i])`, so the result has `returns.length + 1` values
 * (the starting capital first). `initial` defaults to 1 and must be finite and > 0.
 */
export function equityFromReturns(returns: ArrayLike<number>, initial = 1): Float64Array {
  checkReturns('equityFromReturns', returns);
  if (!Number.isFinite(initial) || initial <= 0) {
    throw new InvalidParameterError('initial', initial, 'must be a finite number > 0');
  }
  const n = returns.length;
  const equity = new Float64Array(n + 1);
  let value = initial;
  equity[0] = value;
  for (let i = 0; i < n; i++) {
    value *= 1 + returns[i]!;
    equity[i + 1] = value;
  }
  return equity;
}

/**
 * Per-bar simple returns of an equity curve: `returns[i] = equity[i + 1] / equity[i] - 1`
 * (`equity.length - 1` values; the inverse of {@link equityFromReturns}). Every value but the
 * last must be > 0 (a return from zero equity is undefined); the last may be 0 (total loss).
 */
export function returnsFromEquity(equity: ArrayLike<number>): Float64Array {
  checkEquity('returnsFromEquity', equity, 2);
  const n = equity.length - 1;
  const returns = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const from = equity[i]!;
    if (from === 0) {
      throw new ValidationError('returnsFromEquity', [
        { row: i, field: 'equity', reason: 'is 0 before the end: the next return is undefined' },
      ]);
    }
    returns[i] = equity[i + 1]! / from - 1;
  }
  return returns;
}
