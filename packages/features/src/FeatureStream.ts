import { type Candle, InvalidParameterError, OHLCV_FIELDS, type Timeframe } from '@candlelab/core';
import { FuzzyEngine } from '@candlelab/fuzzy';
import { type IndicatorId, indicatorEntry, type StreamingIndicator } from '@candlelab/indicators';
import {
  bandPosition,
  entryWarmup,
  featureColumns,
  featureSetWarmup,
  relativeTo,
  returnOf,
  specNames,
  timeEncodingOf,
  volumeRatioOf,
} from './computeFeatures.js';
import { type BaseFeatureSpec, type FeatureSetInput, type FeatureSpec, parseFeatureSet } from './featureSetSchema.js';
import { CompletedBarAggregator } from './higherTimeframe.js';
import { RollingAutocorr, rollingStepper, SeriesHistory } from './rollingSteps.js';

export interface FeatureStreamOptions {
  /**
   * Deprecated and ignored since the stream became O(1) per bar: it keeps no bar history, only
   * each feature's running state, so every row equals the batch row over the whole history. Still
   * validated (must exceed the warm-up) for backward compatibility. Default `Infinity`.
   */
  maxHistory?: number;
}

/** The bar as the steps see it: slots 0–4 of the value array hold open, high, low, close, volume. */
const BAR_SLOTS: number = OHLCV_FIELDS.length;
const CLOSE = OHLCV_FIELDS.indexOf('close');

/** One feature's step: reads the bar and earlier slots of `values`, writes its own slots. */
type Step = (bar: Candle, revise: boolean) => void;

/**
 * The streaming form of a list of features over one series of bars: each `update` (or `revise`
 * of the newest bar) advances every indicator once and every feature in declaration order, each
 * in O(1), writing the raw row (NaN during warm-up, exactly as the batch columns) to `values`.
 */
class FeatureSteps {
  /** Slots `[0, 5)`: the bar's OHLCV; then one slot per column in feature-set order. */
  readonly values: Float64Array;
  readonly #slots = new Map<string, number>();
  readonly #indicators: StreamingIndicator<string>[] = [];
  readonly #indicatorKeys = new Map<string, StreamingIndicator<string>>();
  readonly #steps: Step[] = [];
  /** Bars seen (a revised bar counts once). */
  #length = 0;
  /** Index of the bar being stepped. */
  #index = 0;

  constructor(specs: readonly FeatureSpec[], timeframe: Timeframe | undefined, columns: number) {
    this.values = new Float64Array(BAR_SLOTS + columns).fill(Number.NaN);
    OHLCV_FIELDS.forEach((field, k) => {
      this.#slots.set(field, k);
    });
    let next = BAR_SLOTS;
    for (const spec of specs) {
      if (spec.kind === 'higherTimeframe') {
        const inner = featureColumnsOf(spec.features);
        const names = inner.map((name) => `${spec.timeframe}_${name}`);
        const first = next;
        next = this.#claim(names, next);
        this.#steps.push(this.#higherTimeframe(spec.features, timeframe!, spec.timeframe, first, inner.length));
        continue;
      }
      const first = next;
      next = this.#claim(specNames(spec), next);
      this.#steps.push(this.#step(spec, first));
    }
  }

  get length(): number {
    return this.#length;
  }

  /** Advances every feature by one closed bar (`revise = false`) or revises the newest bar. */
  advance(bar: Candle, revise: boolean): void {
    const values = this.values;
    values[0] = bar.open;
    values[1] = bar.high;
    values[2] = bar.low;
    values[3] = bar.close;
    values[4] = bar.volume;
    for (const indicator of this.#indicators) {
      if (revise) indicator.replace(bar);
      else indicator.update(bar);
    }
    this.#index = revise ? this.#length - 1 : this.#length;
    for (const step of this.#steps) step(bar, revise);
    if (!revise) this.#length++;
  }

  #claim(names: readonly string[], first: number): number {
    names.forEach((name, k) => {
      this.#slots.set(name, first + k);
    });
    return first + names.length;
  }

