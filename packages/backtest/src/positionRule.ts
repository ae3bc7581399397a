import { type Action, InvalidParameterError, zodIssues } from '@candlelab/core';
import { z } from 'zod';

/**
 * The one rule that turns a model's output into a target position. The walk-forward backtest,
 * the final model's report, `candlelab predict` and `candlelab serve` all call it, so a live
 * signal is exactly what was backtested.
 */
export const PositionRuleSchema = z
  .object({
    /**
     * Go long when P(up) ≥ this and "up" is more likely than "down"; go short (with `allowShort`)
     * when P(down) ≥ this and "down" is more likely than "up". For binary labels P(down) = 1 − P(up).
     * Default 0.55.
     */
    entryThreshold: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.55)
      .describe(
        'Go long when P(up) ≥ this and up is likelier than down (short likewise with allowShort); a probability; default 0.55.',
      ),
    /** Also take short positions. Default false. */
    allowShort: z.boolean().default(false).describe('Also take short positions; default false.'),
    /** Regression outputs (predicted returns): long when above this, short when below −this. Default 0. */
    minPredictedReturn: z
      .number()
      .min(0)
      .default(0)
      .describe(
        'Regression models: long when the predicted return is above this fraction, short when below −this; default 0.',
      ),
  })
  .strict();

export type PositionRule = z.output<typeof PositionRuleSchema>;
export type PositionRuleInput = z.input<typeof PositionRuleSchema>;

/** What a classifier's classes mean for trading: which index is "up", which (if any) is "down". */
export interface ClassMeaning {
  numClasses: number;
  upClass: number;
  /** For binary labels without a down class the complement of "up" is used. */
  downClass?: number | undefined;
}

/** A position decision: target position (−1, 0 or 1), the action, and the probability behind it. */
export interface PositionDecision {
  position: -1 | 0 | 1;
  action: Action;
  /** P(up) for a buy, P(down) for a sell, the most likely class's probability for a hold. */
  confidence: number;
}

/** Parses rule options (defaults filled in), throwing `InvalidParameterError` naming the bad field. */
export function positionRule(input: PositionRuleInput = {}): PositionRule {
  const parsed = PositionRuleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = zodIssues(parsed.error)[0]!;
    throw new InvalidParameterError(`positionRule.${issue.field ?? ''}`, input, issue.reason);
  }
  return parsed.data;
}

function checkClasses(classes: ClassMeaning): void {
  const { numClasses, upClass, downClass } = classes;
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new InvalidParameterError('classes.numClasses', numClasses, 'at least 2 classes');
  if (!Number.isInteger(upClass) || upClass < 0 || upClass >= numClasses)
    throw new InvalidParameterError('classes.upClass', upClass, `a class index below ${numClasses}`);
  if (downClass !== undefined && (!Number.isInteger(downClass) || downClass < 0 || downClass >= numClasses))
    throw new InvalidParameterError('classes.downClass', downClass, `a class index below ${numClasses}`);
  if (downClass === undefined && numClasses !== 2)
    throw new InvalidParameterError('classes.downClass', downClass, 'required with more than 2 classes');
}

/** The decision for one row of class probabilities (`proba[offset … offset + numClasses)`). */
function decide(proba: ArrayLike<number>, offset: number, classes: ClassMeaning, rule: PositionRule): PositionDecision {
  const up = proba[offset + classes.upClass]!;
  const down = classes.downClass === undefined ? 1 - up : proba[offset + classes.downClass]!;
  if (up >= rule.entryThreshold && up > down) return { position: 1, action: 'buy', confidence: up };
  if (rule.allowShort && down >= rule.entryThreshold && down > up)
    return { position: -1, action: 'sell', confidence: down };
  let best = 0;
  for (let k = 0; k < classes.numClasses; k++) best = Math.max(best, proba[offset + k]!);
  return { position: 0, action: 'hold', confidence: best };
}

/**
 * The position for one bar from its class probabilities (length `numClasses`, summing to 1).
 * A row with a NaN probability (no prediction) is flat.
 */
export function decidePosition(
  probabilities: ArrayLike<number>,
  classes: ClassMeaning,
  rule: PositionRule,
): PositionDecision {
  checkClasses(classes);
  if (probabilities.length !== classes.numClasses)
    throw new InvalidParameterError(
      'probabilities',
      probabilities.length,
      `expected ${classes.numClasses} class probabilities`,
    );
  for (let k = 0; k < probabilities.length; k++)
    if (Number.isNaN(probabilities[k])) return { position: 0, action: 'hold', confidence: 0 };
  return decide(probabilities, 0, classes, rule);
}

/**
 * Target positions for many bars at once from row-major `rows × numClasses` probabilities
 * (NaN rows stay flat). Equal, row for row, to `decidePosition`.
 */
export function positionsFromProbabilities(
  proba: Float64Array,
  classes: ClassMeaning,
  rule: PositionRule,
  out?: Float64Array,
): Float64Array {
  checkClasses(classes);
  const k = classes.numClasses;
  if (proba.length % k !== 0)
    throw new InvalidParameterError('proba', proba.length, `length must be a multiple of ${k} classes`);
  const rows = proba.length / k;
  const positions = out ?? new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    positions[r] = Number.isNaN(proba[r * k]!) ? 0 : decide(proba, r * k, classes, rule).position;
  }
  return positions;
}

/** The position for a regression output (a predicted return): long above `minPredictedReturn`, short below its negative. */
export function positionFromPredictedReturn(predicted: number, rule: PositionRule): -1 | 0 | 1 {
  if (Number.isNaN(predicted)) return 0;
  if (predicted > rule.minPredictedReturn) return 1;
  if (rule.allowShort && predicted < -rule.minPredictedReturn) return -1;
  return 0;
}
