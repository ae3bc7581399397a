import { ConfigError, type Result, TimeframeSchema, toResult, zodIssues } from '@candlelab/core';
import { FuzzyInputSchema } from '@candlelab/fuzzy';
import { type IndicatorId, indicatorEntry, indicatorIds } from '@candlelab/indicators';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Column names: no whitespace and no dots (dots are reserved for fuzzy outputs `input.set`). */
const NameSchema = z.string().regex(/^[^.\s]+$/, 'must be non-empty without dots or whitespace');
/** A reference to an earlier column or a bar column (`open high low close volume`); fuzzy outputs contain a dot. */
const ColumnRefSchema = z.string().regex(/^\S+$/, 'must be a column name declared earlier');
const Period = z.number().int().min(1);
const Params = z.record(z.string(), z.unknown()).default({});

/** The candlestick pattern ids of `@candlelab/indicators`, usable as `pattern` features. */
export const PATTERN_IDS = [
  'doji',
  'marubozu',
  'spinningTop',
  'hammer',
  'hangingMan',
  'invertedHammer',
  'shootingStar',
  'engulfing',
  'harami',
  'piercing',
  'darkCloudCover',
  'morningStar',
  'eveningStar',
  'threeWhiteSoldiers',
  'threeBlackCrows',
] as const satisfies readonly IndicatorId[];

/** Band indicators whose `upper`/`lower` outputs define a `bandPosition`. */
export const BAND_IDS = ['bbands', 'keltner', 'donchian'] as const satisfies readonly IndicatorId[];

/** Statistics of a `rolling` feature; `argmin`/`argmax` are the min/max positions in [0, 1] (1 = newest bar). */
export const ROLLING_STATS = ['mean', 'std', 'skew', 'kurtosis', 'min', 'max', 'argmin', 'argmax'] as const;
export type RollingStat = (typeof ROLLING_STATS)[number];

/** Cyclic time encodings of the bar's open time (UTC). */
export const TIME_ENCODINGS = ['hourSin', 'hourCos', 'weekdaySin', 'weekdayCos'] as const;
export type TimeEncoding = (typeof TIME_ENCODINGS)[number];

const indicatorIdSchema = z.enum(indicatorIds as [IndicatorId, ...IndicatorId[]]);

/** An indicator output as a feature: `{ kind: indicator, id: rsi, params: { period: 14 } }` → column `rsi_14`. */
const IndicatorFeatureSchema = z.strictObject({
  kind: z.literal('indicator'),
  /** Column name (default: id, then the given parameter values, then the output, joined by `_`). */
  name: NameSchema.optional().describe(
    'Column name; default the id, then the given parameter values, then the output, joined by _ (rsi_14).',
  ),
  id: indicatorIdSchema.describe('Indicator id of @candlelab/indicators (sma, ema, rsi, macd, atr, bbands…).'),
  params: Params.describe("The indicator's parameters, e.g. { period: 14 }; default the indicator's defaults."),
  /** Output of a multi-output indicator (default: the first output). */
  output: z
    .string()
    .optional()
    .describe('Output of a multi-output indicator (macd: macd, signal, histogram); default the first output.'),
});

/** Close relative to a price-level indicator (a moving average, a band line…): `close / value − 1`. */
const PriceRelativeFeatureSchema = z.strictObject({
  kind: z.literal('priceRelative'),
  name: NameSchema.optional().describe('Column name; default derived from the id and parameters.'),
  id: indicatorIdSchema.describe(
    'A price-level indicator (a moving average, a band line…): the feature is close / value − 1.',
  ),
  params: Params.describe("The indicator's parameters; default the indicator's defaults."),
  output: z
    .string()
    .optional()
    .describe('Output of a multi-output indicator (e.g. upper of bbands); default the first output.'),
});

/** Position of the close inside a band: `(close − lower) / (upper − lower)` (0 = lower, 1 = upper line). */
const BandPositionFeatureSchema = z.strictObject({
  kind: z.literal('bandPosition'),
  name: NameSchema.optional().describe('Column name; default derived from the id and parameters.'),
  id: z
    .enum(BAND_IDS)
    .describe(
      'Band indicator: the feature is (close − lower) / (upper − lower), 0 at the lower and 1 at the upper line.',
    ),
  params: Params.describe("The band indicator's parameters; default its defaults."),
});

/** Return over the last `period` bars: `ln(close_t / close_{t−period})` (or the simple return with `log: false`). */
const ReturnsFeatureSchema = z.strictObject({
  kind: z.literal('returns'),
  name: NameSchema.optional().describe('Column name; default derived from the kind and period.'),
  period: Period.describe('Return over the last period bars (bars).'),
  /** Log return (default true). */
  log: z
    .boolean()
    .default(true)
    .describe('Log return ln(close[t] / close[t−period]) (default true) or the simple return.'),
});

