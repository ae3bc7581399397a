import { decidePosition } from '@candlelab/backtest';
import {
  alignTime,
  type Bars,
  barsLength,
  type Candle,
  candleAt,
  candlesToBars,
  InvalidParameterError,
  type Signal,
  type Timeframe,
  timeframeToMs,
} from '@candlelab/core';
import { type CandleSource, type CandleStore, type LoadGap, loadBars } from '@candlelab/data';
import { FeatureStream } from '@candlelab/features';
import {
  entryProbabilityColumns,
  type HybridDecision,
  hybridDecision,
  type PpoPositionState,
  type PpoPrediction,
  sizingColumns,
} from '@candlelab/pipeline';
import { sha256Hex } from '@candlelab/registry';
import { type AggregatedSignal, HedgeWeights, SignalAggregator } from '@candlelab/signals';
import type { DriftMonitor, DriftReport } from './DriftMonitor.js';
import { type DecideOptions, decideWithWeights, learnFromOutcome, learningOrder } from './learnedWeights.js';
import { LiveAllocator, type OpenClose } from './liveAllocator.js';
import type { AggregateInput, LogRecord, Outcome, PredictionLog } from './PredictionLog.js';
import type { ServedAllocator, ServedClassifier, ServedModel, ServedPpoTrader } from './servedModel.js';

/** The source name of aggregated signals in the log. */
export const AGGREGATE_SOURCE = 'aggregate';

export interface AggregatorSettings extends DecideOptions {
  /** A source's signal counts this long after it was made. */
  maxAgeMs: number;
  learningRate: number;
  decay: number;
  /** Bars after which an aggregate's (and an alert's) outcome is recorded. */
  horizonBars: number;
}

export interface SeriesLoopOptions {
  /** Store key of the exchange (the ccxt id). */
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  store: CandleStore;
  /** Where missing candles are fetched; without one only stored candles are used. */
  source?: CandleSource;
  log: PredictionLog;
  /** Models serving this series. */
  models: readonly ServedModel[];
  /** Drift monitors by model id (models without one are not monitored). */
  monitors?: ReadonlyMap<string, DriftMonitor>;
  aggregator: AggregatorSettings;
  /** Bars fed to the feature streams before the first bar served. */
  warmupBars: number;
  /** Clock in epoch ms. */
  now: () => number;
  /** Called once when a model starts drifting (before its next bar). */
  onDrift?: (model: ServedModel, report: DriftReport, barTime: number) => Promise<void> | void;
}

/** What one tick did. */
export interface TickReport {
  /** Bars fetched from the source and written to the store. */
  fetched: number;
  /** Closed bars processed (features, predictions, outcomes). */
  bars: number;
  /** Log rows inserted (predictions and aggregates). */
  inserted: number;
  /** Outcomes recorded. */
  outcomes: number;
  /** Missing bar ranges in the range loaded, with their reason. */
  gaps: LoadGap[];
  /** Open time of the newest bar processed, if any. */
  lastBarTime: number | undefined;
}

/** What every served model would say if the forming bar closed as it stands (nothing logged). */
export interface FormingView {
  /** The forming candle as the exchange reported it. */
  candle: Candle;
  models: Array<{
    modelId: string;
    /** Its feature row on the forming candle (null while warming up). */
    features: (number | null)[] | null;
    /** The prediction row it would log (not logged), or null with the reason. */
    prediction: LogRecord | null;
    reason?: string;
  }>;
}

