import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, TimeframeSchema, type ValidationIssue } from '@candlelab/core';
import { FeatureSetSchema } from '@candlelab/features';
import { GbdtParamsSchema } from '@candlelab/gbdt';
import { ACTIVATIONS } from '@candlelab/nn';
import { QualityGatesSchema } from '@candlelab/validation';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

/** A date as `YYYY-MM-DD`, an ISO timestamp, or epoch milliseconds; becomes UTC epoch ms. */
const DateSchema = z.union([z.string(), z.number().int(), z.date()]).transform((value, ctx) => {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value
        : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `not a date: ${JSON.stringify(value)} (use YYYY-MM-DD, an ISO timestamp or epoch ms)`,
    });
    return z.NEVER;
  }
  return ms;
});

const SourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('file'),
      /** File per symbol; `{base}`, `{quote}`, `{symbol}` (BTC-USDT) and `{timeframe}` are filled in. Relative to the config file. */
      path: z.string().min(1),
      format: z.enum(['csv', 'json']).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('ccxt'),
      /** ccxt exchange id; default: `data.exchange`. */
      exchange: z.string().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('synthetic'), seed: z.number().int().min(0).default(0) }).strict(),
]);

const StoreSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('duckdb'), path: z.string().default('.candlelab/candles.duckdb') }).strict(),
  z.object({ kind: z.literal('memory') }).strict(),
  z
    .object({
      kind: z.literal('postgres'),
      connectionString: z.string().default('postgres://postgres@127.0.0.1:5432/test'),
    })
    .strict(),
]);

export const DataConfigSchema = z
  .object({
    /** Store key of the market (ccxt exchange id for exchange data). Default `binance`. */
    exchange: z.string().min(1).default('binance'),
    symbols: z.array(z.string().min(1)).min(1),
    timeframe: TimeframeSchema,
    start: DateSchema,
    end: DateSchema,
    source: SourceSchema,
    /** Where candles are cached; default the embedded DuckDB file `.candlelab/candles.duckdb`. */
    store: StoreSchema.prefault({ kind: 'duckdb' }),
  })
  .strict()
  .refine((data) => data.start < data.end, { message: 'start must be before end', path: ['end'] });

export const LabelsConfigSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('forwardReturn'),
      horizon: z.number().int().positive().default(1),
      /** `binary`: up (1) vs not (0); `ternary`: down (0) / flat (1) / up (2). */
      target: z.enum(['binary', 'ternary']).default('binary'),
      upper: z.number().default(0),
      lower: z.number().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('zigzag'),
      threshold: z.number().positive().default(0.02),
      thresholdType: z.enum(['percent', 'atr']).default('percent'),
      atrPeriod: z.number().int().positive().default(14),
      lookahead: z.number().int().positive().default(20),
      price: z.enum(['close', 'highLow']).default('close'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('tripleBarrier'),
      profitTake: z.number().min(0).default(1),
      stopLoss: z.number().min(0).default(1),
      maxHolding: z.number().int().positive().default(20),
      volatilitySpan: z.number().int().positive().default(100),
      price: z.enum(['close', 'highLow']).default('close'),
    })
    .strict(),
]);

export const ModelConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('gbdt'), params: GbdtParamsSchema.prefault({}) }).strict(),
  z
    .object({
      kind: z.literal('ensemble'),
      /** GBDT members averaged by probability; default: the depth-wise + leaf-wise pair. */
      members: z.array(GbdtParamsSchema).min(1).optional(),
      weights: z.array(z.number().positive()).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('nn'),
      params: z
        .object({
          hiddenLayers: z.array(z.number().int().positive()).default([64, 32]),
          activation: z.enum(ACTIVATIONS).default('relu'),
          dropout: z.number().min(0).lt(1).default(0.1),
          l2: z.number().min(0).default(0),
          learningRate: z.number().positive().default(1e-3),
          batchSize: z.number().int().positive().default(64),
          epochs: z.number().int().positive().default(50),
          patience: z.number().int().positive().default(5),
          backend: z.enum(['wasm', 'cpu', 'tensorflow']).optional(),
        })
        .strict()
        .prefault({}),
    })
    .strict(),
]);

