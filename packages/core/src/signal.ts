import { z } from 'zod';

/** What a signal asks for. A closed union: nothing else is an action. */
export const ActionSchema = z.enum(['buy', 'sell', 'hold']);
export type Action = z.infer<typeof ActionSchema>;

/** A trading decision from one source at one time. */
export const SignalSchema = z.object({
  /** UTC epoch ms the signal refers to (the close of the bar it was computed on). */
  time: z.number().int().nonnegative(),
  symbol: z.string().min(1),
  action: ActionSchema,
  /** How sure the source is, in [0, 1]. */
  confidence: z.number().min(0).max(1),
  /** Who produced it (model id, strategy name, webhook). */
  source: z.string().min(1),
  /** Suggested position size as a fraction of equity, in [0, 1]. */
  size: z.number().min(0).max(1).optional(),
});
export type Signal = z.infer<typeof SignalSchema>;
