import { outputBuffer } from '@candlelab/core';
import { checkInteger, type LabelBars } from './labelColumns.js';

/**
 * Average True Range (ATR), Wilder's smoothing: TR_0 = high − low, TR_t = max(high − low,
 * |high − close_{t−1}|, |low − close_{t−1}|); the first ATR (bar `period − 1`) is the mean of the
 * first `period` TRs, then ATR_t = (ATR_{t−1}·(period − 1) + TR_t) / period. NaN during warm-up.
 * Causal: ATR_t uses bars ≤ t only. (A local copy so `labels` stays independent of `indicators`;
 * it matches StockCharts' worked example, see the test.)
 *
 * @param period default 14.
 */
export function wilderAtr(
  bars: Pick<LabelBars, 'high' | 'low' | 'close'>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  checkInteger('period', period, 1);
  const { high, low, close } = bars;
  const n = close.length;
  const atr = outputBuffer(n, out).fill(Number.NaN);
  let sum = 0;
  let value = Number.NaN;
  for (let t = 0; t < n; t++) {
    const range = high[t]! - low[t]!;
    const tr = t === 0 ? range : Math.max(range, Math.abs(high[t]! - close[t - 1]!), Math.abs(low[t]! - close[t - 1]!));
    if (t < period) {
      sum += tr;
      if (t === period - 1) value = sum / period;
    } else {
      value = (value * (period - 1) + tr) / period;
    }
    atr[t] = value;
  }
  return atr;
}
