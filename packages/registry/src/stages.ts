import { z } from 'zod';

/**
 * Lifecycle of a model (TradePulse): discovered by training, validated out of sample, paper
 * traded, trusted (mature), decaying, and finally retired.
 */
export const STAGES = ['discovery', 'validation', 'paper', 'mature', 'decay', 'retired'] as const;
export const StageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof StageSchema>;

/**
 * Allowed stage changes. Forward one step at a time; a decaying model may return to paper
 * trading after retraining; any live stage may be retired; nothing leaves `retired`.
 */
const TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  discovery: ['validation', 'retired'],
  validation: ['paper', 'retired'],
  paper: ['mature', 'decay', 'retired'],
  mature: ['decay', 'retired'],
  decay: ['paper', 'retired'],
  retired: [],
};

export function allowedTransitions(from: Stage): readonly Stage[] {
  return TRANSITIONS[from];
}

export function canTransition(from: Stage, to: Stage): boolean {
  return TRANSITIONS[from].includes(to);
}
