import { InvalidParameterError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { checkSchedule, learningRateAt } from './learningRateAt.js';

describe('learningRateAt', () => {
  it('follows each schedule', () => {
    expect(learningRateAt({ kind: 'constant' }, 0.1, 7, 10)).toBe(0.1);
    expect([0, 1, 2, 3, 4].map((e) => learningRateAt({ kind: 'step', stepSize: 2, gamma: 0.5 }, 0.1, e, 10))).toEqual([
      0.1, 0.1, 0.05, 0.05, 0.025,
    ]);
    expect(learningRateAt({ kind: 'exponential', gamma: 0.9 }, 1, 3, 10)).toBeCloseTo(0.729, 12);
    // Cosine annealing (Loshchilov & Hutter 2017, eq. 5): halfway is the midpoint.
    expect(learningRateAt({ kind: 'cosine', minLearningRate: 0.01 }, 0.1, 0, 10)).toBeCloseTo(0.1, 12);
    expect(learningRateAt({ kind: 'cosine', minLearningRate: 0.01 }, 0.1, 5, 10)).toBeCloseTo(0.055, 12);
  });

  it('rejects bad parameters by name', () => {
    expect(() => checkSchedule({ kind: 'step', stepSize: 0, gamma: 0.5 })).toThrow(InvalidParameterError);
    expect(() => checkSchedule({ kind: 'exponential', gamma: -1 })).toThrow(/gamma/);
    expect(() => checkSchedule({ kind: 'linear' } as unknown as { kind: 'constant' })).toThrow(/kind/);
  });
});
