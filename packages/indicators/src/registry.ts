import { ConfigError, zodIssues } from '@candlelab/core';
import * as z from 'zod/mini';
import type { Columns, IndicatorGroup, IndicatorInput, InputColumn, StreamingIndicator } from './defineIndicator.js';
import { ao, bop, cci, cmo, mfi, mom, ppo, roc, rsi, stoch, stochRsi, tsi, ultosc, willr } from './momentum.js';
import {
  darkCloudCover,
  doji,
  engulfing,
  eveningStar,
  hammer,
  hangingMan,
  harami,
  invertedHammer,
  marubozu,
  morningStar,
  piercing,
  shootingStar,
  spinningTop,
  threeBlackCrows,
  threeWhiteSoldiers,
} from './patterns.js';
import {
  autocorr,
  beta,
  correl,
  linreg,
  linregAngle,
  linregIntercept,
  linregSlope,
  midpoint,
  midprice,
  tsf,
} from './statistics.js';
import { pivotPoints, supportResistance, swings, zigzag } from './structure.js';
import {
  adx,
  aroon,
  dema,
  ema,
  hma,
  ichimoku,
  kama,
  macd,
  minusDi,
  plusDi,
  psar,
  sma,
  supertrend,
  tema,
  trix,
  vortex,
  vwma,
  wma,
} from './trend.js';
import { atr, bbands, donchian, histVol, keltner, natr, stddev, trange, variance, zscore } from './volatility.js';
import { ad, adosc, cmf, eom, forceIndex, obv, volumeOsc, vwap, vwapRolling } from './volume.js';

/**
 * Every indicator by id: its parameter schema (with defaults), outputs, warm-up and batch and
 * streaming forms. A plain object (no import side effects), so feature sets and strategy configs
 * can name indicators as `{ id: 'rsi', params: { period: 14 } }`.
 */
export const indicators = {
  sma,
  ema,
  wma,
  dema,
  tema,
  hma,
  kama,
  vwma,
  macd,
  adx,
  plusDi,
  minusDi,
  aroon,
  psar,
  supertrend,
  ichimoku,
  trix,
  vortex,
  rsi,
  stoch,
  stochRsi,
  willr,
  cci,
  roc,
  mom,
  mfi,
  ultosc,
  ao,
  ppo,
  tsi,
  cmo,
  bop,
  trange,
  atr,
  natr,
  bbands,
  keltner,
  donchian,
  stddev,
  histVol,
  obv,
  ad,
  cmf,
  adosc,
  vwap,
  vwapRolling,
  forceIndex,
  eom,
  volumeOsc,
  zscore,
  variance,
  correl,
  beta,
  autocorr,
  linreg,
  linregSlope,
  linregIntercept,
  linregAngle,
  tsf,
  midpoint,
  midprice,
  zigzag,
  swings,
  pivotPoints,
  supportResistance,
  doji,
  marubozu,
  spinningTop,
  hammer,
  hangingMan,
  invertedHammer,
  shootingStar,
  engulfing,
  harami,
  piercing,
  darkCloudCover,
  morningStar,
  eveningStar,
  threeWhiteSoldiers,
  threeBlackCrows,
} as const;

/** The registry's type. */
export type IndicatorRegistry = typeof indicators;
/** Every indicator id. */
export type IndicatorId = keyof IndicatorRegistry;
/** Parameters accepted for an indicator (before defaults). */
export type IndicatorParams<Id extends IndicatorId> = z.input<IndicatorRegistry[Id]['params']>;
/** Batch output of an indicator. */
export type IndicatorOutput<Id extends IndicatorId> = ReturnType<IndicatorRegistry[Id]['batch']>;

/** The registry entry seen without its specific types, for generic code. */
export interface IndicatorEntry {
  id: IndicatorId;
  name: string;
  group: IndicatorGroup;
  inputs: readonly InputColumn[] | ((params: never) => readonly InputColumn[]);
  outputs: readonly string[];
  params: z.ZodMiniObject;
  parse(params?: unknown): Record<string, unknown>;
  warmup(params: never): number;
  batch(input: IndicatorInput, params?: unknown): Float64Array | Record<string, Float64Array>;
  stream(params?: unknown): StreamingIndicator<string>;
  /** Fresh kernel state for parsed parameters (for callers that run the kernel in chunks themselves). */
  init(params: never): unknown;
  /**
   * The kernel: advances `state` over rows `[from, to)` of `columns`, writing every output row.
   * Resumable: running consecutive chunks (each chunk's columns may be views starting at the
   * chunk) gives the same bits as one batch call.
   */
  run(state: never, columns: Columns, out: readonly Float64Array[], from: number, to: number): void;
}

/** All ids, in registry order. */
export const indicatorIds = Object.keys(indicators) as IndicatorId[];

/** The entry for `id` in its generic form. */
export function indicatorEntry(id: IndicatorId): IndicatorEntry {
  return indicators[id] as unknown as IndicatorEntry;
}

/** Warm-up (index of the first non-NaN output) for `id` with validated `params`. */
export function indicatorWarmup<Id extends IndicatorId>(id: Id, params?: IndicatorParams<Id>): number {
  const entry = indicatorEntry(id);
  return entry.warmup(entry.parse(params) as never);
}

/** Runs the batch form of indicator `id` on `input` with validated `params`. */
export function computeIndicator<Id extends IndicatorId>(
  id: Id,
  input: IndicatorInput,
  params?: IndicatorParams<Id>,
): IndicatorOutput<Id> {
  return indicatorEntry(id).batch(input, params) as IndicatorOutput<Id>;
}

/** A fresh streaming instance of indicator `id`. */
export function streamIndicator<Id extends IndicatorId>(
  id: Id,
  params?: IndicatorParams<Id>,
): StreamingIndicator<string> {
  return indicatorEntry(id).stream(params);
}

/** Schema of an indicator reference in configs: `{ id, params }`, params checked against the id's schema. */
export const IndicatorRefSchema = z
  .object({
    id: z.enum(indicatorIds as [IndicatorId, ...IndicatorId[]]),
    params: z._default(z.record(z.string(), z.unknown()), {}),
  })
  .check(
    z.superRefine((ref, ctx) => {
      const result = indicatorEntry(ref.id).params.safeParse(ref.params);
      if (!result.success) {
        for (const issue of result.error.issues)
          ctx.addIssue({ code: 'custom', message: issue.message, path: ['params', ...issue.path.map(String)] });
      }
    }),
  );
export type IndicatorRef = z.infer<typeof IndicatorRefSchema>;

/** Parses an indicator reference from a config, throwing {@link ConfigError} with the path of each problem. */
export function parseIndicatorRef(value: unknown, source = 'indicator'): IndicatorRef {
  const result = IndicatorRefSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(source, zodIssues(result.error));
}