/** Volume relative to its mean over the last `period` bars (including the current bar). */
const VolumeRatioFeatureSchema = z.strictObject({
  kind: z.literal('volumeRatio'),
  name: NameSchema.optional().describe('Column name; default derived from the kind and period.'),
  period: z
    .number()
    .int()
    .min(2)
    .describe('Volume divided by its mean over the last period bars, current bar included (bars).'),
});

/** Membership columns `input.set` of fuzzy sets over an earlier column (see `@candlelab/fuzzy`). */
const FuzzyFeatureSchema = z.strictObject({
  kind: z.literal('fuzzy'),
  /** The earlier column the sets are defined over (no dots). */
  input: NameSchema.describe('The earlier column the fuzzy sets are defined over (no dots).'),
  range: FuzzyInputSchema.shape.range,
  minCoverage: FuzzyInputSchema.shape.minCoverage,
  sets: FuzzyInputSchema.shape.sets,
});

/** The value of an earlier column `lag` bars ago. */
const LagFeatureSchema = z.strictObject({
  kind: z.literal('lag'),
  name: NameSchema.optional().describe('Column name; default derived from the column and lag.'),
  of: ColumnRefSchema.describe('An earlier column or a bar column (open, high, low, close, volume).'),
  lag: Period.describe('The value this many bars ago (bars).'),
});

/** A rolling statistic of an earlier column over the last `window` bars (NaN when the window holds a NaN). */
const RollingFeatureSchema = z.strictObject({
  kind: z.literal('rolling'),
  name: NameSchema.optional().describe('Column name; default derived from the column, statistic and window.'),
  of: ColumnRefSchema.describe('An earlier column or a bar column (open, high, low, close, volume).'),
  stat: z
    .enum(ROLLING_STATS)
    .describe('Statistic over the window; argmin/argmax are positions in [0, 1] (1 = newest bar).'),
  window: z.number().int().min(2).describe('Window length, current bar included (bars).'),
});

/** Rolling autocorrelation: Pearson correlation of `x_t` and `x_{t−lag}` over the last `window` pairs. */
const AutocorrFeatureSchema = z.strictObject({
  kind: z.literal('autocorr'),
  name: NameSchema.optional().describe('Column name; default derived from the column, lag and window.'),
  of: ColumnRefSchema.describe('An earlier column or a bar column (open, high, low, close, volume).'),
  lag: Period.describe('Correlation of x[t] with x[t−lag] (bars).'),
  window: z.number().int().min(3).describe('Pairs in the rolling Pearson correlation (bars).'),
});

/** A candlestick pattern (+100 bullish, −100 bearish, 0 none; see `@candlelab/indicators`). */
const PatternFeatureSchema = z.strictObject({
  kind: z.literal('pattern'),
  name: NameSchema.optional().describe('Column name; default the pattern id.'),
  pattern: z.enum(PATTERN_IDS).describe('Candlestick pattern: +100 bullish, −100 bearish, 0 none.'),
});

/**
 * Distance from the close to the nearest recent support (below) or resistance (above) level of
 * the `supportResistance` indicator: `close / level − 1`. When no level exists in the lookback the
 * lowest low (support) or highest high (resistance) of the lookback is used instead, so the
 * feature is defined after warm-up.
 */
const SupportResistanceFeatureSchema = z.strictObject({
  kind: z.literal('supportResistance'),
  name: NameSchema.optional().describe('Column name; default derived from the side and parameters.'),
  side: z
    .enum(['support', 'resistance'])
    .describe('Distance close / level − 1 to the nearest support (below) or resistance (above).'),
  /** `supportResistance` parameters (`strength` 2, `levels` 10, `lookback` 100 by default). */
  params: Params.describe('supportResistance parameters: strength (default 2), levels (10), lookback (100 bars).'),
});

/** Sine/cosine encoding of the bar's UTC hour of day or day of week. */
const TimeFeatureSchema = z.strictObject({
  kind: z.literal('time'),
  name: NameSchema.optional().describe('Column name; default the encoding.'),
  encoding: z.enum(TIME_ENCODINGS).describe("Sine/cosine of the bar's UTC hour of day or day of week."),
});

