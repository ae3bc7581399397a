import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PositionRuleSchema } from '@candlelab/backtest';
import { ConfigError, didYouMean, TimeframeSchema, timeframeToMs, type ValidationIssue } from '@candlelab/core';
import { FeatureSetSchema } from '@candlelab/features';
import { GbdtParamsSchema } from '@candlelab/gbdt';
import { LabelSpecSchema } from '@candlelab/labels';
import { BACKEND_NAMES, MlpOptionsSchema } from '@candlelab/nn';
import { QualityGatesSchema } from '@candlelab/validation';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SizingConfigSchema } from './hybridSizing.js';
import { PpoModelConfigSchema } from './ppoModelConfig.js';
import { SHADOW_METRICS, ShadowConfigSchema } from './shadowStage.js';
import { STRATEGY_METRIC_NAMES } from './strategyMetrics.js';

const EARLIEST_DATE = Date.UTC(1990, 0, 1);
const LATEST_DATE = Date.UTC(2100, 0, 1);

/** Epoch ms of a date string, or NaN; `YYYY-MM-DD` must name a real calendar day (no 2020-02-30). */
function parseDate(text: string): number {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!day) return /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
  const ms = Date.UTC(year, month - 1, date);
  const back = new Date(ms);
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === date
    ? ms
    : Number.NaN;
}

/**
 * A date as `YYYY-MM-DD`, an ISO timestamp, or epoch milliseconds; becomes UTC epoch ms. Dates
 * outside 1990–2100 are refused: they are typos (`20201001` read as ms is 1970, `9999-01-01`).
 */