  #slot(name: string): number {
    return this.#slots.get(name)!; // references were checked by featureColumns
  }

  /** The one stream of an indicator with these parameters (features naming it share it). */
  #indicator(id: IndicatorId, params: Record<string, unknown>): StreamingIndicator<string> {
    const entry = indicatorEntry(id);
    const key = `${id}:${JSON.stringify(entry.parse(params))}`;
    let stream = this.#indicatorKeys.get(key);
    if (stream === undefined) {
      stream = entry.stream(params);
      this.#indicatorKeys.set(key, stream);
      this.#indicators.push(stream);
    }
    return stream;
  }

  #output(id: IndicatorId, output: string | undefined): number {
    const outputs = indicatorEntry(id).outputs;
    return output === undefined ? 0 : outputs.indexOf(output);
  }

  #step(spec: BaseFeatureSpec, at: number): Step {
    const values = this.values;
    switch (spec.kind) {
      case 'indicator':
      case 'pattern': {
        const id = spec.kind === 'pattern' ? spec.pattern : spec.id;
        const stream = this.#indicator(id, spec.kind === 'pattern' ? {} : spec.params);
        const k = spec.kind === 'pattern' ? 0 : this.#output(id, spec.output);
        return () => {
          values[at] = stream.rawAt(k);
        };
      }
      case 'priceRelative': {
        const stream = this.#indicator(spec.id, spec.params);
        const k = this.#output(spec.id, spec.output);
        return () => {
          values[at] = relativeTo(values[CLOSE]!, stream.rawAt(k));
        };
      }
      case 'bandPosition': {
        const stream = this.#indicator(spec.id, spec.params);
        const upper = this.#output(spec.id, 'upper');
        const lower = this.#output(spec.id, 'lower');
        return () => {
          values[at] = bandPosition(values[CLOSE]!, stream.rawAt(upper), stream.rawAt(lower));
        };
      }
      case 'supportResistance': {
        const stream = this.#indicator('supportResistance', spec.params);
        const k = this.#output('supportResistance', spec.side);
        const { lookback } = indicatorEntry('supportResistance').parse(spec.params) as { lookback: number };
        const warm = entryWarmup('supportResistance', spec.params);
        const support = spec.side === 'support';
        const source = this.#slot(support ? 'low' : 'high');
        const extreme = lookback >= 2 ? rollingStepper(support ? 'min' : 'max', lookback) : undefined;
        return (_bar, revise) => {
          const edge = values[source]!;
          const fallback = extreme === undefined ? edge : revise ? extreme.revise(edge) : extreme.next(edge);
          const level = stream.rawAt(k);
          values[at] =
            this.#index < warm ? Number.NaN : relativeTo(values[CLOSE]!, Number.isNaN(level) ? fallback : level);
        };
      }
      case 'returns': {
        const closes = new SeriesHistory(spec.period + 1);
        const { period, log } = spec;
        return (_bar, revise) => {
          const close = values[CLOSE]!;
          if (revise) closes.revise(close);
          else closes.push(close);
          values[at] = returnOf(close, closes.ago(period), log); // NaN until `period` earlier closes exist
        };
      }
      case 'volumeRatio': {
        const mean = rollingStepper('mean', spec.period);
        const volume = this.#slot('volume');
        return (_bar, revise) => {
          const v = values[volume]!;
          values[at] = volumeRatioOf(v, revise ? mean.revise(v) : mean.next(v));
        };
      }
      case 'fuzzy': {
        const engine = FuzzyEngine.fromConfig({
          [spec.input]: { range: spec.range, minCoverage: spec.minCoverage, sets: spec.sets },
        });
        const input = new Float64Array(1);
        const source = this.#slot(spec.input);
        const out = values.subarray(at, at + engine.outputs.length);
        return () => {
          input[0] = values[source]!;
          engine.evaluateRowInto(input, out);
        };
      }
      case 'lag': {
        const history = new SeriesHistory(spec.lag + 1);
        const source = this.#slot(spec.of);
        const { lag } = spec;
        return (_bar, revise) => {
          if (revise) history.revise(values[source]!);
          else history.push(values[source]!);
          values[at] = history.ago(lag);
        };
      }
      case 'rolling': {
        const stepper = rollingStepper(spec.stat, spec.window);
        const source = this.#slot(spec.of);
        return (_bar, revise) => {
          values[at] = revise ? stepper.revise(values[source]!) : stepper.next(values[source]!);
        };
      }
      case 'autocorr': {
        const stepper = new RollingAutocorr(spec.lag, spec.window);
        const source = this.#slot(spec.of);
        return (_bar, revise) => {
          values[at] = revise ? stepper.revise(values[source]!) : stepper.next(values[source]!);
        };
      }
      case 'time': {
        const { encoding } = spec;
        return (bar) => {
          values[at] = timeEncodingOf(bar.time, encoding);
        };
      }
    }
  }

  /**
   * Higher-timeframe features: base bars are aggregated into completed buckets; each completed
   * bucket advances an inner set of steps, whose newest row is joined to every base bar until the
   * next bucket completes (NaN before the first).
   */
  #higherTimeframe(
    features: readonly BaseFeatureSpec[],
    base: Timeframe,
    higher: Timeframe,
    at: number,
    width: number,
  ): Step {
    const aggregator = new CompletedBarAggregator(base, higher);
    const inner = new FeatureSteps(features, undefined, width);
    const innerRow = inner.values.subarray(BAR_SLOTS);
    const values = this.values;
    const candle: Candle = { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
    const feed = (bucket: Float64Array, revise: boolean): void => {
      candle.time = bucket[0]!;
      candle.open = bucket[1]!;
      candle.high = bucket[2]!;
      candle.low = bucket[3]!;
      candle.close = bucket[4]!;
      candle.volume = bucket[5]!;
      inner.advance(candle, revise);
    };
    return (bar, revise) => {
      const { time, open, high, low, close, volume } = bar;
      if (revise) {
        // Which buckets complete depends on bar times only, so a revision completes the same ones;
        // only a bucket containing the revised bar changes.
        const completed = aggregator.revise(time, open, high, low, close, volume);
        if (aggregator.completedWithBar) feed(aggregator.completed[completed - 1]!, true);
      } else {
        const completed = aggregator.push(time, open, high, low, close, volume);
        for (let k = 0; k < completed; k++) feed(aggregator.completed[k]!, false);
      }
      if (inner.length > 0) values.set(innerRow, at);
    };
  }
}

