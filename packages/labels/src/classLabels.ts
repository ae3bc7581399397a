import { z } from 'zod';
import { checkReturnThresholds, forwardReturnLabels, forwardReturnShape } from './forwardReturnLabels.js';
import { type LabelBars, type LabelColumns, parseLabelOptions } from './labelColumns.js';
import { Barrier, tripleBarrierLabels, tripleBarrierShape } from './tripleBarrierLabels.js';
import {
  zigzagAtrError,
  zigzagAtrShape,
  zigzagLabels,
  zigzagPercentError,
  zigzagPercentShape,
} from './zigzagLabels.js';

/**
 * The labels of a strategy (a YAML file's `labels:` section), discriminated by `kind`. Each kind
 * takes its labeler's options with the same defaults (they are the same zod fields), minus the
 * per-bar columns a file cannot hold:
 *
 * - `forwardReturn`: {@link ForwardReturnOptionsSchema} with `target` required and limited to
 *   `'binary'` or `'ternary'` (a class label needs its class scheme; `'return'` is a regression target).
 * - `zigzag`: {@link ZigZagOptionsSchema} without the `atr` column (`thresholdType: 'percent'` with
 *   `threshold`, or `'atr'` with `atrMultiple` and `atrPeriod`).
 * - `tripleBarrier`: {@link TripleBarrierOptionsSchema} without the `volatility` and `side` columns
 *   and without `verticalLabel` (classes come from the barrier touched first).
 */
export const LabelSpecSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('forwardReturn'),
      ...forwardReturnShape,
      /** `'binary'`: notUp 0 / up 1; `'ternary'`: down 0 / flat 1 / up 2. Required. */
      target: z
        .enum(['binary', 'ternary'])
        .describe('Class scheme: binary (0 not up / 1 up, above upper) or ternary (0 down / 1 flat / 2 up). Required.'),
    })
    .strict()
    .superRefine(checkReturnThresholds),
  z.discriminatedUnion('thresholdType', [
    z.strictObject({ kind: z.literal('zigzag'), ...zigzagPercentShape }, { error: zigzagPercentError }),
    z.strictObject({ kind: z.literal('zigzag'), ...zigzagAtrShape }, { error: zigzagAtrError }),
  ]),
  z.object({ kind: z.literal('tripleBarrier'), ...tripleBarrierShape }).strict(),
]);
/** A parsed label spec, every default filled in. */
export type LabelSpec = z.output<typeof LabelSpecSchema>;
/** A label spec as written (defaults optional). */
export type LabelSpecInput = z.input<typeof LabelSpecSchema>;
/** The label kinds of {@link LabelSpecSchema}. */
export type LabelKind = LabelSpec['kind'];

/** Labels as class indices, ready for a classifier. */
export interface ClassLabels {
  /** Class index per bar (0 … numClasses − 1); NaN = unlabeled. */
  y: Float64Array;
  /** Epoch ms at which each label is decided (for purging); NaN when unlabeled. */
  labelEnd: Float64Array;
  /** AFML sample-uniqueness weight in (0, 1]; NaN when unlabeled. */
  weight: Float64Array;
  numClasses: number;
  /** Class names in index order. */
  classes: readonly string[];
  /** Index of the class that means "price goes up" (the long signal). */
  upClass: number;
  /** Index of the "down" class; undefined when the labels have none (forward-return binary: notUp / up). */
  downClass: number | undefined;
  /** Unlabeled bars by reason. */
  unlabeled: LabelColumns['unlabeled'];
}

/** What the classes of a label spec mean: their names, which one is "up" and which (if any) is "down". */
export interface LabelClasses {
  numClasses: number;
  classes: readonly string[];
  upClass: number;
  downClass: number | undefined;
}

/**
 * The fixed class meaning of a label spec (see {@link classLabels}), known without any bars: what
 * a stored model's probabilities mean when it predicts live.
 */
export function labelClasses(spec: LabelSpecInput): LabelClasses {
  const parsed = parseLabelOptions(LabelSpecSchema, spec, 'labelClasses');
  const meaning = (classes: readonly string[], upClass: number, downClass: number | undefined): LabelClasses => ({
    numClasses: classes.length,
    classes,
    upClass,
    downClass,
  });
  switch (parsed.kind) {
    case 'forwardReturn':
      return parsed.target === 'binary'
        ? meaning(['notUp', 'up'], 1, undefined)
        : meaning(['down', 'flat', 'up'], 2, 0);
    case 'zigzag':
      return meaning(['down', 'up'], 1, 0);
    case 'tripleBarrier':
      return meaning(['down', 'flat', 'up'], 2, 0);
  }
}

/**
 * Computes the labels of a spec and maps them to class indices with a fixed meaning per kind,
 * never inferred from the data (so a class means the same on every symbol and every window):
 *
 * | kind | classes |
 * |---|---|
 * | `forwardReturn`, `target: 'binary'` | notUp 0 / up 1 (return > `upper`) |
 * | `forwardReturn`, `target: 'ternary'` | down 0 (return < `lower`) / flat 1 / up 2 (return > `upper`) |
 * | `zigzag` | down 0 / up 1 (direction of the next confirmed swing) |
 * | `tripleBarrier` | down 0 (stop-loss touched first) / flat 1 (vertical barrier) / up 2 (profit-take touched first) |
 *
 * The spec is parsed by {@link LabelSpecSchema}; bad options throw `InvalidParameterError` naming them.
 */
export function classLabels(bars: LabelBars, spec: LabelSpecInput): ClassLabels {
  const parsed = parseLabelOptions(LabelSpecSchema, spec, 'classLabels');
  switch (parsed.kind) {
    case 'forwardReturn': {
      const { kind: _, ...options } = parsed;
      const columns = forwardReturnLabels(bars, options);
      return toClasses(
        columns,
        options.target === 'binary' ? (label) => label : (label) => label + 1,
        labelClasses(parsed),
      );
    }
    case 'zigzag': {
      const { kind: _, ...options } = parsed;
      const columns = zigzagLabels(bars, options);
      return toClasses(columns, (label) => (label > 0 ? 1 : 0), labelClasses(parsed));
    }
    case 'tripleBarrier': {
      const { kind: _, ...options } = parsed;
      const columns = tripleBarrierLabels(bars, options);
      const classOfBarrier = { [Barrier.stopLoss]: 0, [Barrier.vertical]: 1, [Barrier.profitTake]: 2 };
      return toClasses(
        columns,
        (_, t) => classOfBarrier[columns.barrier[t] as keyof typeof classOfBarrier],
        labelClasses(parsed),
      );
    }
  }
}

function toClasses(
  columns: LabelColumns,
  classOf: (label: number, t: number) => number,
  meaning: LabelClasses,
): ClassLabels {
  const y = columns.label.map((label, t) => (Number.isNaN(label) ? Number.NaN : classOf(label, t)));
  return { y, labelEnd: columns.labelEnd, weight: columns.weight, ...meaning, unlabeled: columns.unlabeled };
}