const DateSchema = z.union([z.string(), z.number().int(), z.date()]).transform((value, ctx) => {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : parseDate(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `not a date: ${JSON.stringify(value)} (use YYYY-MM-DD, an ISO timestamp or epoch ms)`,
    });
    return z.NEVER;
  }
  if (ms < EARLIEST_DATE || ms >= LATEST_DATE) {
    const hint =
      typeof value === 'number' && /^\d{8}$/.test(String(value))
        ? ` (${value} looks like YYYYMMDD: write ${String(value).slice(0, 4)}-${String(value).slice(4, 6)}-${String(value).slice(6)})`
        : '';
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is ${new Date(ms).toISOString().slice(0, 10)}, outside 1990–2099${hint}`,
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
      path: z
        .string()
        .min(1)
        .describe(
          'Candle file per symbol; {base}, {quote}, {symbol} (BTC-USDT) and {timeframe} are filled in; relative to the strategy file.',
        ),
      format: z
        .enum(['csv', 'json'])
        .optional()
        .describe('File format; default from the extension (.csv, .json, optionally .gz).'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('ccxt'),
      /** ccxt exchange id; default: `data.exchange`. */
      exchange: z.string().optional().describe('ccxt exchange id; default data.exchange.'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('synthetic'),
      seed: z.number().int().min(0).default(0).describe('Seed of the synthetic random walk; default 0.'),
    })
    .strict(),
]);

const StoreSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('duckdb'),
      path: z
        .string()
        .default('.candlelab/candles.duckdb')
        .describe('DuckDB file, relative to the working directory; default .candlelab/candles.duckdb.'),
    })
    .strict()
    .describe('The embedded DuckDB candle store (the default).'),
  z
    .object({ kind: z.literal('memory') })
    .strict()
    .describe('An in-memory store: nothing is cached between runs.'),
  z
    .object({
      kind: z.literal('postgres'),
      connectionString: z
        .string()
        .default('postgres://postgres@127.0.0.1:5432/test')
        .describe('PostgreSQL connection URL; default postgres://postgres@127.0.0.1:5432/test.'),
    })
    .strict(),
]);

export const DataConfigSchema = z
  .object({
    /** Store key of the market (ccxt exchange id for exchange data). Default `binance`. */
    exchange: z
      .string()
      .min(1)
      .default('binance')
      .describe('Store key of the market (the ccxt exchange id for exchange data); default binance.'),
    /** Markets as `BASE/QUOTE` (ccxt's unified form), e.g. `BTC/USDT`. Each at most once. */
    symbols: z
      .array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*\/[A-Za-z0-9]+(?::[A-Za-z0-9]+)?$/,
            'expected BASE/QUOTE, e.g. BTC/USDT',
          ),
      )
      .min(1)
      .refine((symbols) => new Set(symbols).size === symbols.length, { message: 'a symbol is listed twice' })
      .describe("Markets as BASE/QUOTE (ccxt's unified form), e.g. BTC/USDT; each at most once."),
    /** Timeframe of the candles read from the source and the store. */
    timeframe: TimeframeSchema.describe(
      'Timeframe of the candles read from the source and the store, e.g. 1m, 15m, 1h, 4h, 1d.',
    ),
    /**
     * Train on bars resampled to this longer timeframe (a whole multiple of `timeframe`), e.g. 1h
     * candles → `resample: 4h`. Only completed buckets are used. Default: no resampling.
     */
    resample: TimeframeSchema.optional().describe(
      'Train on bars resampled to this longer timeframe (a whole multiple of timeframe; completed buckets only); default none.',
    ),
    start: DateSchema.describe(
      'First bar time (inclusive): YYYY-MM-DD, an ISO timestamp or epoch ms, UTC, within 1990–2099.',
    ),
    end: DateSchema.describe('End time (exclusive), after start: YYYY-MM-DD, an ISO timestamp or epoch ms, UTC.'),
    source: SourceSchema.describe(
      'Where candles missing from the store are fetched: a file, an exchange through ccxt, or synthetic bars.',
    ),
    /** Where candles are cached; default the embedded DuckDB file `.candlelab/candles.duckdb`. */
    store: StoreSchema.prefault({ kind: 'duckdb' }).describe(
      'Where candles are cached and read first; default the embedded DuckDB file .candlelab/candles.duckdb.',
    ),
  })
  .strict()
  .refine((data) => data.start < data.end, { message: 'start must be before end', path: ['end'] })
  .superRefine((data, ctx) => {
    if (data.resample === undefined) return;
    const base = timeframeToMs(data.timeframe);
    const target = timeframeToMs(data.resample);
    if (target <= base || target % base !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['resample'],
        message: `must be a whole multiple of data.timeframe (${data.timeframe}) longer than it`,
      });
  });

/** The strategy's labels: `@candlelab/labels`' own spec (its defaults, its class meanings). */
export const LabelsConfigSchema = LabelSpecSchema;

/** GBDT parameters as a strategy writes them: the seed is the strategy's own `seed` (one seed, never two that disagree). */
const ModelParamsWithoutSeed = GbdtParamsSchema.omit({ seed: true });

export const ModelConfigSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('gbdt'),
      params: ModelParamsWithoutSeed.prefault({}).describe(
        "@candlelab/gbdt's parameters (LightGBM-style names and defaults), without seed (the strategy's).",
      ),
    })
    .strict()
    .describe('One gradient-boosted tree model (@candlelab/gbdt).'),
  z
    .object({
      kind: z.literal('ensemble'),
      /** GBDT members averaged by probability; default: the depth-wise + leaf-wise pair. */
      members: z
        .array(ModelParamsWithoutSeed)
        .min(1)
        .optional()
        .describe(
          'GBDT members (model.params of kind gbdt) averaged by probability; default a depth-wise and a leaf-wise member.',
        ),
      weights: z
        .array(z.number().positive())
        .optional()
        .describe('Weight of each member in the average, one per member; default equal weights.'),
    })
    .strict()
    .describe('Several GBDT models whose class probabilities are averaged.'),
  z
    .object({
      kind: z.literal('nn'),
      /** `@candlelab/nn`'s MLP options (its defaults), without `seed` (the strategy's), plus the TensorFlow.js backend. */
      params: MlpOptionsSchema.omit({ seed: true })
        .extend({
          backend: z
            .enum(BACKEND_NAMES)
            .optional()
            .describe('TensorFlow.js backend; default the fastest one installed (tensorflow, then wasm, then cpu).'),
        })
        .strict()
        .prefault({})
        .describe("@candlelab/nn's MLP options (its defaults), without seed (the strategy's)."),
    })
    .strict()
    .describe('A multilayer perceptron classifier (@candlelab/nn on TensorFlow.js).'),
  PpoModelConfigSchema.describe(
    'A PPO reinforcement-learning agent (@candlelab/ppo) trained walk-forward like any other model.',
  ),
]);

export const ValidationConfigSchema = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('walkForward'),
      /** Rows each fold trains on (its last `validationSize` rows are held out for early stopping). */
      trainSize: z
        .number()
        .int()
        .positive()
        .describe(
          'Length of each training window, its last validationSize bars held out for early stopping (bars of the training timeframe).',
        ),
      testSize: z.number().int().positive().describe("Length of each fold's out-of-sample test window (bars)."),
      /** Rows between successive test windows; default `testSize`. */
      step: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('Bars between successive test windows; default testSize (each bar tested once).'),
      validationSize: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe('Last bars of each training window held out for early stopping and model choice (bars; default 0).'),
      /** Rows dropped between train and test (embargo against label overlap); default 0 (labels are also purged by their end times). */
      gap: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe(
          'Bars dropped between train and test (embargo against label overlap; labels are also purged by their end times); default 0.',
        ),
      anchored: z
        .boolean()
        .default(false)
        .describe('Training windows all start at the first bar (expanding) instead of sliding; default false.'),
      /** Worker threads that train folds in parallel (same bytes as one). Default: the machine's cores. */
      workers: z
        .number()
        .int()
        .positive()
        .optional()
        .describe("Worker threads that train folds in parallel (same bytes as one); default the machine's cores."),
    })
    .strict()
    .refine((v) => v.validationSize < v.trainSize, {
      message: 'validationSize must be smaller than trainSize (it is held out of the training rows)',
      path: ['validationSize'],
    }),
  z
    .object({
      method: z.literal('holdout'),
      train: z
        .number()
        .gt(0)
        .lt(1)
        .default(0.7)
        .describe('Fraction of the rows (oldest first) used for training; default 0.7.'),
      validation: z
        .number()
        .min(0)
        .lt(1)
        .default(0.15)
        .describe('Fraction of the rows after the training rows used for early stopping; default 0.15.'),
      test: z
        .number()
        .gt(0)
        .lt(1)
        .default(0.15)
        .describe('Fraction of the rows (newest) used for the out-of-sample test; default 0.15.'),
    })
    .strict(),
]);

/** How out-of-sample signals become positions and fills: the one position rule plus costs. */
export const BacktestConfigSchema = PositionRuleSchema.extend({
  /** Commission per fill in basis points of traded notional. Default 10. */
  feesBps: z
    .number()
    .min(0)
    .default(10)
    .describe('Commission per fill in basis points of traded notional (bps; default 10).'),
  /** Adverse slippage per fill in basis points. Default 5. */
  slippageBps: z.number().min(0).default(5).describe('Adverse slippage per fill (bps; default 5).'),
  /**
   * Calendar for annualising Sharpe, CAGR…: `crypto` (365 days), `equity` (252 days × 6.5 h), or
   * `auto` (default): crypto when the bars include weekends, equity otherwise.
   */
  calendar: z
    .enum(['auto', 'crypto', 'equity'])
    .default('auto')
    .describe(
      'Calendar for annualising Sharpe, CAGR…: crypto (365 days), equity (252 days × 6.5 h) or auto (default: crypto when the bars include weekends).',
    ),
}).strict();

/** Every metric a gate may name: the trainer's and, with `shadow:`, the shadow run's. */
const GATE_METRIC_NAMES: readonly string[] = [...STRATEGY_METRIC_NAMES, ...Object.keys(SHADOW_METRICS)];

export const StrategyConfigSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, ".", "_" or "-"')
      .describe('Strategy name, used as the registry model name: letters, digits, ".", "_" or "-".'),
    description: z.string().optional().describe('Free text stored with the model in the registry; default none.'),
    /** Seed of every random step (model, splits, importance). Default 42. */
    seed: z
      .number()
      .int()
      .min(0)
      .default(42)
      .describe('Seed of every random step (model, splits, importance, PPO agents); default 42.'),
    data: DataConfigSchema.describe('Which candles to train on: markets, timeframe, period, source and cache.'),
    /** Features: `{ preset: standard }` (the 100+ feature standard set) or a feature set. */
    features: z
      .union([
        z
          .object({
            preset: z.literal('standard'),
            /** Higher timeframes joined from completed bars; default `[4h, 1d]` (for bars of 1h or shorter). */
            higherTimeframes: z
              .array(TimeframeSchema)
              .optional()
              .describe('Higher timeframes joined from completed bars; default [4h, 1d] for bars of 1h or shorter.'),
          })
          .strict()
          .describe('The standard feature set of @candlelab/features (100+ causal features).'),
        FeatureSetSchema.describe('A declarative feature set: an ordered list of features.'),
      ])
      .describe('The features: { preset: standard } (the standard set) or a feature set.'),
    labels: LabelsConfigSchema.describe(
      'What the model predicts: forward-return classes, ZigZag swings or triple-barrier outcomes (@candlelab/labels).',
    ),
    model: ModelConfigSchema.describe('The model trained on each fold: gbdt, ensemble, nn or ppo.'),
    validation: ValidationConfigSchema.describe(
      'How rows are split into training and out-of-sample test windows (purged of overlapping labels).',
    ),
    importance: z
      .object({
        repeats: z
          .number()
          .int()
          .positive()
          .default(3)
          .describe('Shuffles per feature in permutation importance; default 3.'),
        maxRows: z
          .number()
          .int()
          .positive()
          .default(5000)
          .describe('Test rows sampled for permutation importance; default 5000.'),
        enabled: z
          .boolean()
          .default(true)
          .describe('Compute permutation importance on the out-of-sample rows; default true.'),
      })
      .strict()
      .prefault({})
      .describe('Permutation importance of the features, measured on out-of-sample rows.'),
    backtest: BacktestConfigSchema.prefault({}).describe(
      'How out-of-sample signals become positions and fills: the position rule plus costs.',
    ),
    /** Quality gates over out-of-sample and backtest metrics, e.g. `sharpe > 1.5`. Default none. */
    gates: QualityGatesSchema.default([])
      .superRefine((gates, ctx) => {
        gates.forEach((gate, i) => {
          if (GATE_METRIC_NAMES.includes(gate.metric)) return;
          const hint = didYouMean(gate.metric, GATE_METRIC_NAMES);
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message: `unknown metric '${gate.metric}'${hint ? `: ${hint}` : ''} (known: ${GATE_METRIC_NAMES.join(', ')})`,
          });
        });
      })
      .describe(
        'Quality gates over out-of-sample, backtest and shadow metrics, e.g. "sharpe > 1.5"; the model passes only when every gate holds; default none.',
      ),
    /**
     * Hybrid sizing: entries from the classifier model (the position rule), position sizes from a
     * PPO allocator trained walk-forward (`kind: ppo`). Default off (full-size positions).
     */
    sizing: SizingConfigSchema.optional().describe(
      'Hybrid sizing: entries from the classifier, position sizes from a PPO allocator trained walk-forward; default off (full-size positions).',
    ),
    /** Shadow trading after training: every out-of-sample entry simulated and analysed. Default off. */
    shadow: ShadowConfigSchema.optional().describe(
      'Shadow trading after training: every out-of-sample entry simulated with exits and analysed; default off.',
    ),
    registry: z
      .object({
        /** Registry folder (relative to the strategy file) or a `postgres://` URL. Default `models`. */
        root: z
          .string()
          .min(1)
          .default('models')
          .describe('Registry folder (relative to the strategy file) or a postgres:// URL; default models.'),
      })
      .strict()
      .prefault({})
      .describe('Where the trained model, its metrics and reports are stored (@candlelab/registry).'),
  })
  .strict()
  .superRefine((strategy, ctx) => {
    if (strategy.sizing && strategy.model.kind === 'ppo')
      ctx.addIssue({
        code: 'custom',
        path: ['sizing'],
        message: 'sizing takes its entries from a classifier model (gbdt, ensemble or nn); a ppo model sizes itself',
      });
    if (strategy.model.kind === 'ppo' && strategy.model.env.kind === 'portfolio') {
      if (strategy.backtest.allowShort)
        ctx.addIssue({
          code: 'custom',
          path: ['backtest', 'allowShort'],
          message: 'the portfolio env is long-only (weights over the symbols and cash): set allowShort: false',
        });
      if (strategy.shadow)
        ctx.addIssue({
          code: 'custom',
          path: ['shadow'],
          message: 'shadow trading simulates entries of one symbol; a portfolio allocator has weights, not entries',
        });
    }
    if (strategy.shadow) return;
    strategy.gates.forEach((gate, i) => {
      if (gate.metric in SHADOW_METRICS)
        ctx.addIssue({
          code: 'custom',
          path: ['gates', i],
          message: `'${gate.metric}' is measured by shadow trading: add a shadow: section (e.g. shadow: { maxHoldBars: 24 })`,
        });
    });
  });

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
  let value: unknown;
  try {
    // The yaml library refuses alias bombs (excessive alias expansion) with a ReferenceError.
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(source, [{ reason: `cannot expand the YAML: ${(error as Error).message}` }], {
      cause: error,
    });
  }
  const result = StrategyConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.flatMap(closestBranch).map((issue) => {
    const path = issue.path.map(String);
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...path, key]) : [path];
    const where = keys.map((p) => p.join('.') || '(root)').join(', ');
    const line = lineOf(document, issue.code === 'unrecognized_keys' ? keys[0]! : path, lineCounter);
    return { field: line ? `${where} (line ${line})` : where, reason: reasonOf(issue, valueAt(value, path)) };
  });
  throw new ConfigError(source, issues);
}

