import { InvalidParameterError } from '@candlelab/core';
import { checkColumns, checkInteger, type LabelBars, LabelBuilder, type LabelColumns } from './labelColumns.js';
import { wilderAtr } from './wilderAtr.js';

/** Which prices confirm a level: closes only, or the bar's high and low (intrabar touches). */
export type LabelPrice = 'close' | 'highLow';

export interface ZigZagOptions {
  /**
   * Swing size: a fraction of the bar's close in `'percent'` mode (default 0.02 = 2 %), a multiple
   * of the ATR in `'atr'` mode (default 2).
   */
  threshold?: number;
  /** `'percent'` (default) or `'atr'`. */
  thresholdType?: 'percent' | 'atr';
  /** Wilder ATR period for `'atr'` mode (default 14); ignored when `atr` is given. */
  atrPeriod?: number;
  /** A volatility column in price units to use in `'atr'` mode instead of Wilder's ATR (default: computed). */
  atr?: Float64Array;
  /** Bars ahead within which the swing must be confirmed (default 20). */
  lookahead?: number;
  /** `'close'` (default, as KTRDR) or `'highLow'`. */
  price?: LabelPrice;
}

export interface ZigZagLabels extends LabelColumns {
  /** Swing size in price units used for each bar (NaN where it could not be computed). */
  swingSize: Float64Array;
}

/**
 * ZigZag labels (KTRDR's neuro-fuzzy training target): each bar is labeled by the direction of
 * the next confirmed swing, +1 up or −1 down. From the bar's close, a swing is confirmed at the
 * first bar (within `lookahead`) whose price moves `threshold` away: up to close·(1 + θ) or down
 * to close·(1 − θ) in `'percent'` mode, close ± θ·ATR_t in `'atr'` mode (ATR_t uses bars ≤ t only).
 * The label end is that confirming bar.
 *
 * Nothing is guessed: a bar with no confirmed swing within the lookahead is unlabeled
 * (`'unconfirmed'`, there is no "hold" class); the last `lookahead` bars are unlabeled
 * (`'horizon'`) even if a swing is already confirmed, so the tail is not biased towards fast
 * moves. With `price: 'highLow'`, when one bar crosses both levels, an open already beyond a level
 * decides (the gap happened first); otherwise the order is unknown and the bar is unlabeled
 * (`'ambiguous'`).
 */
export function zigzagLabels(bars: LabelBars, options: ZigZagOptions = {}): ZigZagLabels {
  const thresholdType = options.thresholdType ?? 'percent';
  if (thresholdType !== 'percent' && thresholdType !== 'atr') {
    throw new InvalidParameterError('thresholdType', thresholdType, "must be 'percent' or 'atr'");
  }
  const threshold = options.threshold ?? (thresholdType === 'percent' ? 0.02 : 2);
  const lookahead = options.lookahead ?? 20;
  const price = options.price ?? 'close';
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    throw new InvalidParameterError('threshold', threshold, 'must be a finite number > 0');
  }
  checkInteger('lookahead', lookahead, 1);
  if (price !== 'close' && price !== 'highLow')
    throw new InvalidParameterError('price', price, "must be 'close' or 'highLow'");
  const { time, open, high, low, close } = bars;
  const n = checkColumns(time, { open, high, low, close, atr: options.atr });
  let atr: Float64Array | undefined;
  if (thresholdType === 'atr') {
    const atrPeriod = options.atrPeriod ?? 14;
    checkInteger('atrPeriod', atrPeriod, 1);
    atr = options.atr ?? wilderAtr(bars, atrPeriod);
  }
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
    const size = atr === undefined ? entry * threshold : threshold * atr[t]!;
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
