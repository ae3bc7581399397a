import { InvalidParameterError } from '@candlelab/core';
import { z } from 'zod';

/**
 * Learning-rate schedules, by epoch:
 * - `constant`: the base rate throughout (the default);
 * - `step`: multiplied by `gamma` (> 0) every `stepSize` (integer ≥ 1) epochs;
 * - `exponential`: multiplied by `gamma` (> 0) every epoch;
 * - `cosine`: cosine annealing from the base rate to `minLearningRate` (≥ 0, default 0) over the run (Loshchilov & Hutter 2017, without restarts).
 */
export const LearningRateScheduleSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('constant') })
    .strict()
    .describe('The base learning rate throughout (the default).'),
  z
    .object({
      kind: z.literal('step'),
      stepSize: z.number().int().min(1).describe('Epochs between two multiplications by gamma.'),
      gamma: z.number().positive().describe('Factor applied every stepSize epochs (e.g. 0.5 halves the rate).'),
    })
    .strict()
    .describe('The rate multiplied by gamma every stepSize epochs.'),
  z
    .object({
      kind: z.literal('exponential'),
      gamma: z.number().positive().describe('Factor applied every epoch (e.g. 0.95).'),
    })
    .strict()
    .describe('The rate multiplied by gamma every epoch.'),
  z
    .object({
      kind: z.literal('cosine'),
      minLearningRate: z.number().min(0).optional().describe('Learning rate reached at the last epoch; default 0.'),
    })
    .strict()
    .describe(
      'Cosine annealing from the base rate to minLearningRate over the run (Loshchilov & Hutter 2017, no restarts).',
    ),
]);
export type LearningRateSchedule = z.input<typeof LearningRateScheduleSchema>;

/** Checks a schedule's parameters; throws {@link InvalidParameterError} naming the bad one. */
export function checkSchedule(schedule: LearningRateSchedule): LearningRateSchedule {
  const result = LearningRateScheduleSchema.safeParse(schedule);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'kind';
  const value =
    typeof schedule === 'object' && schedule !== null ? (schedule as never)[issue.path[0] ?? 'kind'] : schedule;
  throw new InvalidParameterError(`learningRateSchedule.${field}`, value, issue.message);
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