/** The newest feature row of a model. */
export interface LatestFeatures {
  time: number;
  names: readonly string[];
  values: (number | null)[];
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Rows a feature stream keeps at least, so a model swapped onto it observes its window at once. */
const MIN_HISTORY_ROWS = 64;

/** One bar of a feature stream's history: the candle and its feature row (null while warming up). */
interface StreamBar {
  candle: Candle;
  row: Float64Array | null;
}

/** A PPO trader's position state (its own, fed back) and its last decision, filled at the next open. */
interface TraderRun {
  state: PpoPositionState;
  last: PpoPrediction | undefined;
}

/** Rows of stream models' observations (`window` rows, oldest first) as feature columns. */
const columnsOf = (rows: readonly Float64Array[]): Float64Array[] =>
  Array.from(rows[0]!, (_, j) => Float64Array.from(rows, (row) => row[j]!));

/** The number of bars a model observes at once: a hybrid's or a PPO agent's window, an allocator's window + 1 (returns). */
function observedBars(model: ServedModel): number {
  if (model.kind === 'ppo') return model.trader.spec.window;
  if (model.kind === 'portfolio') return model.envSpec.window + 1;
  return model.sizing?.spec.window ?? 1;
}

/**
 * The live loop of one symbol/timeframe: each tick loads the closed bars since the last one
 * through the database-first loader (missing ranges fetched and written to the store, so bars
 * missed during downtime are back-filled), and for each bar in time order records the outcomes
 * that bar settles (learning the aggregator's weights from them), advances every model's
 * `FeatureStream`, predicts with the one probability → position rule, and aggregates the
 * signals — all of one bar committed to the log in one transaction under idempotent keys. A
 * restarted loop resumes after the last committed bar with the same state (streams re-warmed over
 * `warmupBars`, weights re-learned from the logged outcomes).
 */
export class SeriesLoop {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  #options: SeriesLoopOptions;
  readonly #tfMs: number;
  readonly #streams = new Map<string, FeatureStream>();
  readonly #streamOf = new Map<string, FeatureStream>();
  #models = new Map<string, ServedModel>();
  readonly #suspended = new Set<string>();
  /** Models replaced by a hot swap: their last signals leave the aggregate. */
  readonly #replaced = new Set<string>();
  #monitors: Map<string, DriftMonitor>;
  readonly #closes = new Map<number, number>();
  readonly #latestFeatures = new Map<string, LatestFeatures>();
  readonly #latestPredictions = new Map<string, LogRecord>();
  /** Each stream's last bars and rows, oldest first: the observation windows of hybrids and PPO agents. */
  readonly #history = new Map<FeatureStream, StreamBar[]>();
  #historyRows = MIN_HISTORY_ROWS;
  readonly #traders = new Map<string, TraderRun>();
  readonly #allocators = new Map<string, LiveAllocator>();
  /** Streams that hold a forming bar (`peekForming`), by its open time: its close replaces it. */
  readonly #formingAt = new Map<FeatureStream, number>();
  /** Open and close of the other symbols a served allocator weighs, by symbol and bar time (this tick's range). */
  #peerBars = new Map<string, Map<number, OpenClose>>();
  #signals = new SignalAggregator();
  #weights = new HedgeWeights();
  #pending: LogRecord[] = [];
  #latestAggregate: (LogRecord & { aggregate: AggregatedSignal }) | undefined;
  /** First bar served (earlier bars only warm the streams). */
  #serveFrom = 0;
  /** Open time of the next bar to process. */
  #nextBar = 0;
  #maxHorizonBars = 1;
  /** The tick or swap running now; the next one starts after it. */
  #running: Promise<unknown> | undefined;

  private constructor(options: SeriesLoopOptions) {
    this.#options = options;
    this.#monitors = new Map(options.monitors);
    this.symbol = options.symbol;
    this.timeframe = options.timeframe;
    this.#tfMs = timeframeToMs(options.timeframe);
  }

  /** Builds the loop's state from the log (see the class doc); nothing is fetched until `tick`. */
  static async open(options: SeriesLoopOptions): Promise<SeriesLoop> {
    if (!Number.isInteger(options.warmupBars) || options.warmupBars < 1)
      throw new InvalidParameterError('warmupBars', options.warmupBars, 'an integer >= 1');
    const loop = new SeriesLoop(options);
    await loop.#restore();
    return loop;
  }

