import { type Bars, ConfigError, OHLCV_FIELDS, type OhlcvField, type Timeframe } from '@candlelab/core';
import { FuzzyEngine } from '@candlelab/fuzzy';
import { type IndicatorId, indicatorEntry } from '@candlelab/indicators';
import {
  type BaseFeatureSpec,
  type FeatureSetInput,
  type FeatureSpec,
  parseFeatureSet,
  type TimeEncoding,
} from './featureSetSchema.js';
import { completedHigherTimeframe, joinCompleted, timeframeRatio } from './higherTimeframe.js';
import { rollingAutocorr, rollingStat } from './rollingStat.js';

/** A feature column's name and declared warm-up (bars before its first defined value). */
export interface FeatureColumnInfo {
  name: string;
  /** Rows `[0, warmup)` are NaN by construction; an upper bound for higher-timeframe columns. */
  warmup: number;
}

/** Computed feature columns, in feature-set order. */
export interface FeatureColumns {
  names: readonly string[];
  columns: readonly Float64Array[];
  /** Declared warm-up of each column (see {@link featureColumns}). */
  warmups: readonly number[];
}

const DAY_MS = 86_400_000;
const TWO_PI = 2 * Math.PI;

/** Bar columns any feature may refer to by name (`of: close`) without declaring them. */
function isBarColumn(name: string): name is OhlcvField {
  return (OHLCV_FIELDS as readonly string[]).includes(name);
}

function paramSuffix(params: Record<string, unknown>): string {
  return Object.values(params)
    .map((value) => `_${String(value).replace(/[^A-Za-z0-9-]/g, '_')}`)
    .join('');
}

function indicatorName(id: IndicatorId, params: Record<string, unknown>, output: string | undefined): string {
  return `${id}${paramSuffix(params)}${output === undefined ? '' : `_${output}`}`;
}

/** The column names one spec produces (before any higher-timeframe prefix). */
export function specNames(spec: BaseFeatureSpec): string[] {
  switch (spec.kind) {
    case 'indicator':
      return [spec.name ?? indicatorName(spec.id, spec.params, spec.output)];
    case 'priceRelative':
      return [spec.name ?? `close_vs_${indicatorName(spec.id, spec.params, spec.output)}`];
    case 'bandPosition':
      return [spec.name ?? `${spec.id}${paramSuffix(spec.params)}_position`];
    case 'returns':
      return [spec.name ?? `${spec.log ? 'ret' : 'sret'}_${spec.period}`];
    case 'volumeRatio':
      return [spec.name ?? `volume_ratio_${spec.period}`];
    case 'fuzzy':
      return Object.keys(spec.sets).map((set) => `${spec.input}.${set}`);
    case 'lag':
      return [spec.name ?? `${spec.of}_lag${spec.lag}`];
    case 'rolling':
      return [spec.name ?? `${spec.of}_${spec.stat}${spec.window}`];
    case 'autocorr':
      return [spec.name ?? `${spec.of}_acf${spec.lag}_${spec.window}`];
    case 'pattern':
      return [spec.name ?? spec.pattern];
    case 'supportResistance':
      return [spec.name ?? `dist_${spec.side}${paramSuffix(spec.params)}`];
    case 'time':
      return [spec.name ?? spec.encoding];
  }
}

export function entryWarmup(id: IndicatorId, params: Record<string, unknown>): number {
  const entry = indicatorEntry(id);
  return entry.warmup(entry.parse(params) as never);
}

function refWarmup(known: ReadonlyMap<string, number>, ref: string, path: string): number {
  const warmup = known.get(ref) ?? (isBarColumn(ref) ? 0 : undefined);
  if (warmup === undefined) {
    throw new ConfigError('feature set', [
      {
        field: path,
        reason: `'${ref}' is not a column declared earlier (have: ${[...known.keys()].slice(-20).join(', ')})`,
      },
    ]);
  }
  return warmup;
}

function specWarmup(spec: BaseFeatureSpec, known: ReadonlyMap<string, number>, path: string): number {
  switch (spec.kind) {
    case 'indicator':
    case 'priceRelative':
    case 'bandPosition':
      return entryWarmup(spec.id, spec.params);
    case 'pattern':
      return entryWarmup(spec.pattern, {});
    case 'supportResistance':
      return entryWarmup('supportResistance', spec.params);
    case 'returns':
      return spec.period;
    case 'volumeRatio':
      return spec.period - 1;
    case 'fuzzy':
      return refWarmup(known, spec.input, `${path}.input`);
    case 'lag':
      return refWarmup(known, spec.of, `${path}.of`) + spec.lag;
    case 'rolling':
      return refWarmup(known, spec.of, `${path}.of`) + spec.window - 1;
    case 'autocorr':
      return refWarmup(known, spec.of, `${path}.of`) + spec.window + spec.lag - 1;
    case 'time':
      return 0;
  }
}

