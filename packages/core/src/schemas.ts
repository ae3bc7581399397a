// The zod schemas of core's types, for validating input from outside. They are built with classic zod
// at module load, so they live in a module of their own: with `"sideEffects": false` a bundle that
// uses only core's functions leaves this module, and zod, out.
import { z } from 'zod';
import { type Bars, candleIssues } from './bars.js';
import { isTimeframe, type Timeframe } from './timeframe.js';

/** Schema for a timeframe string such as `15m` or `4h`, parsed to {@link Timeframe}. */
export const TimeframeSchema = z
  .string()
  .refine(isTimeframe, { message: 'expected a timeframe like 1m, 15m, 4h, 1d, 1w' })
  .transform((value) => value as Timeframe);

const finitePositive = z.number().finite().positive();

/** Schema for one candle from outside; checks OHLC consistency too. */
export const CandleSchema = z
  .object({
    time: z.number().int().nonnegative(),
    open: finitePositive,
    high: finitePositive,
    low: finitePositive,
    close: finitePositive,
    volume: z.number().finite().nonnegative(),
  })
  .superRefine((candle, ctx) => {
    for (const issue of candleIssues(candle.open, candle.high, candle.low, candle.close, candle.volume)) {
      ctx.addIssue({ code: 'custom', message: issue.reason, path: issue.field ? [issue.field] : [] });
    }
  });

/** Schema for a series' identity (the non-column part of {@link Bars}). */
export const SeriesIdSchema = z.object({ symbol: z.string().min(1), timeframe: TimeframeSchema });