  /** Ids of the models producing signals now (not suspended). */
  get activeModels(): string[] {
    return [...this.#models.keys()].filter((id) => !this.#suspended.has(id));
  }

  get models(): ServedModel[] {
    return [...this.#models.values()];
  }

  isSuspended(modelId: string): boolean {
    return this.#suspended.has(modelId);
  }

  /** Stops a model's signals (its stream, and a PPO agent's state, keep advancing so it can resume). */
  suspend(modelId: string): void {
    if (this.#models.has(modelId)) this.#suspended.add(modelId);
  }

  /** Lets a suspended model's signals flow again from the next bar. */
  resume(modelId: string): void {
    this.#suspended.delete(modelId);
  }

  /** Open time of the next bar the loop will process (during a replay after a restart: a warm-up bar). */
  get nextBarTime(): number {
    return this.#nextBar;
  }

  /** Open time of the newest bar served (predicted on, or resumed after), also while a restart replays. */
  get servedThrough(): number {
    return Math.max(this.#serveFrom, this.#nextBar) - this.#tfMs;
  }

  latestFeatures(modelId: string): LatestFeatures | undefined {
    return this.#latestFeatures.get(modelId);
  }

  latestPrediction(modelId: string): LogRecord | undefined {
    return this.#latestPredictions.get(modelId);
  }

  latestAggregate(): (LogRecord & { aggregate: AggregatedSignal }) | undefined {
    return this.#latestAggregate;
  }

  /** The learned source weights (from outcomes only). */
  weights(): Record<string, number> {
    return this.#weights.toRecord();
  }

  /** Time through which the weights have learned (−Infinity before any outcome). */
  get learnedThrough(): number {
    return this.#weights.learnedThrough;
  }

  async #restore(): Promise<void> {
    const { log, symbol, timeframe, models, aggregator } = this.#options;
    this.#streams.clear();
    this.#streamOf.clear();
    this.#models.clear();
    this.#closes.clear();
    this.#latestFeatures.clear();
    this.#latestPredictions.clear();
    this.#history.clear();
    this.#traders.clear();
    this.#allocators.clear();
    this.#formingAt.clear();
    this.#historyRows = MIN_HISTORY_ROWS;
    this.#latestAggregate = undefined;
    this.#maxHorizonBars = aggregator.horizonBars;
    for (const monitor of this.#monitors.values()) monitor.reset();
    for (const model of models) this.#addModel(model);
    // Resume after the last committed bar (every row of a bar commits together), else at the last
    // closed bar; the streams replay from the same point before the first bar ever served, so every
    // feature row after a restart is bit-identical to the row of an uninterrupted run.
    const served = await this.#servedRange();
    const lastClosed = alignTime(this.#options.now(), timeframe) - this.#tfMs;
    this.#serveFrom = served === undefined ? lastClosed : served.last + this.#tfMs;
    const longestWarmup = Math.max(0, ...[...this.#streams.values()].map((s) => s.warmup));
    // Hybrids, PPO agents and allocators observe several bars: their windows are full by the first bar served.
    const longestWindow = Math.max(1, ...models.map(observedBars));
    const firstServed = served === undefined ? this.#serveFrom : served.first;
    this.#nextBar = firstServed - Math.max(this.#options.warmupBars, longestWarmup + longestWindow) * this.#tfMs;
    // Weights: re-learned from the logged outcomes alone, in the order they became known.
    this.#weights = new HedgeWeights([], { learningRate: aggregator.learningRate, decay: aggregator.decay });
    const settled = await log.query({ symbol, timeframe, kind: 'aggregate', settled: true });
    for (const aggregate of learningOrder(settled)) learnFromOutcome(this.#weights, aggregate);
    // Signals still fresh at the first bar served, so its aggregate sees what it saw before the restart.
    this.#signals = new SignalAggregator({ maxAgeMs: aggregator.maxAgeMs });
    const recent = await log.query({ symbol, timeframe, from: this.#serveFrom - 2 * aggregator.maxAgeMs });
    for (const row of recent) if (row.kind !== 'aggregate') this.#signals.submit(this.#signalOf(row));
    this.#pending = await log.query({ symbol, timeframe, settled: false });
  }

  /** The first and last bar served (by any model or the aggregate), from the log. */
  async #servedRange(): Promise<{ first: number; last: number } | undefined> {
    const { log, symbol, timeframe } = this.#options;
    const ranges = await Promise.all(
      [AGGREGATE_SOURCE, ...this.#models.keys()].map((source) => log.barTimeRange(source, symbol, timeframe)),
    );
    const known = ranges.filter((r) => r !== undefined);
    if (known.length === 0) return undefined;
    return { first: Math.min(...known.map((r) => r.first)), last: Math.max(...known.map((r) => r.last)) };
  }

  /**
   * Registers a model: a stream model gets the stream of its feature set (shared by identical
   * sets; a PPO trader starts flat), an allocator its stepper from all cash.
   */
  #addModel(model: ServedModel): FeatureStream | undefined {
    this.#models.set(model.id, model);
    this.#maxHorizonBars = Math.max(this.#maxHorizonBars, model.horizonBars);
    this.#historyRows = Math.max(this.#historyRows, observedBars(model));
    if (model.kind === 'portfolio') {
      this.#allocators.set(model.id, new LiveAllocator(model));
      return undefined;
    }
    if (model.kind === 'ppo') this.#traders.set(model.id, { state: { position: 0 }, last: undefined });
    const key = JSON.stringify(model.featureSet);
    let stream = this.#streams.get(key);
    if (stream === undefined) {
      stream = new FeatureStream(model.featureSet, this.symbol, this.timeframe);
      this.#streams.set(key, stream);
      this.#history.set(stream, []);
    }
    this.#streamOf.set(model.id, stream);
    return stream;
  }

  #signalOf(row: LogRecord): Signal {
    return {
      time: row.decidedAt,
      symbol: row.symbol,
      action: row.action,
      confidence: row.confidence,
      source: row.source,
    };
  }

  /**
   * Loads and processes every bar closed since the last tick. Ticks never overlap (a tick asked for
   * while one runs waits for it and then runs). After a failed tick the state is rebuilt from the
   * log before the next one, so nothing half-done survives.
   */
  tick(): Promise<TickReport> {
    return this.#exclusive(() => this.#tickOnce());
  }

  /** Runs `task` after the running tick or swap (and before any asked for later). */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const previous = this.#running ?? Promise.resolve(undefined);
    const run = previous.then(task, task);
    this.#running = run;
    return run;
  }

  /**
   * Hot swap: `model` takes the place of `replacedId` without a restart. It runs between ticks —
   * a tick already running finishes every bar with the old model; the next bar is predicted by
   * the new one, so no bar is lost or predicted twice. The new model reuses the feature stream of
   * an identical feature set (already warm, its recent rows kept, so a hybrid or PPO agent
   * observes its window at once), else gets a stream warmed over `warmupBars` stored bars; a PPO
   * agent starts flat, an allocator from all cash over the last stored bars. The old model's last
   * signals leave the aggregate. Returns false when `replacedId` is not served here.
   */
  swapModel(replacedId: string, model: ServedModel, monitor?: DriftMonitor): Promise<boolean> {
    return this.#exclusive(async () => {
      if (!this.#models.has(replacedId)) return false;
      // Same position in the model order; everything keyed by the old id goes.
      const order = [...this.#models.keys()];
      await this.#install(model, monitor);
      this.#models = new Map(
        order.map((id) => (id === replacedId ? [model.id, model] : ([id, this.#models.get(id)!] as const))),
      );
      this.#streamOf.delete(replacedId);
      for (const [k, s] of this.#streams)
        if (![...this.#streamOf.values()].includes(s)) {
          this.#streams.delete(k);
          this.#history.delete(s);
          this.#formingAt.delete(s);
        }
      this.#latestFeatures.delete(replacedId);
      this.#latestPredictions.delete(replacedId);
      this.#traders.delete(replacedId);
      this.#allocators.delete(replacedId);
      this.#suspended.delete(replacedId);
      this.#replaced.add(replacedId);
      this.#monitors.delete(replacedId);
      this.#keepModels();
      return true;
    });
  }

  /**
   * Starts serving one more model without a restart, between ticks like {@link swapModel} (its
   * stream shared or warmed the same way). Returns false when it is served here already.
   */
  addModel(model: ServedModel, monitor?: DriftMonitor): Promise<boolean> {
    return this.#exclusive(async () => {
      if (this.#models.has(model.id)) return false;
      await this.#install(model, monitor);
      this.#keepModels();
      return true;
    });
  }

  /** Registers `model` between ticks: a new stream warmed over the stored bars, an allocator stepped over them. */
  async #install(model: ServedModel, monitor: DriftMonitor | undefined): Promise<void> {
    const { symbol, timeframe, store, exchange, warmupBars } = this.#options;
    const hadStream = this.#streams.has(JSON.stringify(model.featureSet));
    const stream = this.#addModel(model);
    const warmFrom = this.#nextBar - Math.max(warmupBars, (stream?.warmup ?? 0) + observedBars(model)) * this.#tfMs;
    if (stream && !hadStream) {
      const bars = await store.read({ exchange, symbol, timeframe, start: warmFrom, end: this.#nextBar });
      for (let i = 0; i < barsLength(bars); i++) this.#advanceStream(stream, candleAt(bars, i));
    }
    if (model.kind === 'portfolio') {
      const bars = await store.read({ exchange, symbol, timeframe, start: warmFrom, end: this.#nextBar });
      this.#peerBars = await this.#loadPeers(warmFrom, this.#nextBar);
      for (let i = 0; i < barsLength(bars); i++) this.#allocate(model, candleAt(bars, i));
    }
    if (monitor) this.#monitors.set(model.id, monitor);
  }

  /** A rebuild after a failed tick restores the models served now. */
  #keepModels(): void {
    this.#options = { ...this.#options, models: [...this.#models.values()], monitors: this.#monitors };
  }

  /**
   * The forming bar (opening at {@link nextBarTime}, as the exchange reports it now) through every
   * model: its features (each stream takes the candle with `update`, later versions with the
   * indicators' O(1) `replace`; the closed bar replaces it again, so the rows logged at the close
   * are exactly those of a loop that never peeked — tested) and the prediction each would log if
   * the bar closed as it stands. Nothing is logged and no state but the streams' newest bar moves.
   * Undefined when the loop is not caught up to that bar. An allocator has no provisional weights:
   * it needs every symbol's forming candle.
   */
  peekForming(candle: Candle): Promise<FormingView | undefined> {
    return this.#exclusive(async () => {
      if (candle.time !== this.#nextBar || candle.time < this.#serveFrom) return undefined;
      const closeTime = candle.time + this.#tfMs;
      const rows = new Map<FeatureStream, Float64Array | null>();
      for (const stream of this.#streams.values()) {
        const row = this.#feed(stream, candle);
        this.#formingAt.set(stream, candle.time);
        rows.set(stream, row);
        // Seen as the newest bar by the observation windows while the views are computed.
        this.#history.get(stream)!.push({ candle, row });
      }
      try {
        const models: FormingView['models'] = [];
        for (const model of this.#models.values()) {
          if (model.kind === 'portfolio') {
            models.push({
              modelId: model.id,
              features: null,
              prediction: null,
              reason: "an allocator's weights need every symbol's closed bar",
            });
            continue;
          }
          const stream = this.#streamOf.get(model.id)!;
          const row = rows.get(stream)!;
          const features = row ? Array.from(row, finiteOrNull) : null;
          if (row === null) {
            models.push({ modelId: model.id, features, prediction: null, reason: 'features still warming up' });
            continue;
          }
          const prediction =
            model.kind === 'ppo'
              ? this.#traderRecord(model, this.#nextTraderRun(model, stream), row, candle.time, closeTime)
              : this.#predict(model, row, candle.time, closeTime);
          models.push({ modelId: model.id, features, prediction });
        }
        return { candle, models };
      } finally {
        for (const history of this.#history.values()) if (history.at(-1)?.candle === candle) history.pop();
      }
    });
  }

  /** Resolves when no tick is running (a failed tick counts as finished). */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  #broken = false;

  async #tickOnce(): Promise<TickReport> {
    if (this.#broken) {
      await this.#restore();
      this.#broken = false;
    }
    try {
      return await this.#process();
    } catch (error) {
      this.#broken = true;
      throw error;
    }
  }

  async #process(): Promise<TickReport> {
    const { store, source, exchange, symbol, timeframe, now } = this.#options;
    const end = alignTime(now(), timeframe);
    const report: TickReport = { fetched: 0, bars: 0, inserted: 0, outcomes: 0, gaps: [], lastBarTime: undefined };
    if (this.#nextBar >= end) return report;
    const loaded = await loadBars(
      { exchange, symbol, timeframe, start: this.#nextBar, end },
      { store, ...(source ? { source } : {}), now },
    );
    report.fetched = loaded.report.fetched;
    report.gaps = loaded.report.gaps;
    const bars = loaded.bars;
    if (barsLength(bars) > 0) this.#peerBars = await this.#loadPeers(this.#nextBar, end);
    for (let i = 0; i < barsLength(bars); i++) {
      const { inserted, outcomes } = await this.#processBar(bars, i);
      report.inserted += inserted;
      report.outcomes += outcomes;
      report.bars++;
      report.lastBarTime = bars.time[i]!;
    }
    // Bars still missing before `end` are gaps at the exchange; later bars continue after them.
    this.#nextBar = Math.max(
      this.#nextBar,
      report.lastBarTime === undefined ? this.#nextBar : report.lastBarTime + this.#tfMs,
    );
    return report;
  }

  async #processBar(bars: Bars, i: number): Promise<{ inserted: number; outcomes: number }> {
    const { symbol, timeframe, aggregator } = this.#options;
    const monitors = this.#monitors;
    const time = bars.time[i]!;
    const closeTime = time + this.#tfMs;
    const candle: Candle = {
      time,
      open: bars.open[i]!,
      high: bars.high[i]!,
      low: bars.low[i]!,
      close: bars.close[i]!,
      volume: bars.volume[i]!,
    };
    this.#closes.set(time, candle.close);
    this.#closes.delete(time - (this.#maxHorizonBars + 2) * this.#tfMs);
    const rows = new Map<FeatureStream, Float64Array | null>();
    for (const stream of this.#streams.values()) rows.set(stream, this.#advanceStream(stream, candle));
    this.#nextBar = closeTime;
    const serving = time >= this.#serveFrom;

    // 1. Outcomes this bar settles; the weights learn from aggregates' outcomes, in the learning order.
    const outcomes = serving ? await this.#settle(closeTime) : [];

    // 2. Every active model's prediction through the one position rule.
    const records: LogRecord[] = [];
    const drifting: Array<{ model: ServedModel; report: DriftReport }> = [];
    /** A model's prediction of this bar: logged, its newest, and a signal for the aggregate. */
    const publish = (record: LogRecord) => {
      records.push(record);
      this.#latestPredictions.set(record.source, record);
      this.#signals.submit(this.#signalOf(record));
    };
    for (const model of this.#models.values()) {
      const logging = serving && !this.#suspended.has(model.id);
      if (model.kind === 'portfolio') {
        // The allocator steps on every common bar (warm-up and suspended ones too), as in the batch path.
        const weights = this.#allocate(model, candle);
        if (weights !== undefined && logging) publish(this.#allocationRecord(model, weights, time, closeTime));
        continue;
      }
      const stream = this.#streamOf.get(model.id)!;
      const row = rows.get(stream)!;
      // A PPO trader acts on every bar (warm-up and suspended ones too): its position is its own state.
      const traded = model.kind === 'ppo' ? this.#stepTrader(model, stream) : undefined;
      if (row === null) continue;
      const monitor = monitors.get(model.id);
      monitor?.push(row);
      this.#latestFeatures.set(model.id, { time, names: stream.names, values: Array.from(row, finiteOrNull) });
      if (!logging) continue;
      publish(
        model.kind === 'ppo'
          ? this.#traderRecord(model, traded!, row, time, closeTime)
          : this.#predict(model, row, time, closeTime),
      );
      const drift = monitor?.check();
      if (drift?.drifting) drifting.push({ model, report: drift });
    }

    // 3. The aggregated signal of everything fresh at the bar's close.
    if (serving) {
      const inputs = this.#aggregateInputs(closeTime);
      if (inputs.length > 0) {
        if (this.#weights.learnedThrough > closeTime)
          throw new InvalidParameterError('now', closeTime, 'the weights have learned from a later outcome');
        const aggregate = decideWithWeights(inputs, symbol, this.#weights, aggregator);
        const record: LogRecord = {
          key: `aggregate:${symbol}:${timeframe}:${time}`,
          kind: 'aggregate',
          symbol,
          timeframe,
          barTime: time,
          decidedAt: closeTime,
          source: AGGREGATE_SOURCE,
          modelVersion: null,
          inputsFingerprint: sha256Hex(JSON.stringify(inputs)),
          probabilities: null,
          inputs,
          action: aggregate.action,
          confidence: aggregate.confidence,
          // The size to execute: the recommended size when the thresholds pass, else 0.
          size: aggregate.shouldExecute ? aggregate.positionSize : 0,
          outcomeDue: time + (aggregator.horizonBars + 1) * this.#tfMs,
          outcomeReturn: null,
          outcomeKnownAt: null,
        };
        records.push(record);
        this.#latestAggregate = { ...record, aggregate };
      }
    }
    const result = await this.#options.log.commit({ records, outcomes });
    for (const record of records) this.#pending.push(record);
    for (const { model, report } of drifting) {
      if (this.#suspended.has(model.id)) continue;
      await this.#options.onDrift?.(model, report, time);
    }
    return { inserted: result.inserted.length, outcomes: result.recorded };
  }

  /** Every source's latest signal still fresh at `time`, sorted by source. */
  #aggregateInputs(time: number): AggregateInput[] {
    return (
      this.#signals
        .signals(this.symbol, time)
        // A suspended or replaced model's last signals stop with it.
        .filter((s) => !this.#suspended.has(s.source) && !this.#replaced.has(s.source))
        .map((s) => ({ source: s.source, action: s.action, confidence: s.confidence, time: s.time }))
        .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0))
    );
  }

  /**
   * The aggregated signal of everything fresh at `time` (e.g. just after a webhook alert), with
   * the weights learned so far — what the next bar's logged aggregate would be if nothing else
   * arrived. Not logged. Undefined when no signal is fresh.
   */
  aggregateNow(time: number): (AggregatedSignal & { inputs: AggregateInput[] }) | undefined {
    const inputs = this.#aggregateInputs(time);
    if (inputs.length === 0) return undefined;
    return { ...decideWithWeights(inputs, this.symbol, this.#weights, this.#options.aggregator), inputs };
  }

  /** Feeds a bar to a stream and keeps it in the stream's history; returns the bar's feature row. */
  #advanceStream(stream: FeatureStream, candle: Candle): Float64Array | null {
    const row = this.#feed(stream, candle);
    this.#formingAt.delete(stream);
    const history = this.#history.get(stream)!;
    history.push({ candle, row });
    if (history.length > this.#historyRows) history.splice(0, history.length - this.#historyRows);
    return row;
  }

  /**
   * `candle` into `stream`: a newer version of the forming bar it holds (`peekForming`) replaces
   * it — the final version too, which gives the row an update would — any other bar is appended.
   */
  #feed(stream: FeatureStream, candle: Candle): Float64Array | null {
    return this.#formingAt.get(stream) === candle.time ? stream.replace(candle) : stream.update(candle);
  }

  /**
   * The last `window` bars of a stream, oldest first, when all of them have every feature (a
   * model's observation); undefined while warming up or when one is missing.
   */
  #observedWindow(stream: FeatureStream, window: number): { candles: Candle[]; rows: Float64Array[] } | undefined {
    const history = this.#history.get(stream)!;
    if (history.length < window) return undefined;
    const recent = history.slice(-window);
    const rows: Float64Array[] = [];
    for (const { row } of recent) {
      if (row === null || row.some((x) => !Number.isFinite(x))) return undefined;
      rows.push(row);
    }
    return { candles: recent.map((bar) => bar.candle), rows };
  }

  /**
   * A hybrid's decision on its window of rows ending at the newest bar: the entry model's
   * probabilities over the window and pipeline's `hybridDecision` on them, exactly as `predictHybrid`
   * (and the backtest) computes it. Undefined while the window is not full or has a missing
   * feature (no observation: the model stays flat, like a classifier's bar with a missing feature).
   */
  #hybridDecision(model: ServedClassifier): HybridDecision | undefined {
    const allocator = model.sizing!;
    const { window, observeFeatures } = allocator.spec;
    const observed = this.#observedWindow(this.#streamOf.get(model.id)!, window);
    if (observed === undefined) return undefined;
    const featureColumns = columnsOf(observed.rows);
    const { numClasses } = model.classes;
    const probabilityColumns = entryProbabilityColumns(model.classifier, featureColumns, numClasses, window, 0, window);
    return hybridDecision(
      allocator,
      sizingColumns(observeFeatures, featureColumns, probabilityColumns),
      probabilityColumns,
      window - 1,
      model.classes,
      model.rule,
      this.symbol,
    );
  }

  /**
   * One bar of a PPO trader, as pipeline's `replayPpo` steps it: the last decision fills at this
   * bar's open (`PpoTrader.filled`), then the agent decides on its window ending at this bar with
   * the position it holds. Without an observation (warming up, a missing feature) it decides
   * nothing and keeps its position. From the first bar its window is full, so after a restart
   * (the loop replays from the same bar) the state is the same.
   */
  #stepTrader(model: ServedPpoTrader, stream: FeatureStream): TraderRun {
    const run = this.#nextTraderRun(model, stream);
    this.#traders.set(model.id, run);
    return run;
  }

  /** The trader's state after the newest bar of `stream`'s history (its stored state is not changed). */
  #nextTraderRun(model: ServedPpoTrader, stream: FeatureStream): TraderRun {
    const run = this.#traders.get(model.id)!;
    const history = this.#history.get(stream)!;
    const state = run.last ? model.trader.filled(run.state, run.last, history.at(-1)!.candle.open) : run.state;
    const observed = this.#observedWindow(stream, model.trader.spec.window);
    return {
      state,
      last: observed
        ? model.trader.decide(
            candlesToBars(observed.candles, this.symbol, this.timeframe),
            columnsOf(observed.rows),
            state,
          )
        : undefined,
    };
  }

  #traderRecord(model: ServedPpoTrader, run: TraderRun, row: Float64Array, time: number, closeTime: number): LogRecord {
    const decision = run.last;
    const position = decision?.position ?? run.state.position;
    const probabilities = decision?.probabilities ?? new Float64Array(model.actions.length).fill(Number.NaN);
    return this.#record(model, time, closeTime, {
      inputsFingerprint: sha256Hex(new Uint8Array(row.buffer, row.byteOffset, row.byteLength)),
      probabilities: Array.from(probabilities, finiteOrNull),
      action: position > 0 ? 'buy' : position < 0 ? 'sell' : 'hold',
      confidence: decision ? decision.probabilities[decision.action]! : 0,
      size: position,
    });
  }

  /**
   * The other symbols an allocator weighs, loaded store first (missing ranges fetched) over
   * `[start, end)`: open and close by bar time.
   */
  async #loadPeers(start: number, end: number): Promise<Map<string, Map<number, OpenClose>>> {
    const { store, source, exchange, timeframe, now } = this.#options;
    const peers = new Set<string>();
    for (const model of this.#models.values())
      if (model.kind === 'portfolio') for (const s of model.envSpec.symbols) if (s !== this.symbol) peers.add(s);
    const loaded = new Map<string, Map<number, OpenClose>>();
    for (const symbol of peers) {
      const { bars } = await loadBars(
        { exchange, symbol, timeframe, start, end },
        { store, ...(source ? { source } : {}), now },
      );
      loaded.set(symbol, new Map(Array.from(bars.time, (t, i) => [t, { open: bars.open[i]!, close: bars.close[i]! }])));
    }
    return loaded;
  }

  /** One bar of an allocator ({@link LiveAllocator.step}) with this bar and the other symbols' bars of the same time. */
  #allocate(model: ServedAllocator, candle: Candle): Float64Array | undefined {
    const prices = model.envSpec.symbols.map((s) =>
      s === this.symbol ? candle : this.#peerBars.get(s)?.get(candle.time),
    );
    return this.#allocators.get(model.id)!.step(prices);
  }

  /** An allocator's prediction on this series: this symbol's weight as a sized buy (a hold at 0), every weight logged. */
  #allocationRecord(model: ServedAllocator, weights: Float64Array, time: number, closeTime: number): LogRecord {
    const weight = weights[model.envSpec.symbols.indexOf(this.symbol)]!;
    const closes = this.#allocators.get(model.id)!.observedCloses();
    return this.#record(model, time, closeTime, {
      inputsFingerprint: sha256Hex(new Uint8Array(closes.buffer)),
      probabilities: Array.from(weights),
      action: weight > 0 ? 'buy' : 'hold',
      confidence: weight,
      size: weight,
    });
  }

  /** A model's prediction row of the bar opening at `time`. */
  #record(
    model: ServedModel,
    time: number,
    closeTime: number,
    decided: Pick<LogRecord, 'inputsFingerprint' | 'probabilities' | 'action' | 'confidence' | 'size'>,
  ): LogRecord {
    const { symbol, timeframe } = this.#options;
    return {
      key: `prediction:${model.id}:${symbol}:${timeframe}:${time}`,
      kind: 'prediction',
      symbol,
      timeframe,
      barTime: time,
      decidedAt: closeTime,
      source: model.id,
      modelVersion: model.manifest.version,
      ...decided,
      inputs: null,
      outcomeDue: time + (model.horizonBars + 1) * this.#tfMs,
      outcomeReturn: null,
      outcomeKnownAt: null,
    };
  }

  #predict(model: ServedClassifier, row: Float64Array, time: number, closeTime: number): LogRecord {
    const missing = row.some((x) => !Number.isFinite(x));
    const hybrid = model.sizing ? this.#hybridDecision(model) : undefined;
    // As in training and `predictLatest`: a bar with a missing feature gets no prediction and stays flat.
    const probabilities = missing
      ? new Float64Array(model.classes.numClasses).fill(Number.NaN)
      : model.classifier.predictProba({ data: row, rows: 1, cols: row.length });
    const entry = decidePosition(probabilities, model.classes, model.rule);
    // A hybrid's position is the entry direction × the allocator's size (flat without an observation).
    const position = model.sizing ? (hybrid?.position ?? 0) : entry.position;
    const action = position > 0 ? 'buy' : position < 0 ? 'sell' : 'hold';
    // A hybrid logs the allocator's size probabilities after the class probabilities (null without an observation).
    const sizeProbabilities = model.sizing
      ? (hybrid?.probabilities ?? new Float64Array(model.sizing.spec.sizes.length).fill(Number.NaN))
      : [];
    return this.#record(model, time, closeTime, {
      inputsFingerprint: sha256Hex(new Uint8Array(row.buffer, row.byteOffset, row.byteLength)),
      probabilities: [...Array.from(probabilities, finiteOrNull), ...Array.from(sizeProbabilities, finiteOrNull)],
      action: model.sizing ? action : entry.action,
      confidence: Math.min(1, Math.max(0, entry.confidence)),
      size: position,
    });
  }