function addColumn(known: Map<string, number>, name: string, warmup: number, path: string): void {
  if (known.has(name)) {
    throw new ConfigError('feature set', [
      { field: path, reason: `duplicate column name '${name}': give the feature a distinct 'name'` },
    ]);
  }
  known.set(name, warmup);
}

function describe(specs: readonly FeatureSpec[], timeframe: Timeframe | undefined, path: string): FeatureColumnInfo[] {
  const known = new Map<string, number>();
  specs.forEach((spec, i) => {
    const at = `${path}.${i}`;
    if (spec.kind === 'higherTimeframe') {
      if (timeframe === undefined) {
        throw new ConfigError('feature set', [
          { field: at, reason: 'higher-timeframe features need the bars’ timeframe' },
        ]);
      }
      const ratio = timeframeRatio(timeframe, spec.timeframe);
      for (const inner of describe(spec.features, undefined, `${at}.features`)) {
        // First completed higher bar with a defined value: at most (ratio − 1) bars to reach the grid,
        // then (warmup + 1) whole higher bars.
        addColumn(known, `${spec.timeframe}_${inner.name}`, (inner.warmup + 2) * ratio - 2, at);
      }
      return;
    }
    const warmup = specWarmup(spec, known, at);
    for (const name of specNames(spec)) addColumn(known, name, warmup, at);
  });
  return [...known].map(([name, warmup]) => ({ name, warmup }));
}

/**
 * Every column a feature set produces on bars of `timeframe`, with its warm-up, known before
 * computing anything. Throws a `ConfigError` for unknown references or duplicate names.
 */
export function featureColumns(featureSet: FeatureSetInput, timeframe: Timeframe): FeatureColumnInfo[] {
  return describe(parseFeatureSet(featureSet).features, timeframe, 'features');
}

/** The longest warm-up of a feature set on bars of `timeframe`: the first row where every column can be defined. */
export function featureSetWarmup(featureSet: FeatureSetInput, timeframe: Timeframe): FeatureColumnInfo {
  let longest: FeatureColumnInfo = { name: '', warmup: 0 };
  for (const column of featureColumns(featureSet, timeframe))
    if (column.warmup > longest.warmup || longest.name === '') longest = column;
  return longest;
}

class IndicatorCache {
  readonly #results = new Map<string, Float64Array | Record<string, Float64Array>>();
  constructor(private readonly bars: Bars) {}

  output(id: IndicatorId, params: Record<string, unknown>, output?: string): Float64Array {
    const entry = indicatorEntry(id);
    const key = `${id}:${JSON.stringify(entry.parse(params))}`;
    let result = this.#results.get(key);
    if (result === undefined) {
      result = entry.batch(this.bars, params);
      this.#results.set(key, result);
    }
    if (result instanceof Float64Array) return result;
    return result[output ?? entry.outputs[0]!]!;
  }
}

/** `close / level − 1`, NaN unless the level is positive (the `priceRelative` feature). */
export function relativeTo(close: number, level: number): number {
  return level > 0 ? close / level - 1 : Number.NaN;
}

/** Position of the close in a band, 0 = lower, 1 = upper; NaN for an empty band (the `bandPosition` feature). */
export function bandPosition(close: number, upper: number, lower: number): number {
  const width = upper - lower;
  return width > 0 ? (close - lower) / width : Number.NaN;
}

/** The `returns` feature from the close now and `period` bars earlier. */
export function returnOf(close: number, earlier: number, log: boolean): number {
  const ratio = close / earlier;
  return log ? Math.log(ratio) : ratio - 1;
}

/** The `volumeRatio` feature from the volume and its rolling mean. */
export function volumeRatioOf(volume: number, mean: number): number {
  return mean > 0 ? volume / mean : Number.NaN;
}

/** A cyclic encoding of a bar's UTC open time (the `time` feature). */
export function timeEncodingOf(time: number, encoding: TimeEncoding): number {
  const day = Math.floor(time / DAY_MS);
  // Fraction of the day, or of the week with Monday 00:00 UTC = 0 (1970-01-01 was a Thursday).
  const phase =
    encoding === 'hourSin' || encoding === 'hourCos' ? (time - day * DAY_MS) / DAY_MS : ((((day + 3) % 7) + 7) % 7) / 7;
  return encoding === 'hourSin' || encoding === 'weekdaySin' ? Math.sin(TWO_PI * phase) : Math.cos(TWO_PI * phase);
}

function priceRelative(close: Float64Array, level: Float64Array): Float64Array {
  const out = new Float64Array(close.length);
  for (let i = 0; i < out.length; i++) out[i] = relativeTo(close[i]!, level[i]!);
  return out;
}

