import { InvalidParameterError, ValidationError } from '@candlelab/core';
import { expectClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracy, classificationReport, confusionMatrix } from './classificationReport.js';
import { logLoss } from './logLoss.js';
import { rocAuc } from './rocAuc.js';

describe('confusion matrix and classification report', () => {
  // true:      0 0 0 1 1 2
  // predicted: 0 1 0 1 0 1   (class 2 never predicted)
  const yTrue = [0, 0, 0, 1, 1, 2];
  const yPred = [0, 1, 0, 1, 0, 1];

  it('hand-worked 3-class example', () => {
    expect(confusionMatrix(yTrue, yPred, 3)).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [0, 1, 0],
    ]);
    const report = classificationReport(yTrue, yPred, 3);
    expect(report.perClass[0]).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 });
    expect(report.perClass[1]).toEqual({ precision: 1 / 3, recall: 1 / 2, f1: 0.4, support: 2 });
    expect(report.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 }); // zero_division = 0
    expectClose(report.macro.precision, (2 / 3 + 1 / 3) / 3);
    expectClose(report.macro.recall, (2 / 3 + 1 / 2) / 3);
    expectClose(report.weighted.f1, ((2 / 3) * 3 + 0.4 * 2) / 6);
    expect(report.accuracy).toBe(0.5);
    expect(accuracy(yTrue, yPred)).toBe(0.5);
  });

  it('rejects labels outside [0, numClasses), bad numClasses and mismatched lengths', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(
      /row 1, yTrue: must be an integer class label in \[0, 3\)/,
    );
    expect(() => confusionMatrix([0, 1], [0, 1.5], 3)).toThrow(/row 1, yPred/);
    expect(() => confusionMatrix([0, 1], [0, 1], 0)).toThrow(InvalidParameterError);
    expect(() => classificationReport([0, 1], [0], 2)).toThrow(/yPred: has 1 values but yTrue has 2/);
    expect(() => accuracy([], [])).toThrow(ValidationError);
  });

  it('property: accuracy = trace / n, supports sum to n, scores in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((k) =>
            fc.tuple(fc.constant(k), fc.array(fc.tuple(fc.nat(k - 1), fc.nat(k - 1)), { minLength: 1, maxLength: 60 })),
          ),
        ([k, pairs]) => {
          const yTrue = pairs.map((p) => p[0]);
          const yPred = pairs.map((p) => p[1]);
          const matrix = confusionMatrix(yTrue, yPred, k);
          const trace = matrix.reduce((s, row, i) => s + row[i]!, 0);
          const report = classificationReport(yTrue, yPred, k);
          expectClose(report.accuracy, trace / pairs.length);
          expect(report.perClass.reduce((s, c) => s + c.support, 0)).toBe(pairs.length);
          for (const c of report.perClass)
            for (const v of [c.precision, c.recall, c.f1]) expect(v >= 0 && v <= 1).toBe(true);
          // the weighted recall is the accuracy
          expectClose(report.weighted.recall, report.accuracy, { rel: 1e-12, abs: 1e-15 });
        },
      ),
    );
  });
});

describe('logLoss', () => {
  it('hand-worked: -mean(log p_true), clipped at eps', () => {
    expectClose(logLoss([0, 1], [0.8, 0.2, 0.4, 0.6], 2), -(Math.log(0.8) + Math.log(0.6)) / 2);
    expectClose(logLoss([0], [0, 1], 2), -Math.log(1e-15));
    expectClose(logLoss([0], [0, 1], 2, 1e-3), -Math.log(1e-3));
  });

  it('rejects bad probabilities by row', () => {
    expect(() => logLoss([0, 1], [0.8, 0.2, 0.4], 2)).toThrow(/expected yTrue.length × numClasses = 4/);
    expect(() => logLoss([0, 1], [0.8, 0.2, 0.5, 0.6], 2)).toThrow(/row 1, proba: row sums to 1.1/);
    expect(() => logLoss([0, 1], [1.2, -0.2, 0.5, 0.5], 2)).toThrow(/row 0, proba: class 0 probability 1.2/);
    expect(() => logLoss([0, 1], [0.5, 0.5, Number.NaN, 0.5], 2)).toThrow(/row 2, proba: is not finite/);
    expect(() => logLoss([0], [0.5, 0.5], 2, 0)).toThrow(/'eps'/);
  });
});

describe('rocAuc', () => {
  it('hand-worked with ties counted one half', () => {
    // positives score 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4)=1, (0.8>0.1)=1, (0.4=0.4)=0.5, (0.4>0.1)=1
    expect(rocAuc([1, 1, 0, 0], [0.8, 0.4, 0.4, 0.1])).toBe(3.5 / 4);
    expect(rocAuc([0, 1], [0.3, 0.3])).toBe(0.5);
  });

  it('needs both classes and 0/1 labels', () => {
    expect(() => rocAuc([1, 1], [0.1, 0.2])).toThrow(/needs both classes/);
    expect(() => rocAuc([1, 2], [0.1, 0.2])).toThrow(/row 1, yTrue: must be 0 or 1/);
  });

  it('property: in [0, 1], reversed scores give 1 - AUC, flipped labels give 1 - AUC', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: -5, max: 5 })), {
          minLength: 2,
          maxLength: 80,
        }),
        (pairs) => {
          const y = pairs.map((p) => p[0]);
          fc.pre(y.includes(0) && y.includes(1));
          const s = pairs.map((p) => p[1] / 3);
          const auc = rocAuc(y, s);
          expect(auc >= 0 && auc <= 1).toBe(true);
          expectClose(
            rocAuc(
              y,
              s.map((v) => -v),
            ),
            1 - auc,
            { rel: 1e-12, abs: 1e-15 },
          );
          expectClose(
            rocAuc(
              y.map((v) => 1 - v),
              s,
            ),
            1 - auc,
            { rel: 1e-12, abs: 1e-15 },
          );
        },
      ),
    );
  });
});
