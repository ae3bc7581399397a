import { atr as averageTrueRange } from '@candlelab/indicators';
import { z } from 'zod';
import {
  checkColumns,
  float64ColumnOption,
  type LabelBars,
  LabelBuilder,
  type LabelColumns,
  parseLabelOptions,
} from './labelColumns.js';

/** Which prices confirm a level: closes only, or the bar's high and low (intrabar touches). */
export const LabelPriceSchema = z.enum(['close', 'highLow']);
export type LabelPrice = z.output<typeof LabelPriceSchema>;

/** Fields of every ZigZag variant. */
const zigzagCommonShape = {
  /** Bars ahead within which the swing must be confirmed (default 20). */
  lookahead: z
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Bars ahead within which the swing must be confirmed (bars; default 20).'),
  /** `'close'` (default, as KTRDR) or `'highLow'` (intrabar touches). */
  price: LabelPriceSchema.default('close').describe(
    'Prices that confirm a swing: close (default) or highLow (intrabar touches).',
  ),
};

/** ZigZag with a swing size that is a fraction of the bar's close. */
export const zigzagPercentShape = {
  /** `'percent'` (the default when omitted). */
  thresholdType: z
    .literal('percent')
    .default('percent')
    .describe('Swing size as a fraction of the close (percent, the default) or a multiple of the ATR (atr).'),
  /** Swing size as a fraction of the bar's close (default 0.02 = 2 %). */
  threshold: z
    .number()
    .positive()
    .default(0.02)
    .describe("Swing size as a fraction of the bar's close (0.02 = 2 %; default 0.02)."),
  ...zigzagCommonShape,
};

/** ZigZag with a swing size that is a multiple of the ATR. */
export const zigzagAtrShape = {
  thresholdType: z.literal('atr').describe('Swing size as a multiple of the ATR.'),
  /** Swing size as a multiple of the ATR at the bar (default 2). */
  atrMultiple: z.number().positive().default(2).describe('Swing size as a multiple of the ATR at the bar (default 2).'),
  /** ATR period (default 14); ignored when `atr` is given. */
  atrPeriod: z.number().int().min(1).default(14).describe('ATR period (bars; default 14).'),
  ...zigzagCommonShape,
};

/** Names the field that belongs to the other `thresholdType`, instead of zod's bare "unrecognized key". */
function variantError(thresholdType: 'percent' | 'atr', fields: string) {
  return (issue: { code?: string; keys?: readonly PropertyKey[] }) =>
    issue.code === 'unrecognized_keys'
      ? `not an option with thresholdType '${thresholdType}' (which takes ${fields}, lookahead, price)`
      : undefined;
}
export const zigzagPercentError = variantError('percent', 'threshold');
export const zigzagAtrError = variantError('atr', 'atrMultiple, atrPeriod, atr');

/**
 * Options of {@link zigzagLabels}, with every default. The swing size is unambiguous per
 * `thresholdType`: `{ thresholdType: 'percent' (default), threshold (fraction of the close,
 * default 0.02) }` or `{ thresholdType: 'atr', atrMultiple (default 2), atrPeriod (default 14),
 * atr? }`; a field of the other variant is refused.
 */
export const ZigZagOptionsSchema = z.discriminatedUnion('thresholdType', [
  z.strictObject(zigzagPercentShape, { error: zigzagPercentError }),
  z.strictObject(
    {
      ...zigzagAtrShape,
      /** A volatility column in price units to use instead of the ATR (default: computed from the bars). */
      atr: float64ColumnOption('volatility column in price units used instead of the ATR'),
    },
    { error: zigzagAtrError },
  ),
]);
export type ZigZagOptions = z.input<typeof ZigZagOptionsSchema>;

export interface ZigZagLabels extends LabelColumns {
  /** Swing size in price units used for each bar (NaN where it could not be computed). */
  swingSize: Float64Array;
}

/**
 * ZigZag labels (KTRDR's neuro-fuzzy training target): each bar is labeled by the direction of
 * the next confirmed swing, +1 up or −1 down. From the bar's close, a swing is confirmed at the
 * first bar (within `lookahead`) whose price moves a swing size away: up to close·(1 + threshold)
 * or down to close·(1 − threshold) in `'percent'` mode, close ± atrMultiple·ATR_t in `'atr'` mode.
 * ATR_t is `atr` of `@candlelab/indicators` with `seed: 'tradingview'` (first value at bar
 * `atrPeriod − 1`, Wilder smoothing) and uses bars ≤ t only. The label end is the confirming bar.
 *
 * Nothing is guessed: a bar with no confirmed swing within the lookahead is unlabeled
 * (`'unconfirmed'`, there is no "hold" class); the last `lookahead` bars are unlabeled
 * (`'horizon'`) even if a swing is already confirmed, so the tail is not biased towards fast
 * moves. With `price: 'highLow'`, when one bar crosses both levels, an open already beyond a level
 * decides (the gap happened first); otherwise the order is unknown and the bar is unlabeled
 * (`'ambiguous'`). Options are parsed by {@link ZigZagOptionsSchema}.
 */
export function zigzagLabels(bars: LabelBars, options: ZigZagOptions = {}): ZigZagLabels {
  const parsed = parseLabelOptions(ZigZagOptionsSchema, options, 'zigzagLabels');
  const { lookahead, price } = parsed;
  const { time, open, high, low, close } = bars;
  const n = checkColumns(time, {
    open,
    high,
    low,
    close,
    atr: parsed.thresholdType === 'atr' ? parsed.atr : undefined,
  });
  const atr =
    parsed.thresholdType === 'atr'
      ? (parsed.atr ?? averageTrueRange.batch(bars, { period: parsed.atrPeriod, seed: 'tradingview' }))
      : undefined;
  const multiple = parsed.thresholdType === 'atr' ? parsed.atrMultiple : parsed.threshold;
  const builder = new LabelBuilder(n);
  const swingSize = new Float64Array(n).fill(Number.NaN);
  const useHighLow = price === 'highLow';
  for (let t = 0; t < n; t++) {
    const last = t + lookahead;
    if (last >= n) {
      builder.skip('horizon');
      continue;
    }
    const entry = close[t]!;
    if (!(entry > 0 && Number.isFinite(entry))) {
      builder.skip('invalidPrice');
      continue;
    }
    const size = atr === undefined ? entry * multiple : multiple * atr[t]!;
    if (!(size > 0 && Number.isFinite(size))) {
      builder.skip('volatility');
      continue;
    }
    swingSize[t] = size;
    const up = entry + size;
    const down = entry - size;
    let direction = 0;
    let end = -1;
    for (let j = t + 1; j <= last; j++) {
      const hitUp = (useHighLow ? high[j]! : close[j]!) >= up;
      const hitDown = (useHighLow ? low[j]! : close[j]!) <= down;
      if (!hitUp && !hitDown) continue;
      end = j;
      if (hitUp && hitDown) direction = open[j]! >= up ? 1 : open[j]! <= down ? -1 : 0;
      else direction = hitUp ? 1 : -1;
      break;
    }
    if (end === -1) builder.skip('unconfirmed');
    else if (direction === 0) builder.skip('ambiguous');
    else builder.set(t, direction, end);
  }
  return { ...builder.finish(time), swingSize };
}
