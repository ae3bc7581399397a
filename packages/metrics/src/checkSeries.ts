import { InvalidParameterError, NotEnoughDataError, ValidationError, type ValidationIssue } from '@candlelab/core';

const MAX_ISSUES = 10;

/**
 * Boundary check for a numeric series: throws a {@link ValidationError} naming `name` when it is
 * empty or holds non-finite values (listing the offending indices), and a
 * {@link NotEnoughDataError} when it has fewer than `minLength` values.
 */
export function checkSeries(context: string, name: string, values: ArrayLike<number>, minLength = 1): void {
  const n = values.length;
  if (n === 0) throw new ValidationError(context, [{ field: name, reason: 'is empty' }]);
  const issues: ValidationIssue[] = [];
  let truncated = false;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) continue;
    if (issues.length === MAX_ISSUES) {
      truncated = true;
      break;
    }
    issues.push({ row: i, field: name, reason: `is not finite (${v})` });
  }
  if (issues.length > 0) throw new ValidationError(context, issues, { truncated });
  if (n < minLength) throw new NotEnoughDataError(`${context}: ${name}`, minLength, n);
}

/** Throws a {@link ValidationError} naming `bName` when the two series differ in length. */
export function checkSameLength(
  context: string,
  aName: string,
  a: ArrayLike<number>,
  bName: string,
  b: ArrayLike<number>,
): void {
  if (a.length !== b.length) {
    throw new ValidationError(context, [
      { field: bName, reason: `has ${b.length} values but ${aName} has ${a.length}` },
    ]);
  }
}

/**
 * Boundary check for an equity curve: finite, non-negative, and a positive first value
 * (so that every running peak is positive and drawdowns are fractions of it).
 */
export function checkEquity(context: string, equity: ArrayLike<number>, minLength = 1): void {
  checkSeries(context, 'equity', equity, minLength);
  if (!(equity[0]! > 0))
    throw new ValidationError(context, [{ row: 0, field: 'equity', reason: `must be > 0 (got ${equity[0]})` }]);
  for (let i = 1; i < equity.length; i++) {
    const v = equity[i]!;
    if (v < 0) throw new ValidationError(context, [{ row: i, field: 'equity', reason: `must be >= 0 (got ${v})` }]);
  }
}

/** Throws an {@link InvalidParameterError} naming `name` unless `value` is a finite number. */
export function checkFiniteOption(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidParameterError(name, value, 'must be a finite number');
  }
}

/**
 * Boundary check for per-bar simple returns: finite, and none below -1 (a loss of more than
 * everything would make the compounded equity negative).
 */
export function checkReturns(context: string, returns: ArrayLike<number>, minLength = 1): void {
  checkSeries(context, 'returns', returns, minLength);
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (r < -1) throw new ValidationError(context, [{ row: i, field: 'returns', reason: `is below -1 (got ${r})` }]);
  }
}
