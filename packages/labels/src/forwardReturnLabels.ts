import { InvalidParameterError } from '@candlelab/core';
import { checkColumns, checkInteger, type LabelBars, LabelBuilder, type LabelColumns } from './labelColumns.js';

/** What a forward-return label holds: the return itself, or its class. */
export type ForwardReturnTarget = 'return' | 'binary' | 'ternary';

export interface ForwardReturnOptions {
  /** Bars ahead: the label of bar t is the return from close_t to close_{t+horizon} (default 1). */
  horizon?: number;
  /**
   * `'return'` (default): the return itself (a regression target); `'binary'`: 1 when the return
   * is above `upper`, else 0; `'ternary'`: 1 above `upper`, −1 below `lower`, else 0.
   */
  target?: ForwardReturnTarget;
  /** Upper class threshold on the return (default 0). */
  upper?: number;
  /** Lower class threshold for `'ternary'` (default `-upper`); must be <= `upper`. */
  lower?: number;
  /** Use the log return ln(close_{t+h} / close_t) instead of the simple return (default false). */
  logReturn?: boolean;
}

export interface ForwardReturnLabels extends LabelColumns {
  /** The forward return of each labeled bar (NaN when unlabeled), whatever the target. */
  returns: Float64Array;
}

/**
 * Forward-return labels: the return over the next `horizon` bars, as a regression target or
 * classified with thresholds. The last `horizon` bars are unlabeled (`'horizon'`), bars with a
 * non-positive or NaN close at either end are unlabeled (`'invalidPrice'`). Label end = bar t + horizon.
 */
export function forwardReturnLabels(
  bars: Pick<LabelBars, 'time' | 'close'>,
  options: ForwardReturnOptions = {},
): ForwardReturnLabels {
  const horizon = options.horizon ?? 1;
  const target = options.target ?? 'return';
  const upper = options.upper ?? 0;
  const lower = options.lower ?? -upper;
  const logReturn = options.logReturn ?? false;
  checkInteger('horizon', horizon, 1);
  if (!['return', 'binary', 'ternary'].includes(target)) {
    throw new InvalidParameterError('target', target, "must be 'return', 'binary' or 'ternary'");
  }
  if (!Number.isFinite(upper)) throw new InvalidParameterError('upper', upper, 'must be finite');
  if (!Number.isFinite(lower) || lower > upper) {
    throw new InvalidParameterError('lower', lower, `must be finite and <= upper (${upper})`);
  }
  const { time, close } = bars;
  const n = checkColumns(time, { close });
  const builder = new LabelBuilder(n);
  const returns = new Float64Array(n).fill(Number.NaN);
  for (let t = 0; t < n; t++) {
    const end = t + horizon;
    if (end >= n) {
      builder.skip('horizon');
      continue;
    }
    const entry = close[t]!;
    const exit = close[end]!;
    if (!(entry > 0 && exit > 0 && Number.isFinite(entry) && Number.isFinite(exit))) {
      builder.skip('invalidPrice');
      continue;
    }
    const r = logReturn ? Math.log(exit / entry) : exit / entry - 1;
    returns[t] = r;
    let label: number;
    switch (target) {
      case 'return':
        label = r;
        break;
      case 'binary':
        label = r > upper ? 1 : 0;
        break;
      case 'ternary':
        label = r > upper ? 1 : r < lower ? -1 : 0;
        break;
    }
    builder.set(t, label, end);
  }
  return { ...builder.finish(time), returns };
}
