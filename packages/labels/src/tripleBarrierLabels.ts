import { z } from 'zod';
import { ewmVolatility } from './ewmVolatility.js';
import {
  checkColumns,
  float64ColumnOption,
  type LabelBars,
  LabelBuilder,
  type LabelColumns,
  parseLabelOptions,
  seriesOption,
} from './labelColumns.js';
import { LabelPriceSchema } from './zigzagLabels.js';

/** Which barrier ended a triple-barrier label (`none` for unlabeled bars). */
export const Barrier = { none: 0, profitTake: 1, stopLoss: 2, vertical: 3 } as const;
export type Barrier = (typeof Barrier)[keyof typeof Barrier];

/** The fields of {@link TripleBarrierOptionsSchema} a YAML file can hold, shared with the `tripleBarrier` label spec. */
export const tripleBarrierShape = {
  /** Profit-take barrier at `profitTake × volatility` from the entry close (default 1; 0 = no profit-take barrier). */
  profitTake: z
    .number()
    .min(0)
    .default(1)
    .describe('Profit-take barrier at profitTake × volatility from the entry close (default 1; 0 = none).'),
  /** Stop-loss barrier at `stopLoss × volatility` from the entry close (default 1; 0 = no stop-loss barrier). */
  stopLoss: z
    .number()
    .min(0)
    .default(1)
    .describe('Stop-loss barrier at stopLoss × volatility from the entry close (default 1; 0 = none).'),
  /** Vertical barrier: bars after entry at which the position is closed (default 20). */
  maxHolding: z
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Vertical barrier: bars after entry at which the position is closed (bars; default 20).'),
  /** Span of the default EWM volatility (default 100, AFML's `span0`); ignored when `volatility` is given. */
  volatilitySpan: z
    .number()
    .min(1)
    .default(100)
    .describe("Span of the EWM volatility of returns that scales the barriers (bars; default 100, AFML's span0)."),
  /** Returns needed before the default EWM volatility is defined (default 20); ignored when `volatility` is given. */
  volatilityMinPeriods: z
    .number()
    .int()
    .min(2)
    .default(20)
    .describe('Returns needed before the EWM volatility is defined (bars; default 20).'),
  /** Prices that touch barriers: `'close'` (default, as AFML) or `'highLow'` (intrabar touches, exits at the barrier or at a gapped open). */
  price: LabelPriceSchema.default('close').describe(
    'Prices that touch barriers: close (default, as AFML) or highLow (intrabar touches).',
  ),
  /**
   * With `price: 'highLow'`, when a bar crosses both horizontal barriers and its open is between
   * them: `'stopLoss'` (default, conservative) assumes the stop-loss was hit first; `'unlabeled'`
   * leaves the bar unlabeled (`'ambiguous'`). An open already beyond a barrier always decides.
   */
  tieBreak: z
    .enum(['stopLoss', 'unlabeled'])
    .default('stopLoss')
    .describe(
      'With price highLow, a bar crossing both barriers counts as stopLoss (default, conservative) or is left unlabeled.',
    ),
};

/** Options of {@link tripleBarrierLabels}, with every default. */
export const TripleBarrierOptionsSchema = z
  .object({
    ...tripleBarrierShape,
    /** Label when the vertical barrier ends the trade, without `side`: `'sign'` of the return (default) or `'zero'`. */
    verticalLabel: z.enum(['sign', 'zero']).default('sign'),
    /**
     * Volatility per bar as a return fraction (e.g. 0.01 = 1 %), known at that bar's close.
     * Default: `ewmVolatility(close, volatilitySpan, volatilityMinPeriods)`.
     */
    volatility: float64ColumnOption('volatility per bar as a return fraction, known at that bar'),
    /**
     * Side of a primary model's bet per bar (+1 long, −1 short, 0 or NaN no bet). When given,
     * barriers are placed for that side and labels become meta-labels (1 = the bet made money,
     * 0 = it did not); bars without a bet are unlabeled (`'noSignal'`). Default: none (long barriers,
     * label = sign of the return).
     */
    side: seriesOption('side of a primary bet per bar: +1, -1, 0/NaN = none'),
  })
  .strict();
export type TripleBarrierOptions = z.input<typeof TripleBarrierOptionsSchema>;

export interface TripleBarrierLabels extends LabelColumns {
  /** Return from the entry close to the exit (multiplied by the side when `side` is given); NaN when unlabeled. `labelEnd` is the touch time. */
  ret: Float64Array;
  /** Which barrier was touched first ({@link Barrier} codes). */
  barrier: Int8Array;
  /** Volatility used for each bar (the input column or the EWM estimate). */
  volatility: Float64Array;
}

