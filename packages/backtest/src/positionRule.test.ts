import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decidePosition,
  positionFromPredictedReturn,
  positionRule,
  positionsFromProbabilities,
} from './positionRule.js';

const binary = { numClasses: 2, upClass: 1 };
const ternary = { numClasses: 3, upClass: 2, downClass: 0 };

describe('the probability → position rule', () => {
  it('binary: long at P(up) ≥ threshold, short at P(down) ≥ threshold only when shorts are allowed', () => {
    const rule = positionRule({ entryThreshold: 0.6 });
    expect(decidePosition([0.4, 0.6], binary, rule)).toEqual({ position: 1, action: 'buy', confidence: 0.6 });
    expect(decidePosition([0.41, 0.59], binary, rule)).toMatchObject({ position: 0, action: 'hold' });
    expect(decidePosition([0.7, 0.3], binary, rule)).toMatchObject({ position: 0, action: 'hold', confidence: 0.7 });
    const shorts = positionRule({ entryThreshold: 0.6, allowShort: true });
    expect(decidePosition([0.7, 0.3], binary, shorts).position).toBe(-1);
  });

  it('ternary: a most-likely "up" at P = 0.40 is flat under the default threshold (one rule for backtest and predict)', () => {
    const rule = positionRule();
    expect(decidePosition([0.3, 0.3, 0.4], ternary, rule)).toMatchObject({ position: 0, action: 'hold' });
    expect(decidePosition([0.3, 0.3, 0.4], ternary, positionRule({ entryThreshold: 0.4 })).position).toBe(1);
    // "up" must also be more likely than "down", whatever the threshold.
    expect(decidePosition([0.45, 0.1, 0.45], ternary, positionRule({ entryThreshold: 0.3 })).position).toBe(0);
  });

  it('the batch form equals the single-row form on every row, and NaN rows are flat', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.boolean(),
        (rows, entryThreshold, allowShort) => {
          const rule = positionRule({ entryThreshold, allowShort });
          const proba = new Float64Array(rows.length * 3);
          rows.forEach(([a, b], r) => {
            const c = Math.max(0, 1 - a - b);
            const s = a + b + c;
            proba.set([a / s, b / s, c / s], r * 3);
          });
          const batch = positionsFromProbabilities(proba, ternary, rule);
          rows.forEach((_, r) => {
            expect(batch[r]).toBe(decidePosition(proba.subarray(r * 3, r * 3 + 3), ternary, rule).position);
          });
        },
      ),
      { seed: 7, numRuns: 200 },
    );
    expect(
      Array.from(positionsFromProbabilities(Float64Array.of(Number.NaN, Number.NaN), binary, positionRule())),
    ).toEqual([0]);
  });

  it('names bad options and bad class meanings', () => {
    expect(() => positionRule({ entryThreshold: 1.5 })).toThrow(/positionRule\.entryThreshold/);
    expect(() => decidePosition([0.5, 0.2, 0.3], { numClasses: 3, upClass: 2 }, positionRule())).toThrow(/downClass/);
    expect(() => decidePosition([0.5, 0.5], { numClasses: 2, upClass: 2 }, positionRule())).toThrow(/upClass/);
    expect(() => decidePosition([1], binary, positionRule())).toThrow(/expected 2 class probabilities/);
  });

  it('regression outputs: long above the minimum predicted return, short below its negative', () => {
    const rule = positionRule({ minPredictedReturn: 0.001, allowShort: true });
    expect(positionFromPredictedReturn(0.002, rule)).toBe(1);
    expect(positionFromPredictedReturn(0.0005, rule)).toBe(0);
    expect(positionFromPredictedReturn(-0.002, rule)).toBe(-1);
    expect(positionFromPredictedReturn(-0.002, positionRule({ minPredictedReturn: 0.001 }))).toBe(0);
  });
});
