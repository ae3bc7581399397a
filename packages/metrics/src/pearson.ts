import { ranksOf } from './averageRanks.js';
import { checkSameLength, checkSeries } from './checkSeries.js';
import { isConstant, mean } from './moments.js';

function checkXY(context: string, x: ArrayLike<number>, y: ArrayLike<number>): void {
  checkSeries(context, 'x', x, 2);
  checkSeries(context, 'y', y, 2);
  checkSameLength(context, 'x', x, 'y', y);
}

/** Pearson correlation of trusted, equal-length inputs. */
function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // Squares of subnormal deviations underflow to 0: no measurable association.
  if (sxx === 0 || syy === 0) return 0;
  return Math.max(-1, Math.min(1, sxy / (Math.sqrt(sxx) * Math.sqrt(syy))));
}

/**
 * Pearson correlation coefficient (the information coefficient of predictions vs. outcomes),
 * in [-1, 1]. Needs at least 2 pairs. Defined as 0 when either series is constant or its spread
 * underflows (SciPy returns NaN there).
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkXY('pearson', x, y);
  if (isConstant(x) || isConstant(y)) return 0;
  return correlation(x, y);
}

/**
 * Spearman rank correlation (rank IC): the Pearson correlation of average ranks (ties share
 * the mean rank, as `scipy.stats.spearmanr`). 0 when either series is constant.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkXY('spearman', x, y);
  if (isConstant(x) || isConstant(y)) return 0;
  return correlation(ranksOf(x), ranksOf(y));
}
