import { ConfigError, InvalidParameterError, type Rng, zodIssues } from '@candlelab/core';
import { z } from 'zod';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Makes a parameter active only when earlier parameters have the given values (conditional spaces). */
const When = z.record(z.string(), z.union([Scalar, z.array(Scalar).readonly()])).optional();

export const IntParamSchema = z
  .object({
    type: z.literal('int'),
    low: z.number().int(),
    high: z.number().int(),
    step: z.number().int().positive().default(1),
    when: When,
  })
  .strict();
export const FloatParamSchema = z
  .object({ type: z.literal('float'), low: z.number().finite(), high: z.number().finite(), when: When })
  .strict();
/** A float searched on a log scale (learning rates, regularisation); `low` must be > 0. */
export const LogFloatParamSchema = z
  .object({ type: z.literal('logFloat'), low: z.number().positive(), high: z.number().positive(), when: When })
  .strict();
export const CategoricalParamSchema = z
  .object({ type: z.literal('categorical'), choices: z.array(Scalar).min(1).readonly(), when: When })
  .strict();

export const ParamSpecSchema = z.discriminatedUnion('type', [
  IntParamSchema,
  FloatParamSchema,
  LogFloatParamSchema,
  CategoricalParamSchema,
]);
export type ParamSpec = z.infer<typeof ParamSpecSchema>;

/**
 * A search space: parameter name → spec, in declaration order. A parameter with `when` is
 * searched only when the named earlier parameters take the given value(s), e.g.
 * `numLeaves: { type: 'int', low: 8, high: 255, when: { model: 'gbdt' } }`.
 */
export const SearchSpaceSchema = z.record(z.string().min(1), ParamSpecSchema).superRefine((space, ctx) => {
  const seen = new Set<string>();
  for (const [name, spec] of Object.entries(space)) {
    if ((spec.type === 'int' || spec.type === 'float' || spec.type === 'logFloat') && !(spec.low < spec.high)) {
      ctx.addIssue({
        code: 'custom',
        path: [name, 'high'],
        message: `high (${spec.high}) must be greater than low (${spec.low})`,
      });
    }
    for (const dependency of Object.keys(spec.when ?? {})) {
      if (!seen.has(dependency)) {
        ctx.addIssue({
          code: 'custom',
          path: [name, 'when', dependency],
          message: `'${dependency}' must be a parameter declared before '${name}'`,
        });
      }
    }
    seen.add(name);
  }
});
export type SearchSpace = z.infer<typeof SearchSpaceSchema>;
export type SearchSpaceInput = z.input<typeof SearchSpaceSchema>;

export type ParamValue = string | number | boolean;
/** One point of a search space: only the active parameters are present. */
export type Params = Record<string, ParamValue>;

/** Parses a search space from config; a `ConfigError` names the path of each problem. */
export function parseSearchSpace(input: unknown, source = 'search space'): SearchSpace {
  const result = SearchSpaceSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(source, zodIssues(result.error, '(root)'));
}

/** Whether `spec` is active given the values chosen so far. */
export function isActive(spec: ParamSpec, params: Params): boolean {
  if (!spec.when) return true;
  return Object.entries(spec.when).every(([name, wanted]) => {
    const value = params[name];
    if (value === undefined) return false;
    return Array.isArray(wanted) ? wanted.includes(value) : value === wanted;
  });
}

/** A uniform draw of one parameter (log-uniform for `logFloat`). */
export function sampleParam(spec: ParamSpec, rng: Rng): ParamValue {
  switch (spec.type) {
    case 'int':
      return spec.low + spec.step * rng.int(Math.floor((spec.high - spec.low) / spec.step) + 1);
    case 'float':
      return rng.uniform(spec.low, spec.high);
    case 'logFloat':
      return Math.exp(rng.uniform(Math.log(spec.low), Math.log(spec.high)));
    case 'categorical':
      return rng.choice(spec.choices);
  }
}

/** A uniform random point of the space (random search). */
export function sampleRandom(space: SearchSpace, rng: Rng): Params {
  const params: Params = {};
  for (const [name, spec] of Object.entries(space)) {
    if (isActive(spec, params)) params[name] = sampleParam(spec, rng);
  }
  return params;
}

/** The values a grid takes along one parameter. */
export function gridValues(spec: ParamSpec, floatPoints: number): ParamValue[] {
  switch (spec.type) {
    case 'int': {
      const values: number[] = [];
      for (let v = spec.low; v <= spec.high; v += spec.step) values.push(v);
      return values;
    }
    case 'float':
      return spacedPoints(
        spec.low,
        spec.high,
        floatPoints,
        (i) => spec.low + ((spec.high - spec.low) * i) / (floatPoints - 1),
      );
    case 'logFloat': {
      const [a, b] = [Math.log(spec.low), Math.log(spec.high)];
      return spacedPoints(spec.low, spec.high, floatPoints, (i) => Math.exp(a + ((b - a) * i) / (floatPoints - 1)));
    }
    case 'categorical':
      return [...spec.choices];
  }
}

/** `count` points from `at(i)`, with the end points exactly `low` and `high` (no rounding drift). */
function spacedPoints(low: number, high: number, count: number, at: (i: number) => number): number[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? low : i === count - 1 ? high : at(i)));
}

/**
 * Every point of the grid over the space, in declaration order (the last parameter varies
 * fastest); conditional parameters appear only in the points where they are active.
 */
export function gridPoints(space: SearchSpace, floatPoints = 5, maxPoints = 1_000_000): Params[] {
  if (!Number.isInteger(floatPoints) || floatPoints < 2)
    throw new InvalidParameterError('gridFloatPoints', floatPoints, 'expected an integer >= 2');
  let points: Params[] = [{}];
  for (const [name, spec] of Object.entries(space)) {
    const values = gridValues(spec, floatPoints);
    const next: Params[] = [];
    for (const point of points) {
      if (!isActive(spec, point)) {
        next.push(point);
        continue;
      }
      for (const value of values) next.push({ ...point, [name]: value });
    }
    if (next.length > maxPoints)
      throw new InvalidParameterError(
        'space',
        next.length,
        `the grid has more than ${maxPoints} points; use random or TPE search`,
      );
    points = next;
  }
  return points;
}
