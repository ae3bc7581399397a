import type { LabelBars } from './labelColumns.js';
import { type TripleBarrierLabels, type TripleBarrierOptions, tripleBarrierLabels } from './tripleBarrierLabels.js';

/**
 * Meta-labels (AFML §3.6): given a primary model's signal per bar (+1 buy, −1 sell, 0 or NaN
 * none), the label says whether acting on it would have paid: triple barriers are placed for the
 * signal's side and the label is 1 when the side-adjusted return at the first touched barrier is
 * positive, else 0. Bars without a signal are unlabeled (`'noSignal'`). A secondary model trained
 * on these labels learns when to trust the primary one (and how much to bet).
 *
 * All {@link TripleBarrierOptions} apply (defaults: `profitTake` 1, `stopLoss` 1, `maxHolding` 20,
 * EWM volatility with span 100).
 */
export function metaLabels(
  bars: LabelBars,
  signal: ArrayLike<number>,
  options: Omit<TripleBarrierOptions, 'side' | 'verticalLabel'> = {},
): TripleBarrierLabels {
  return tripleBarrierLabels(bars, { ...options, side: signal });
}