  /**
   * Outcomes of the pending rows due by `closeTime`: close(anchor + horizon) / close(anchor) − 1,
   * known at the due time. Aggregates' outcomes update the learned weights in learning order.
   */
  async #settle(closeTime: number): Promise<Outcome[]> {
    const due = this.#pending.filter((r) => r.outcomeDue <= closeTime);
    if (due.length === 0) return [];
    this.#pending = this.#pending.filter((r) => r.outcomeDue > closeTime);
    const outcomes: Outcome[] = [];
    const settled: LogRecord[] = [];
    for (const row of due) {
      const anchor = alignTime(row.barTime, this.timeframe);
      const base = await this.#closeAt(anchor);
      const exit = await this.#closeAt(row.outcomeDue - this.#tfMs);
      if (base === undefined || exit === undefined || !(base > 0)) continue;
      const realizedReturn = exit / base - 1;
      outcomes.push({ key: row.key, realizedReturn, knownAt: row.outcomeDue });
      settled.push({ ...row, outcomeReturn: realizedReturn, outcomeKnownAt: row.outcomeDue });
    }
    for (const aggregate of learningOrder(settled)) learnFromOutcome(this.#weights, aggregate);
    return outcomes;
  }

  /** Close of the bar opening at `time`, or of the last bar before it (a gap), from memory or the store. */
  async #closeAt(time: number): Promise<number | undefined> {
    const cached = this.#closes.get(time);
    if (cached !== undefined) return cached;
    const { store, exchange, symbol, timeframe } = this.#options;
    const bars = await store.read({
      exchange,
      symbol,
      timeframe,
      start: time - 50 * this.#tfMs,
      end: time + this.#tfMs,
    });
    const n = barsLength(bars);
    return n === 0 ? undefined : bars.close[n - 1];
  }

