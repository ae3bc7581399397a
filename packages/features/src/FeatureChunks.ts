import { type Bars, emptyBars, OHLCV_FIELDS, type Timeframe } from '@candlelab/core';
import { FuzzyEngine } from '@candlelab/fuzzy';
import { type Columns, type IndicatorEntry, type IndicatorId, indicatorEntry } from '@candlelab/indicators';
import {
  bandPosition,
  entryWarmup,
  relativeTo,
  returnOf,
  specNames,
  timeEncodingOf,
  volumeRatioOf,
} from './computeFeatures.js';
import type { BaseFeatureSpec, FeatureSet } from './featureSetSchema.js';
import { CompletedBarAggregator } from './higherTimeframe.js';
import { RollingAutocorr, rollingStepper, SeriesHistory } from './rollingSteps.js';

/** Slots `[0, 5)` of the column table are the bar columns (open, high, low, close, volume). */
const BAR_SLOTS: number = OHLCV_FIELDS.length;
const CLOSE = OHLCV_FIELDS.indexOf('close');

/** Computes one feature's columns for the rows `[from, to)` of the current chunk. */
type ChunkStep = (from: number, to: number) => void;

interface KernelRun {
  entry: IndicatorEntry;
  state: unknown;
  outputs: Float64Array[];
}

/**
 * A feature set computed chunk by chunk over bars, in order: each `compute(from, to)` fills one
 * chunk-long buffer per column with rows `[from, to)`. Indicators run their resumable kernels on
 * the chunk, rolling statistics and lags keep their running state between chunks, and higher
 * timeframes are aggregated and computed chunk by chunk too, so memory is O(chunk × columns)
 * however long the bars are, the buffers stay in cache, and nothing per-column of full length is
 * allocated. The floating-point operations are those of {@link computeFeatures}, so the values are
 * bit-identical (tested).
 */
export class FeatureChunks {
  /** Column buffers of the last chunk, in feature-set order; row `j` is bar `from + j`. */
  readonly columns: Float64Array[];
  readonly #bars: Bars;
  /** Bar views of the current chunk, then every column buffer. */
  readonly #table: Float64Array[];
  readonly #slots = new Map<string, number>();
  readonly #kernels: KernelRun[] = [];
  readonly #kernelKeys = new Map<string, KernelRun>();
  readonly #steps: ChunkStep[] = [];
  readonly #chunkColumns: Columns;
  readonly #capacity: number;