export const ValidationConfigSchema = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('walkForward'),
      /** Rows each fold trains on (its last `validationSize` rows are held out for early stopping). */
      trainSize: z.number().int().positive(),
      testSize: z.number().int().positive(),
      /** Rows between successive test windows; default `testSize`. */
      step: z.number().int().positive().optional(),
      validationSize: z.number().int().min(0).default(0),
      /** Rows dropped between train and test (embargo against label overlap); default 0 (labels are also purged by their end times). */
      gap: z.number().int().min(0).default(0),
      anchored: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      method: z.literal('holdout'),
      train: z.number().gt(0).lt(1).default(0.7),
      validation: z.number().min(0).lt(1).default(0.15),
      test: z.number().gt(0).lt(1).default(0.15),
    })
    .strict(),
]);

export const BacktestConfigSchema = z
  .object({
    /** Go long when P(up) ≥ this (binary) or when "up" is the most likely class (ternary). Default 0.55. */
    entryThreshold: z.number().gt(0).lt(1).default(0.55),
    /** Also go short when P(up) ≤ 1 − threshold (binary) or "down" is most likely (ternary). Default false. */
    allowShort: z.boolean().default(false),
    feesBps: z.number().min(0).default(10),
    slippageBps: z.number().min(0).default(5),
  })
  .strict();

export const StrategyConfigSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, ".", "_" or "-"'),
    description: z.string().optional(),
    /** Seed of every random step (model, splits, importance). Default 42. */
    seed: z.number().int().min(0).default(42),
    data: DataConfigSchema,
    /** Features: `{ preset: standard }` (the 100+ feature standard set) or a feature set. */
    features: z.union([z.object({ preset: z.literal('standard') }).strict(), FeatureSetSchema]),
    labels: LabelsConfigSchema,
    model: ModelConfigSchema,
    validation: ValidationConfigSchema,
    importance: z
      .object({
        repeats: z.number().int().positive().default(3),
        maxRows: z.number().int().positive().default(5000),
        enabled: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    backtest: BacktestConfigSchema.prefault({}),
    /** Quality gates over out-of-sample and backtest metrics, e.g. `sharpe > 1.5`. Default none. */
    gates: QualityGatesSchema.default([]),
    registry: z
      .object({ root: z.string().default('models') })
      .strict()
      .prefault({}),
  })
  .strict();

/** A strategy as written (defaults optional). */
export type StrategyConfigInput = z.input<typeof StrategyConfigSchema>;
/** A strategy with every default filled in. */
export type StrategyConfig = z.output<typeof StrategyConfigSchema>;

export interface LoadedStrategy {
  config: StrategyConfig;
  /** The YAML text exactly as read. */
  text: string;
  /** Absolute folder of the config file (relative paths inside it resolve from here). */
  baseDir: string;
}

/**
 * Parses strategy YAML (or JSON) text. Syntax errors, unknown keys and wrong types are
 * `ConfigError`s whose issues name the YAML path (`model.params.learningRate`) and line.
 */
export function parseStrategy(text: string, source = 'strategy'): StrategyConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      // The first errors locate the problem; later ones are usually its echoes.
      document.errors.slice(0, 3).map((error) => ({
        field: `line ${error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line}`,
        reason: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      })),
    );
  }
  const result = StrategyConfigSchema.safeParse(document.toJS());
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...path, key]) : [path];
    const where = keys.map((p) => p.join('.') || '(root)').join(', ');
    const line = lineOf(document, issue.code === 'unrecognized_keys' ? keys[0]! : path, lineCounter);
    return { field: line ? `${where} (line ${line})` : where, reason: issue.message };
  });
  throw new ConfigError(source, issues);
}

function lineOf(
  document: ReturnType<typeof parseDocument>,
  path: readonly string[],
  lineCounter: LineCounter,
): number | undefined {
  // Walk as deep as the path exists and report that node's line (the key itself when the value is missing).
  let node: unknown = document.contents;
  let offset: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => String((item.key as { value?: unknown })?.value ?? item.key) === key);
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] })?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(key)];
      if (item === undefined) break;
      offset = (item as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/** Reads and parses a strategy file. */
export function loadStrategy(path: string): LoadedStrategy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      path,
      [{ reason: `cannot read the strategy file (${(error as NodeJS.ErrnoException).code ?? 'error'})` }],
      { cause: error },
    );
  }
  return { config: parseStrategy(text, path), text, baseDir: dirname(resolve(path)) };
}

/** JSON Schema of strategy files, for editor autocomplete of YAML (`yaml-language-server: $schema=…`). */
export function strategyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(StrategyConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