  /**
   * Records a webhook alert for this series (idempotent on `key`) and hands its signal to the
   * aggregator. Returns false for a replay (the key was already logged). Alerts arriving while a
   * commit of alerts runs are committed together in the next one (group commit), so concurrent
   * webhooks cost one transaction per batch, not one each; every alert is in the log before its
   * promise resolves.
   */
  submitAlert(key: string, signal: Signal, size: number | undefined): Promise<boolean> {
    const { symbol, timeframe, aggregator } = this.#options;
    const barTime = alignTime(signal.time, timeframe);
    const record: LogRecord = {
      key,
      kind: 'alert',
      symbol,
      timeframe,
      barTime,
      decidedAt: signal.time,
      source: signal.source,
      modelVersion: null,
      inputsFingerprint: null,
      probabilities: null,
      inputs: null,
      action: signal.action,
      confidence: signal.confidence,
      size: size ?? null,
      outcomeDue: barTime + (aggregator.horizonBars + 1) * this.#tfMs,
      outcomeReturn: null,
      outcomeKnownAt: null,
    };
    return new Promise((resolve, reject) => {
      this.#alertQueue.push({ record, signal: { ...signal, symbol }, resolve, reject });
      if (!this.#flushingAlerts) void this.#flushAlerts();
    });
  }

  #alertQueue: Array<{
    record: LogRecord;
    signal: Signal;
    resolve: (accepted: boolean) => void;
    reject: (error: unknown) => void;
  }> = [];
  #flushingAlerts = false;

  async #flushAlerts(): Promise<void> {
    this.#flushingAlerts = true;
    while (this.#alertQueue.length > 0) {
      const batch = this.#alertQueue.splice(0);
      try {
        const { inserted } = await this.#options.log.commit({ records: batch.map((a) => a.record) });
        const fresh = new Set(inserted);
        for (const alert of batch) {
          // A key twice in one batch: the first is accepted, the second is a replay.
          const accepted = fresh.delete(alert.record.key);
          if (accepted) {
            this.#pending.push(alert.record);
            this.#signals.submit(alert.signal);
          }
          alert.resolve(accepted);
        }
      } catch (error) {
        for (const alert of batch) alert.reject(error);
      }
    }
    this.#flushingAlerts = false;
  }
}
