import { checkSeries } from './checkSeries.js';
import { mean, ratioOrInfinity } from './moments.js';

/**
 * Fraction of winners among decided outcomes: `count(v > 0) / count(v ≠ 0)` over per-bar returns
 * or per-trade P&L. Zeros (flat bars, break-even trades) are left out, as quantstats does;
 * 0 when every value is 0.
 */
export function winRate(values: ArrayLike<number>): number {
  checkSeries('winRate', 'values', values);
  let wins = 0;
  let decided = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 0) wins++;
    if (v !== 0) decided++;
  }
  return decided === 0 ? 0 : wins / decided;
}

/**
 * Profit factor: gross profit over gross loss, `Σ(v > 0) / |Σ(v < 0)|`. Without losses it is
 * +Infinity when there is any profit and 0 when every value is 0.
 */
export function profitFactor(values: ArrayLike<number>): number {
  checkSeries('profitFactor', 'values', values);
  let profit = 0;
  let loss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 0) profit += v;
    else loss -= v;
  }
  return ratioOrInfinity(profit, loss);
}

/**
 * Expectancy: the mean outcome per value (bar or trade), zeros included; equal to
 * `P(win) · avgWin - P(loss) · avgLoss` with probabilities over all values.
 */
export function expectancy(values: ArrayLike<number>): number {
  checkSeries('expectancy', 'values', values);
  return mean(values);
}

/** Exposure (time in market): the fraction of bars whose position is non-zero. */
export function exposure(positions: ArrayLike<number>): number {
  checkSeries('exposure', 'positions', positions);
  let active = 0;
  for (let i = 0; i < positions.length; i++) if (positions[i] !== 0) active++;
  return active / positions.length;
}