/**
 * Triple-barrier labels (López de Prado, AFML ch. 3): from each bar's close, a profit-take and a
 * stop-loss barrier at separate multiples of the bar's volatility and a vertical barrier
 * `maxHolding` bars later; the label comes from whichever is touched first, looking only at bars
 * `(t, t + maxHolding]`. Without `side`: label = sign of the return (or 0 at the vertical barrier
 * with `verticalLabel: 'zero'`). With `side`: meta-label 1 when the side-adjusted return is > 0,
 * else 0.
 *
 * Unlabeled: bars whose vertical barrier lies past the data (`'horizon'`, even when a barrier is
 * already touched, so the tail is not biased towards fast touches), non-positive/NaN entry or exit
 * close (`'invalidPrice'`), volatility NaN, <= 0 or too small to move the barriers off the entry
 * price (`'volatility'`), no bet (`'noSignal'`),
 * undecidable intrabar order with `tieBreak: 'unlabeled'` (`'ambiguous'`). Options are parsed by
 * {@link TripleBarrierOptionsSchema}.
 */
export function tripleBarrierLabels(bars: LabelBars, options: TripleBarrierOptions = {}): TripleBarrierLabels {
  const { profitTake, stopLoss, maxHolding, price, tieBreak, verticalLabel, side, ...parsed } = parseLabelOptions(
    TripleBarrierOptionsSchema,
    options,
    'tripleBarrierLabels',
  );
  const { time, open, high, low, close } = bars;
  const n = checkColumns(time, { open, high, low, close, volatility: parsed.volatility, side });
  const volatility = parsed.volatility ?? ewmVolatility(close, parsed.volatilitySpan, parsed.volatilityMinPeriods);
  const builder = new LabelBuilder(n);
  const ret = new Float64Array(n).fill(Number.NaN);
  const barrier = new Int8Array(n);
  const useHighLow = price === 'highLow';
  for (let t = 0; t < n; t++) {
    let s = 1;
    if (side !== undefined) {
      const bet = side[t]!;
      if (!(bet > 0 || bet < 0)) {
        builder.skip('noSignal');
        continue;
      }
      s = bet > 0 ? 1 : -1;
    }
    const vertical = t + maxHolding;
    if (vertical >= n) {
      builder.skip('horizon');
      continue;
    }
    const entry = close[t]!;
    if (!(entry > 0 && Number.isFinite(entry))) {
      builder.skip('invalidPrice');
      continue;
    }
    const sigma = volatility[t]!;
    if (!(sigma > 0 && Number.isFinite(sigma))) {
      builder.skip('volatility');
      continue;
    }
    // Price levels: the profit-take is above the entry for a long, below for a short.
    const takeLevel = profitTake > 0 ? entry * (1 + s * profitTake * sigma) : s * Number.POSITIVE_INFINITY;
    const stopLevel = stopLoss > 0 ? entry * (1 - s * stopLoss * sigma) : -s * Number.POSITIVE_INFINITY;
    const upper = s > 0 ? takeLevel : stopLevel;
    const lower = s > 0 ? stopLevel : takeLevel;
    // A volatility too small to move the price by one ulp collapses the barriers onto the entry: no label.
    if (!(upper > entry && lower < entry)) {
      builder.skip('volatility');
      continue;
    }
    const upperBarrier = s > 0 ? Barrier.profitTake : Barrier.stopLoss;
    const lowerBarrier = s > 0 ? Barrier.stopLoss : Barrier.profitTake;
    let hit: Barrier = Barrier.none;
    let exit = Number.NaN;
    let end = vertical;
    let ambiguous = false;
    for (let j = t + 1; j <= vertical; j++) {
      const hitUp = (useHighLow ? high[j]! : close[j]!) >= upper;
      const hitDown = (useHighLow ? low[j]! : close[j]!) <= lower;
      if (!hitUp && !hitDown) continue;
      end = j;
      if (!useHighLow) {
        hit = hitUp ? upperBarrier : lowerBarrier;
        exit = close[j]!;
        break;
      }
      const o = open[j]!;
      let goesUp = hitUp;
      if (hitUp && hitDown) {
        if (o >= upper) goesUp = true;
        else if (o <= lower) goesUp = false;
        else if (tieBreak === 'stopLoss') goesUp = upperBarrier === Barrier.stopLoss;
        else {
          ambiguous = true;
          break;
        }
      }
      // Filled at the barrier, or at the open when the bar gapped through it.
      hit = goesUp ? upperBarrier : lowerBarrier;
      exit = goesUp ? Math.max(upper, o) : Math.min(lower, o);
      break;
    }
    if (ambiguous) {
      builder.skip('ambiguous');
      continue;
    }
    if (hit === Barrier.none) {
      hit = Barrier.vertical;
      exit = close[vertical]!;
    }
    if (!(exit > 0 && Number.isFinite(exit))) {
      builder.skip('invalidPrice');
      continue;
    }
    const r = s * (exit / entry - 1);
    ret[t] = r;
    barrier[t] = hit;
    let label: number;
    if (side !== undefined) label = r > 0 ? 1 : 0;
    else if (hit === Barrier.vertical && verticalLabel === 'zero') label = 0;
    else label = Math.sign(r);
    builder.set(t, label, end);
  }
  return { ...builder.finish(time), ret, barrier, volatility };
}