/** Every feature kind that works on one series of bars. */
export const BaseFeatureSpecSchema = z.discriminatedUnion('kind', [
  IndicatorFeatureSchema,
  PriceRelativeFeatureSchema,
  BandPositionFeatureSchema,
  ReturnsFeatureSchema,
  VolumeRatioFeatureSchema,
  FuzzyFeatureSchema,
  LagFeatureSchema,
  RollingFeatureSchema,
  AutocorrFeatureSchema,
  PatternFeatureSchema,
  SupportResistanceFeatureSchema,
  TimeFeatureSchema,
]);
export type BaseFeatureSpec = z.infer<typeof BaseFeatureSpecSchema>;

/**
 * Features computed on bars resampled to a higher `timeframe` and joined to each base bar from
 * the last higher-timeframe bar that had COMPLETED by the base bar's close. Inner columns are
 * named `<timeframe>_<name>` (e.g. `4h_rsi_14`); inner `of`/`input` references name inner columns.
 */
const HigherTimeframeFeatureSchema = z.strictObject({
  kind: z.literal('higherTimeframe'),
  timeframe: TimeframeSchema.describe(
    'Higher timeframe (e.g. 4h, 1d); each base bar sees the last higher bar completed by its close.',
  ),
  features: z
    .array(BaseFeatureSpecSchema)
    .min(1)
    .describe('Features computed on the resampled bars, named <timeframe>_<name> (4h_rsi_14).'),
});

/** One entry of a feature set. */
export const FeatureSpecSchema = z.discriminatedUnion('kind', [
  ...BaseFeatureSpecSchema.options,
  HigherTimeframeFeatureSchema,
]);
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;
export type FeatureKind = FeatureSpec['kind'];

function checkIndicator(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  id: IndicatorId,
  params: Record<string, unknown>,
  output: string | undefined,
): void {
  const entry = indicatorEntry(id);
  const result = entry.params.safeParse(params);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: [...path, 'params', ...issue.path.map(String)] });
    }
  }
  if (output !== undefined && !entry.outputs.includes(output)) {
    ctx.addIssue({
      code: 'custom',
      message: `${id} has outputs ${entry.outputs.join(', ')}; got '${output}'`,
      path: [...path, 'output'],
    });
  }
}

function checkSpecs(ctx: z.RefinementCtx, specs: readonly FeatureSpec[], path: (string | number)[]): void {
  specs.forEach((spec, i) => {
    const at = [...path, i];
    if (spec.kind === 'indicator' || spec.kind === 'priceRelative')
      checkIndicator(ctx, at, spec.id, spec.params, spec.output);
    else if (spec.kind === 'bandPosition') checkIndicator(ctx, at, spec.id, spec.params, undefined);
    else if (spec.kind === 'supportResistance') checkIndicator(ctx, at, 'supportResistance', spec.params, undefined);
    else if (spec.kind === 'higherTimeframe') checkSpecs(ctx, spec.features, [...at, 'features']);
  });
}

/**
 * A declarative feature set (JSON/YAML): an ordered list of features. Features may refer (`of`,
 * `input`) to columns declared before them; names must be unique. See the README for the YAML form.
 */
export const FeatureSetSchema = z
  .strictObject({
    /** Optional name of the set (default none). */
    name: z.string().optional().describe('Name of the feature set; default none.'),
    features: z
      .array(FeatureSpecSchema)
      .min(1)
      .describe('The features in order; of/input may name columns declared before.'),
  })
  .superRefine((set, ctx) => checkSpecs(ctx, set.features, ['features']));
export type FeatureSet = z.infer<typeof FeatureSetSchema>;
/** A feature set as written by a user (defaults not yet applied). */
export type FeatureSetInput = z.input<typeof FeatureSetSchema>;

/** Parses an untrusted feature set; throws a {@link ConfigError} whose issues name each bad path (e.g. `features.3.params.period`). */
export function parseFeatureSet(value: unknown, source = 'feature set'): FeatureSet {
  const parsed = FeatureSetSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(source, zodIssues(parsed.error));
  return parsed.data;
}

/** {@link parseFeatureSet} returning a result instead of throwing. */
export function safeParseFeatureSet(value: unknown, source = 'feature set'): Result<FeatureSet> {
  return toResult(() => parseFeatureSet(value, source));
}

/** Parses a feature set written in YAML; YAML syntax errors become a {@link ConfigError} too. */
export function parseFeatureSetYaml(text: string, source = 'feature set YAML'): FeatureSet {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, [{ reason: error instanceof Error ? error.message : String(error) }], {
      cause: error,
    });
  }
  return parseFeatureSet(value, source);
}

/** JSON Schema of {@link FeatureSetSchema} (input form), for editor autocomplete of YAML files. */
export function featureSetJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FeatureSetSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
