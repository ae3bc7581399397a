import { InvalidParameterError } from '@candlelab/core';

/**
 * Learning-rate schedules, by epoch:
 * - `constant`: the base rate throughout (the default);
 * - `step`: multiplied by `gamma` every `stepSize` epochs;
 * - `exponential`: multiplied by `gamma` every epoch;
 * - `cosine`: cosine annealing from the base rate to `minLearningRate` (default 0) over the run (Loshchilov & Hutter 2017, without restarts).
 */
export type LearningRateSchedule =
  | { kind: 'constant' }
  | { kind: 'step'; stepSize: number; gamma: number }
  | { kind: 'exponential'; gamma: number }
  | { kind: 'cosine'; minLearningRate?: number };

/** Checks a schedule's parameters; throws {@link InvalidParameterError} naming the bad one. */
export function checkSchedule(schedule: LearningRateSchedule): LearningRateSchedule {
  switch (schedule.kind) {
    case 'constant':
      return schedule;
    case 'step':
      if (!(Number.isInteger(schedule.stepSize) && schedule.stepSize >= 1)) {
        throw new InvalidParameterError('learningRateSchedule.stepSize', schedule.stepSize, 'expected an integer >= 1');
      }
      if (!(schedule.gamma > 0))
        throw new InvalidParameterError('learningRateSchedule.gamma', schedule.gamma, 'expected > 0');
      return schedule;
    case 'exponential':
      if (!(schedule.gamma > 0))
        throw new InvalidParameterError('learningRateSchedule.gamma', schedule.gamma, 'expected > 0');
      return schedule;
    case 'cosine':
      if (!((schedule.minLearningRate ?? 0) >= 0)) {
        throw new InvalidParameterError(
          'learningRateSchedule.minLearningRate',
          schedule.minLearningRate,
          'expected >= 0',
        );
      }
      return schedule;
    default:
      throw new InvalidParameterError(
        'learningRateSchedule.kind',
        (schedule as { kind: unknown }).kind,
        'expected constant, step, exponential or cosine',
      );
  }
}

/** The learning rate for 0-based `epoch` of `epochs`, from base rate `learningRate`. */
export function learningRateAt(
  schedule: LearningRateSchedule,
  learningRate: number,
  epoch: number,
  epochs: number,
): number {
  switch (schedule.kind) {
    case 'constant':
      return learningRate;
    case 'step':
      return learningRate * schedule.gamma ** Math.floor(epoch / schedule.stepSize);
    case 'exponential':
      return learningRate * schedule.gamma ** epoch;
    case 'cosine': {
      const min = schedule.minLearningRate ?? 0;
      return min + 0.5 * (learningRate - min) * (1 + Math.cos((Math.PI * epoch) / Math.max(1, epochs)));
    }
  }
}