/**
 * A union's error ("Invalid input") says nothing; report instead the issues of the branch that got
 * furthest (its first issue has the longest path), with their full paths.
 */
function closestBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const depth = (branch: z.core.$ZodIssue[]) => Math.max(...branch.map((i) => i.path.length));
  const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  return best.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })).flatMap(closestBranch);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path)
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** Zod's message, with "did you mean" for a misspelt choice (an indicator id, a model kind…) instead of the whole list when it is long. */
function reasonOf(issue: z.core.$ZodIssue, received: unknown): string {
  if (issue.code !== 'invalid_value' || typeof received !== 'string') return issue.message;
  const choices = issue.values.map(String);
  const hint = didYouMean(received, choices);
  if (choices.length <= 8) return `${issue.message}${hint ? ` (${hint})` : ''}`;
  return `unknown value '${received}'${hint ? `: ${hint}` : ''} (${choices.length} choices, e.g. ${choices.slice(0, 6).join(', ')}…)`;
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

/** The text of a config file (`what`: "strategy file", "serve config" …); unreadable is a `ConfigError` naming it. */
export function readConfigFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      path,
      [{ reason: `cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }],
      { cause: error },
    );
  }
}

/** Reads and parses a strategy file. */
export function loadStrategy(path: string): LoadedStrategy {
  const text = readConfigFile(path, 'strategy file');
  return { config: parseStrategy(text, path), text, baseDir: dirname(resolve(path)) };
}

/** JSON Schema of strategy files, for editor autocomplete of YAML (`yaml-language-server: $schema=…`). */
export function strategyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(StrategyConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