  /** `capacity`: the most rows one `compute` call may cover. */
  constructor(bars: Bars, set: FeatureSet, capacity: number) {
    this.#bars = bars;
    this.#capacity = capacity;
    this.#table = OHLCV_FIELDS.map((field) => bars[field]);
    OHLCV_FIELDS.forEach((field, k) => {
      this.#slots.set(field, k);
    });
    this.#chunkColumns = {
      time: bars.time,
      open: bars.open,
      high: bars.high,
      low: bars.low,
      close: bars.close,
      volume: bars.volume,
    };
    for (const spec of set.features) {
      if (spec.kind === 'higherTimeframe') {
        this.#higherTimeframe(spec.timeframe, spec.features);
        continue;
      }
      this.#steps.push(this.#step(spec, specNames(spec)));
    }
    this.columns = this.#table.slice(BAR_SLOTS);
  }

  /** Computes every column for bars `[from, to)` (at most `capacity` rows; chunks must come in order). */
  compute(from: number, to: number): void {
    const bars = this.#bars;
    const chunk = this.#chunkColumns;
    chunk.time = bars.time.subarray(from, to);
    chunk.open = bars.open.subarray(from, to);
    chunk.high = bars.high.subarray(from, to);
    chunk.low = bars.low.subarray(from, to);
    chunk.close = bars.close.subarray(from, to);
    chunk.volume = bars.volume.subarray(from, to);
    OHLCV_FIELDS.forEach((field, k) => {
      this.#table[k] = chunk[field];
    });
    const rows = to - from;
    for (const kernel of this.#kernels) kernel.entry.run(kernel.state as never, chunk, kernel.outputs, 0, rows);
    for (const step of this.#steps) step(from, to);
  }

  /** A new column buffer named `name`; returns its slot. */
  #column(name: string, buffer: Float64Array = new Float64Array(this.#capacity)): number {
    const slot = this.#table.length;
    this.#table.push(buffer);
    this.#slots.set(name, slot);
    return slot;
  }

  #kernel(id: IndicatorId, params: Record<string, unknown>): KernelRun {
    const entry = indicatorEntry(id);
    const parsed = entry.parse(params);
    const key = `${id}:${JSON.stringify(parsed)}`;
    let run = this.#kernelKeys.get(key);
    if (run === undefined) {
      run = {
        entry,
        state: entry.init(parsed as never),
        outputs: entry.outputs.map(() => new Float64Array(this.#capacity)),
      };
      this.#kernelKeys.set(key, run);
      this.#kernels.push(run);
    }
    return run;
  }

  #output(id: IndicatorId, params: Record<string, unknown>, output: string | undefined): Float64Array {
    const run = this.#kernel(id, params);
    const k = output === undefined ? 0 : run.entry.outputs.indexOf(output);
    return run.outputs[k]!;
  }

  #step(spec: BaseFeatureSpec, names: readonly string[]): ChunkStep {
    const table = this.#table;
    const bars = this.#bars;
    switch (spec.kind) {
      case 'indicator':
        // The kernel's output buffer is the column.
        this.#column(names[0]!, this.#output(spec.id, spec.params, spec.output));
        return () => {};
      case 'pattern':
        this.#column(names[0]!, this.#output(spec.pattern, {}, undefined));
        return () => {};
      case 'priceRelative': {
        const level = this.#output(spec.id, spec.params, spec.output);
        const out = table[this.#column(names[0]!)]!;
        return (from, to) => {
          const close = table[CLOSE]!;
          for (let j = 0; j < to - from; j++) out[j] = relativeTo(close[j]!, level[j]!);
        };
      }
      case 'bandPosition': {
        const upper = this.#output(spec.id, spec.params, 'upper');
        const lower = this.#output(spec.id, spec.params, 'lower');
        const out = table[this.#column(names[0]!)]!;
        return (from, to) => {
          const close = table[CLOSE]!;
          for (let j = 0; j < to - from; j++) out[j] = bandPosition(close[j]!, upper[j]!, lower[j]!);
        };
      }
      case 'supportResistance': {
        const level = this.#output('supportResistance', spec.params, spec.side);
        const { lookback } = indicatorEntry('supportResistance').parse(spec.params) as { lookback: number };
        const warm = entryWarmup('supportResistance', spec.params);
        const edges = spec.side === 'support' ? bars.low : bars.high;
        const extreme = lookback >= 2 ? rollingStepper(spec.side === 'support' ? 'min' : 'max', lookback) : undefined;
        const out = table[this.#column(names[0]!)]!;
        return (from, to) => {
          const close = table[CLOSE]!;
          for (let j = 0; j < to - from; j++) {
            const edge = edges[from + j]!;
            const fallback = extreme === undefined ? edge : extreme.next(edge);
            const l = level[j]!;
            out[j] = from + j < warm ? Number.NaN : relativeTo(close[j]!, Number.isNaN(l) ? fallback : l);
          }
        };
      }
      case 'returns': {
        const { period, log } = spec;
        const out = table[this.#column(names[0]!)]!;
        const close = bars.close;
        return (from, to) => {
          for (let i = from; i < to; i++)
            out[i - from] = i >= period ? returnOf(close[i]!, close[i - period]!, log) : Number.NaN;
        };
      }
      case 'volumeRatio': {
        const mean = rollingStepper('mean', spec.period);
        const out = table[this.#column(names[0]!)]!;
        const volume = bars.volume;
        return (from, to) => {
          for (let i = from; i < to; i++) out[i - from] = volumeRatioOf(volume[i]!, mean.next(volume[i]!));
        };
      }
      case 'fuzzy': {
        const engine = FuzzyEngine.fromConfig({
          [spec.input]: { range: spec.range, minCoverage: spec.minCoverage, sets: spec.sets },
        });
        const source = this.#slots.get(spec.input)!;
        const outs = engine.outputs.map((name) => table[this.#column(name)]!);
        return (from, to) => {
          const rows = to - from;
          const out: Record<string, Float64Array> = {};
          engine.outputs.forEach((name, k) => {
            out[name] = outs[k]!.subarray(0, rows);
          });
          engine.evaluate({ [spec.input]: table[source]!.subarray(0, rows) }, out);
        };
      }
      case 'lag': {
        const history = new SeriesHistory(spec.lag + 1);
        const source = this.#slots.get(spec.of)!;
        const { lag } = spec;
        const out = table[this.#column(names[0]!)]!;
        return (from, to) => {
          const values = table[source]!;
          for (let j = 0; j < to - from; j++) {
            history.push(values[j]!);
            out[j] = history.ago(lag);
          }
        };
      }
      case 'rolling': {
        const stepper = rollingStepper(spec.stat, spec.window);
        const source = this.#slots.get(spec.of)!;
        const out = table[this.#column(names[0]!)]!;
        return (from, to) => {
          const values = table[source]!;
          for (let j = 0; j < to - from; j++) out[j] = stepper.next(values[j]!);
        };
      }
      case 'autocorr': {
        const stepper = new RollingAutocorr(spec.lag, spec.window);
        const source = this.#slots.get(spec.of)!;
        const out = table[this.#column(names[0]!)]!;
        return (from, to) => {
          const values = table[source]!;
          for (let j = 0; j < to - from; j++) out[j] = stepper.next(values[j]!);
        };
      }
      case 'time': {
        const { encoding } = spec;
        const out = table[this.#column(names[0]!)]!;
        const time = bars.time;
        return (from, to) => {
          for (let i = from; i < to; i++) out[i - from] = timeEncodingOf(time[i]!, encoding);
        };
      }
    }
  }

  /**
   * Higher-timeframe features, computed chunk by chunk like the base ones: an aggregator completes
   * the higher bars as the base bars stream by, a nested {@link FeatureChunks} computes their
   * features when they complete, and each base bar takes the values of the last completed one.
   * Only the completed higher bars themselves are kept whole (a `1/ratio` fraction of the bars; the
   * inner features read them back by index); no full-length feature column is allocated.
   */
  #higherTimeframe(timeframe: Timeframe, features: BaseFeatureSpec[]): void {
    const bars = this.#bars;
    const higher = emptyBars(bars.symbol, timeframe, countCompleted(bars, timeframe));
    // A base bar completes at most two buckets (see `CompletedBarAggregator.push`).
    const inner = new FeatureChunks(
      higher,
      { features },
      Math.max(1, Math.min(higher.time.length, 2 * this.#capacity)),
    );
    const sources = inner.columns;
    const outs = features
      .flatMap((spec) => specNames(spec))
      .map((name) => this.#table[this.#column(`${timeframe}_${name}`)]!);
    /** Values of the last completed higher bar (NaN before the first). */
    const last = new Float64Array(outs.length).fill(Number.NaN);
    /** Per row of the chunk: index of the last completed higher bar. */
    const lastCompleted = new Int32Array(this.#capacity);
    const aggregator = new CompletedBarAggregator(bars.timeframe, timeframe);
    const higherFields = OHLCV_FIELDS.map((field) => higher[field]);
    let completed = 0;
    this.#steps.push((from, to) => {
      const { time, open, high, low, close, volume } = bars;
      const before = completed;
      for (let i = from; i < to; i++) {
        const count = aggregator.push(time[i]!, open[i]!, high[i]!, low[i]!, close[i]!, volume[i]!);
        for (let c = 0; c < count; c++) {
          const bar = aggregator.completed[c]!;
          higher.time[completed] = bar[0]!;
          for (let k = 0; k < higherFields.length; k++) higherFields[k]![completed] = bar[k + 1]!;
          completed++;
        }
        lastCompleted[i - from] = completed - 1;
      }
      if (completed > before) inner.compute(before, completed);
      for (let k = 0; k < outs.length; k++) {
        const out = outs[k]!;
        const source = sources[k]!;
        const previous = last[k]!;
        for (let j = 0; j < to - from; j++) {
          const at = lastCompleted[j]!;
          out[j] = at >= before ? source[at - before]! : previous;
        }
        if (completed > before) last[k] = source[completed - 1 - before]!;
      }
    });
  }
}

/** How many higher-timeframe bars complete over `bars` (the size of the completed series). */
function countCompleted(bars: Bars, timeframe: Timeframe): number {
  const aggregator = new CompletedBarAggregator(bars.timeframe, timeframe);
  const { time, open, high, low, close, volume } = bars;
  let count = 0;
  for (let i = 0; i < time.length; i++)
    count += aggregator.push(time[i]!, open[i]!, high[i]!, low[i]!, close[i]!, volume[i]!);
  return count;
}
