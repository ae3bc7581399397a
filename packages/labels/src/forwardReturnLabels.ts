import { z } from 'zod';
import { checkColumns, type LabelBars, LabelBuilder, type LabelColumns, parseLabelOptions } from './labelColumns.js';

/** The fields of {@link ForwardReturnOptionsSchema}, shared with the `forwardReturn` label spec. */
export const forwardReturnShape = {
  /** Bars ahead: the label of bar t is the return from close_t to close_{t+horizon} (default 1). */
  horizon: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('Bars ahead: the label of bar t is the return from close[t] to close[t+horizon] (bars; default 1).'),
  /**
   * `'return'` (default): the return itself (a regression target); `'binary'`: 1 when the return
   * is above `upper`, else 0; `'ternary'`: 1 above `upper`, −1 below `lower`, else 0.
   */
  target: z.enum(['return', 'binary', 'ternary']).default('return'),
  /** Upper class threshold on the return (default 0). */
  upper: z
    .number()
    .default(0)
    .describe('Upper class threshold on the return, as a fraction (0.002 = 0.2 %; default 0).'),
  /** Lower class threshold for `'ternary'` (default `-upper`); must be <= `upper`. */
  lower: z
    .number()
    .optional()
    .describe('Lower class threshold for ternary targets, as a fraction; must be ≤ upper (default -upper).'),
  /** Use the log return ln(close_{t+h} / close_t) instead of the simple return (default false). */
  logReturn: z
    .boolean()
    .default(false)
    .describe('Use the log return ln(close[t+h] / close[t]) instead of the simple return (default false).'),
};

/** `lower` (default `-upper`) must not exceed `upper`. */
export function checkReturnThresholds(
  options: { upper: number; lower?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  const lower = options.lower ?? -options.upper;
  if (lower > options.upper) {
    ctx.addIssue({ code: 'custom', path: ['lower'], message: `must be <= upper (${options.upper}), got ${lower}` });
  }
}

/** What a forward-return label holds: the return itself, or its class. */
export type ForwardReturnTarget = z.output<typeof forwardReturnShape.target>;

/** Options of {@link forwardReturnLabels}, with every default. */
export const ForwardReturnOptionsSchema = z.object(forwardReturnShape).strict().superRefine(checkReturnThresholds);
export type ForwardReturnOptions = z.input<typeof ForwardReturnOptionsSchema>;

export interface ForwardReturnLabels extends LabelColumns {
  /** The forward return of each labeled bar (NaN when unlabeled), whatever the target. */
  returns: Float64Array;
}

/**
 * Forward-return labels: the return over the next `horizon` bars, as a regression target or
 * classified with thresholds. The last `horizon` bars are unlabeled (`'horizon'`), bars with a
 * non-positive or NaN close at either end are unlabeled (`'invalidPrice'`). Label end = bar t + horizon.
 * Options are parsed by {@link ForwardReturnOptionsSchema} (bad ones throw `InvalidParameterError`).
 */
export function forwardReturnLabels(
  bars: Pick<LabelBars, 'time' | 'close'>,
  options: ForwardReturnOptions = {},
): ForwardReturnLabels {
  const { horizon, target, upper, logReturn, ...rest } = parseLabelOptions(
    ForwardReturnOptionsSchema,
    options,
    'forwardReturnLabels',
  );
  const lower = rest.lower ?? -upper;
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