function computeSpec(
  spec: BaseFeatureSpec,
  bars: Bars,
  cache: IndicatorCache,
  columns: ReadonlyMap<string, Float64Array>,
): Float64Array[] {
  const { close } = bars;
  const n = close.length;
  const ref = (name: string): Float64Array => columns.get(name) ?? bars[name as OhlcvField];
  switch (spec.kind) {
    case 'indicator':
      return [cache.output(spec.id, spec.params, spec.output)];
    case 'priceRelative':
      return [priceRelative(close, cache.output(spec.id, spec.params, spec.output))];
    case 'bandPosition': {
      const upper = cache.output(spec.id, spec.params, 'upper');
      const lower = cache.output(spec.id, spec.params, 'lower');
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = bandPosition(close[i]!, upper[i]!, lower[i]!);
      return [out];
    }
    case 'returns': {
      const out = new Float64Array(n).fill(Number.NaN);
      for (let i = spec.period; i < n; i++) out[i] = returnOf(close[i]!, close[i - spec.period]!, spec.log);
      return [out];
    }
    case 'volumeRatio': {
      const mean = rollingStat(bars.volume, 'mean', spec.period);
      for (let i = 0; i < n; i++) mean[i] = volumeRatioOf(bars.volume[i]!, mean[i]!);
      return [mean];
    }
    case 'fuzzy': {
      const engine = FuzzyEngine.fromConfig({
        [spec.input]: { range: spec.range, minCoverage: spec.minCoverage, sets: spec.sets },
      });
      const result = engine.evaluate({ [spec.input]: ref(spec.input) });
      return engine.outputs.map((name) => result[name]!);
    }
    case 'lag': {
      const source = ref(spec.of);
      const out = new Float64Array(n).fill(Number.NaN);
      if (spec.lag < n) out.set(source.subarray(0, n - spec.lag), spec.lag);
      return [out];
    }
    case 'rolling':
      return [rollingStat(ref(spec.of), spec.stat, spec.window)];
    case 'autocorr':
      return [rollingAutocorr(ref(spec.of), spec.lag, spec.window)];
    case 'pattern':
      return [cache.output(spec.pattern, {})];
    case 'supportResistance': {
      const parsed = indicatorEntry('supportResistance').parse(spec.params) as { lookback: number };
      const level = cache.output('supportResistance', spec.params, spec.side).slice();
      const lookback = parsed.lookback;
      const fallback =
        lookback >= 2
          ? rollingStat(
              spec.side === 'support' ? bars.low : bars.high,
              spec.side === 'support' ? 'min' : 'max',
              lookback,
            )
          : spec.side === 'support'
            ? bars.low
            : bars.high;
      for (let i = 0; i < n; i++) if (Number.isNaN(level[i]!)) level[i] = fallback[i]!;
      const warm = entryWarmup('supportResistance', spec.params);
      const out = priceRelative(close, level);
      out.fill(Number.NaN, 0, Math.min(n, warm));
      return [out];
    }
    case 'time': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = timeEncodingOf(bars.time[i]!, spec.encoding);
      return [out];
    }
  }
}

/** Computes `specs` over `bars` (batch) into `columns`, by name. */
export function computeSpecs(specs: readonly FeatureSpec[], bars: Bars, columns: Map<string, Float64Array>): void {
  const cache = new IndicatorCache(bars);
  for (const spec of specs) {
    if (spec.kind === 'higherTimeframe') {
      const higher = completedHigherTimeframe(bars, spec.timeframe);
      const inner = new Map<string, Float64Array>();
      computeSpecs(spec.features, higher.bars, inner);
      for (const [name, column] of inner)
        columns.set(`${spec.timeframe}_${name}`, joinCompleted(column, higher.lastCompleted));
      continue;
    }
    const names = specNames(spec);
    const values = computeSpec(spec, bars, cache, columns);
    names.forEach((name, k) => {
      columns.set(name, values[k]!);
    });
  }
}

/**
 * Computes every column of a feature set over `bars` (batch). Every column at row `t` depends only
 * on bars `0..t` (the causality test checks this for the standard set); rows before a column's
 * warm-up are NaN. `featureSet` may be untrusted (it is parsed). Columns are read-only views:
 * two features naming the same indicator output share one array.
 */
export function computeFeatures(bars: Bars, featureSet: FeatureSetInput): FeatureColumns {
  const set = parseFeatureSet(featureSet);
  const info = describe(set.features, bars.timeframe, 'features');
  const columns = new Map<string, Float64Array>();
  computeSpecs(set.features, bars, columns);
  return {
    names: info.map((column) => column.name),
    columns: info.map((column) => columns.get(column.name)!),
    warmups: info.map((column) => column.warmup),
  };
}
