import { type Bars, InvalidParameterError, ValidationError, type ValidationIssue } from '@candlelab/core';
import { z } from 'zod';
import { sampleUniqueness } from './sampleUniqueness.js';

/** The price columns a labeler reads (a full {@link Bars} fits). */
export type LabelBars = Pick<Bars, 'time' | 'open' | 'high' | 'low' | 'close'>;

/** Why a bar has no label (closed union). */
export type UnlabeledReason =
  /** The label's horizon or lookahead runs past the last bar. */
  | 'horizon'
  /** The entry close (or a price needed) is not a finite positive number. */
  | 'invalidPrice'
  /** The volatility estimate is still warming up, NaN or not positive. */
  | 'volatility'
  /** ZigZag: no swing of the threshold size was confirmed within the lookahead. */
  | 'unconfirmed'
  /** Both levels were crossed inside one bar and the order cannot be known (see each labeler's rule). */
  | 'ambiguous'
  /** Meta-labelling: the primary signal is 0 or NaN on this bar. */
  | 'noSignal';

/** Every {@link UnlabeledReason}, in a fixed order. */
export const UNLABELED_REASONS: readonly UnlabeledReason[] = [
  'horizon',
  'invalidPrice',
  'volatility',
  'unconfirmed',
  'ambiguous',
  'noSignal',
];

/** How many bars are unlabeled, and why. */
export interface UnlabeledReport {
  count: number;
  byReason: Record<UnlabeledReason, number>;
}

/**
 * Columns every labeler returns, one entry per bar. A label at bar `t` uses the close of `t`
 * (its entry price), causal volatility up to `t`, and bars in `(t, endIndex[t]]` only.
 */
export interface LabelColumns {
  /** The label; NaN = unlabeled. */
  label: Float64Array;
  /** Time (epoch ms) of the bar at which the label is decided, for purging CV; NaN when unlabeled. */
  labelEnd: Float64Array;
  /** Bar index of `labelEnd`; -1 when unlabeled. */
  endIndex: Int32Array;
  /** AFML ch. 4 average uniqueness of each label in (0, 1]; NaN when unlabeled. */
  weight: Float64Array;
  unlabeled: UnlabeledReport;
}

/** Per-bar outcome collected by a labeler before the shared columns are derived. */
export class LabelBuilder {
  readonly label: Float64Array;
  readonly endIndex: Int32Array;
  readonly #byReason: Record<UnlabeledReason, number>;

  constructor(n: number) {
    this.label = new Float64Array(n).fill(Number.NaN);
    this.endIndex = new Int32Array(n).fill(-1);
    this.#byReason = Object.fromEntries(UNLABELED_REASONS.map((reason) => [reason, 0])) as Record<
      UnlabeledReason,
      number
    >;
  }

  set(t: number, label: number, end: number): void {
    this.label[t] = label;
    this.endIndex[t] = end;
  }

  skip(reason: UnlabeledReason): void {
    this.#byReason[reason]++;
  }

  /** Label end times, uniqueness weights and the unlabeled report. */
  finish(time: Float64Array): LabelColumns {
    const n = this.label.length;
    const labelEnd = new Float64Array(n).fill(Number.NaN);
    let count = 0;
    for (let t = 0; t < n; t++) {
      const end = this.endIndex[t]!;
      if (end >= 0) labelEnd[t] = time[end]!;
      else count++;
    }
    return {
      label: this.label,
      labelEnd,
      endIndex: this.endIndex,
      weight: sampleUniqueness(this.endIndex),
      unlabeled: { count, byReason: { ...this.#byReason } },
    };
  }
}

/** Throws a `ValidationError` unless every given column has the length of `time`; returns that length. */
export function checkColumns(
  time: Float64Array,
  columns: Readonly<Record<string, ArrayLike<number> | undefined>>,
): number {
  const n = time.length;
  const issues: ValidationIssue[] = [];
  for (const [field, column] of Object.entries(columns)) {
    if (column !== undefined && column.length !== n) {
      issues.push({ field, reason: `column has ${column.length} values, time has ${n}` });
    }
  }
  if (issues.length > 0) throw new ValidationError('labels input', issues);
  return n;
}

/** Throws an `InvalidParameterError` unless `value` is an integer >= `min`. */
export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new InvalidParameterError(name, value, `must be an integer >= ${min}`);
}

/** Throws an `InvalidParameterError` unless `value` is a finite number >= `min`. */
export function checkNonNegative(name: string, value: number, min = 0): void {
  if (!Number.isFinite(value) || value < min)
    throw new InvalidParameterError(name, value, `must be a finite number >= ${min}`);
}

/**
 * Parses a labeler's options with its schema (the one place their defaults live), throwing an
 * `InvalidParameterError` that names the first offending option (an unknown option by its key).
 */
export function parseLabelOptions<S extends z.ZodType>(schema: S, options: unknown, context: string): z.output<S> {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name =
    issue.code === 'unrecognized_keys' ? String(issue.keys[0]) : issue.path.map(String).join('.') || 'options';
  const value =
    typeof options === 'object' && options !== null
      ? (options as Record<string, unknown>)[name.split('.')[0]!]
      : options;
  throw new InvalidParameterError(name, value, `${context}: ${issue.message}`);
}

/** A per-bar `Float64Array` given as an option (not representable in YAML); optional. */
export function float64ColumnOption(description: string) {
  return z
    .custom<Float64Array>((value) => value instanceof Float64Array, {
      message: 'must be a Float64Array with one value per bar',
    })
    .optional()
    .describe(description);
}

/** A per-bar series of numbers (array or typed array) given as an option; optional. */
export function seriesOption(description: string) {
  return z
    .custom<ArrayLike<number>>((value) => ArrayBuffer.isView(value) || Array.isArray(value), {
      message: 'must be an array of numbers with one value per bar',
    })
    .optional()
    .describe(description);
}
