import { ConfigError, type Result, toResult, zodIssues } from '@candlelab/core';
import { z } from 'zod';

/** Input and set names: no dots (the engine joins them as `input.set`) and no whitespace. */
const NameSchema = z.string().regex(/^[^.\s]+$/, 'must be non-empty without dots or whitespace');

function ordered(labels: readonly string[]) {
  return (parameters: readonly number[], ctx: z.RefinementCtx) => {
    for (let i = 1; i < parameters.length; i++) {
      if (parameters[i]! < parameters[i - 1]!) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `parameters must be ordered ${labels.join(' <= ')}, got [${parameters.join(', ')}]`,
        });
      }
    }
    if (parameters[0] === parameters[parameters.length - 1]) {
      ctx.addIssue({
        code: 'custom',
        message: `${labels[0]} and ${labels[labels.length - 1]} must differ (the set would be a single point), got [${parameters.join(', ')}]`,
      });
    }
  };
}

const finite = z.number();
const positive = z.number().positive();

/** Triangular set: `parameters: [a, b, c]` with `a <= b <= c`, `a < c`. */
export const TriangularSpecSchema = z.object({
  type: z.literal('triangular'),
  parameters: z
    .tuple([finite, finite, finite])
    .superRefine(ordered(['a', 'b', 'c']))
    .describe('[a, b, c] with a ≤ b ≤ c and a < c: zero at a, one at b, zero at c.'),
});

/** Trapezoidal set: `parameters: [a, b, c, d]` with `a <= b <= c <= d`, `a < d`. */
export const TrapezoidalSpecSchema = z.object({
  type: z.literal('trapezoidal'),
  parameters: z
    .tuple([finite, finite, finite, finite])
    .superRefine(ordered(['a', 'b', 'c', 'd']))
    .describe('[a, b, c, d] with a ≤ b ≤ c ≤ d and a < d: rises from a to b, one from b to c, falls to d.'),
});

/** Gaussian set: `parameters: [mean, sigma]`, `sigma > 0`. */
export const GaussianSpecSchema = z.object({
  type: z.literal('gaussian'),
  parameters: z.tuple([finite, positive]).describe('[mean, sigma] with sigma > 0.'),
});

/** Generalized bell set: `parameters: [a, b, c]` = [half-width > 0, slope > 0, centre]. */
export const GeneralizedBellSpecSchema = z.object({
  type: z.literal('generalizedBell'),
  parameters: z.tuple([positive, positive, finite]).describe('[a, b, c]: half-width a > 0, slope b > 0, centre c.'),
});

/** Sigmoid shoulder: `parameters: [center, slope]`, slope > 0 right shoulder, < 0 left shoulder, never 0. */
export const SigmoidSpecSchema = z.object({
  type: z.literal('sigmoid'),
  parameters: z
    .tuple([finite, finite.refine((slope) => slope !== 0, 'slope must not be 0')])
    .describe('[center, slope]: slope > 0 a right shoulder, < 0 a left shoulder, never 0.'),
});

/** One fuzzy set: its membership function and that function's parameters. */
export const MembershipSpecSchema = z.discriminatedUnion('type', [
  TriangularSpecSchema,
  TrapezoidalSpecSchema,
  GaussianSpecSchema,
  GeneralizedBellSpecSchema,
  SigmoidSpecSchema,
]);
export type MembershipSpec = z.infer<typeof MembershipSpecSchema>;
/** The closed set of membership function names. */
export type MembershipType = MembershipSpec['type'];

/** The fuzzy sets of one input series. */
export const FuzzyInputSchema = z
  .object({
    /**
     * Declared range `[min, max]` of the input (e.g. `[0, 100]` for RSI). When given, the sets
     * are checked to cover it (see `checkCoverage`). Default: none (no coverage check).
     */
    range: z
      .tuple([finite, finite])
      .refine(([min, max]) => min < max, 'range must be [min, max] with min < max')
      .optional()
      .describe(
        'Declared range [min, max] of the input (e.g. [0, 100] for RSI); when given, the sets must cover it. Default none.',
      ),
    /**
     * Coverage threshold: a point of the range is a gap when the sum of all memberships there is
     * below it (or exactly 0 when the threshold is 0). Default 0.
     */
    minCoverage: z
      .number()
      .min(0)
      .default(0)
      .describe('A point of the range is a gap when the memberships there sum below this; default 0.'),
    /** The named sets, in output order (at least one). */
    sets: z
      .record(NameSchema, MembershipSpecSchema)
      .refine((sets) => Object.keys(sets).length > 0, 'at least one fuzzy set is required')
      .describe('The named fuzzy sets, in output order (at least one); each outputs a column input.set.'),
  })
  .strict();
export type FuzzyInput = z.infer<typeof FuzzyInputSchema>;

/**
 * A fuzzy configuration: for each input series (a column name such as `rsi_14`), its declared
 * range and named sets. The engine outputs one membership column per set, named `input.set`.
 */
export const FuzzyConfigSchema = z
  .record(NameSchema, FuzzyInputSchema)
  .refine((inputs) => Object.keys(inputs).length > 0, 'at least one input is required');
export type FuzzyConfig = z.infer<typeof FuzzyConfigSchema>;
/** The config as written by a user (defaults not yet applied). */
export type FuzzyConfigInput = z.input<typeof FuzzyConfigSchema>;

/** Parses an untrusted fuzzy config (e.g. from YAML); throws a {@link ConfigError} whose issues name each bad path. */
export function parseFuzzyConfig(config: unknown, source = 'fuzzy config'): FuzzyConfig {
  const parsed = FuzzyConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(source, zodIssues(parsed.error));
  return parsed.data;
}

/** {@link parseFuzzyConfig} returning a result instead of throwing. */
export function safeParseFuzzyConfig(config: unknown, source = 'fuzzy config'): Result<FuzzyConfig> {
  return toResult(() => parseFuzzyConfig(config, source));
}

/** JSON Schema of {@link FuzzyConfigSchema}, for editor autocomplete of YAML/JSON configs. */
export function fuzzyConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FuzzyConfigSchema, { io: 'input' }) as Record<string, unknown>;
}