/** Column names of a list of base features (no higher timeframes), for sizing the inner steps. */
function featureColumnsOf(features: readonly BaseFeatureSpec[]): string[] {
  return features.flatMap((spec) => specNames(spec));
}

/**
 * Live use of a feature set: append closed bars with `update`, revise the still-forming bar with
 * `replace`, read the newest feature row. Every indicator, rolling statistic, fuzzy membership
 * and higher-timeframe join advances in O(1) per bar from its running state (no bar history is
 * kept), doing the same floating-point operations as the batch {@link computeFeatures}, so each
 * row is bit-identical to the batch row of the same bars (tested on real data).
 */
export class FeatureStream {
  /** Feature names, in row order. */
  readonly names: readonly string[];
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** The longest declared warm-up: rows before it are `null`. */
  readonly warmup: number;
  readonly #steps: FeatureSteps;
  readonly #row: Float64Array;
  #lastTime = Number.NEGATIVE_INFINITY;

  constructor(featureSet: FeatureSetInput, symbol: string, timeframe: Timeframe, options: FeatureStreamOptions = {}) {
    const set = parseFeatureSet(featureSet);
    const columns = featureColumns(set, timeframe);
    const longest = featureSetWarmup(set, timeframe);
    this.warmup = longest.warmup;
    const maxHistory = options.maxHistory ?? Number.POSITIVE_INFINITY;
    if (!(maxHistory > this.warmup)) {
      throw new InvalidParameterError(
        'maxHistory',
        maxHistory,
        `must exceed the warm-up (${this.warmup}, '${longest.name}')`,
      );
    }
    this.names = columns.map((column) => column.name);
    this.#steps = new FeatureSteps(set.features, timeframe, columns.length);
    this.#row = this.#steps.values.subarray(BAR_SLOTS);
    this.symbol = symbol;
    this.timeframe = timeframe;
  }

  /** Bars seen (a replaced bar counts once). */
  get length(): number {
    return this.#steps.length;
  }

  /**
   * Appends a closed bar (time after the last one) and returns the newest feature row, or `null`
   * during warm-up. The row is a fresh copy (see {@link FeatureStream.latest} to avoid the copy).
   */
  update(candle: Candle): Float64Array | null {
    if (!(candle.time > this.#lastTime))
      throw new InvalidParameterError('candle.time', candle.time, `must be after the last bar (${this.#lastTime})`);
    this.#steps.advance(candle, false);
    this.#lastTime = candle.time;
    return this.#copy();
  }

  /** Replaces the newest bar with a newer version of the same candle (same time) and returns the row. */
  replace(candle: Candle): Float64Array | null {
    const last = this.length > 0 ? this.#lastTime : Number.NaN;
    if (candle.time !== last)
      throw new InvalidParameterError('candle.time', candle.time, `must equal the last bar's time (${last})`);
    this.#steps.advance(candle, true);
    return this.#copy();
  }

  /**
   * The newest row as a live view (overwritten by the next `update`/`replace`; NaN where a column
   * is still warming up), for callers that copy it themselves. Empty rows read as NaN.
   */
  latest(): Float64Array {
    return this.#row;
  }

  #copy(): Float64Array | null {
    return this.length <= this.warmup ? null : this.#row.slice();
  }
}
