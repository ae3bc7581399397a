import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  alignTime,
  barsLength,
  type Candle,
  InvalidParameterError,
  NotEnoughDataError,
  type Timeframe,
  timeframeToMs,
} from '@candlelab/core';
import {
  type CandleSource,
  type CandleStore,
  type CcxtExchange,
  CcxtSource,
  DuckDbStore,
  loadBars,
  MemoryStore,
  PostgresStore,
} from '@candlelab/data';
import { computeFeatures } from '@candlelab/features';
import { modelSymbols } from '@candlelab/pipeline';
import { type Manifest, type ModelStore, openModelStore, type PromotionResult, type Stage } from '@candlelab/registry';
import type { ReadAlert } from '@candlelab/signals';
import { AlertNotifier, type HealthAlert } from './AlertNotifier.js';
import { DriftMonitor, type DriftReport } from './DriftMonitor.js';
import { compareLivePerformance, type PerformanceReport } from './livePerformance.js';
import type { PredictionLog } from './PredictionLog.js';
import { PaperTradeRecord } from './paperTrades.js';
import { RetrainScheduler } from './RetrainScheduler.js';
import { type FormingView, SeriesLoop, type TickReport } from './SeriesLoop.js';
import { openDuckDbPredictionLog, openPostgresPredictionLog } from './SqlPredictionLog.js';
import type { ServeConfig } from './serveConfig.js';
import { loadServedModel, type ServedModel, servingMismatch } from './servedModel.js';

/** What `createServer` / `startServer` take besides the config (for embedding and tests). */
export interface ServeOptions {
  /** Clock in epoch ms (bar closes, freshness, outcomes). Default `Date.now`. */
  now?: () => number;
  /** A ready ccxt exchange object instead of constructing `exchange.id`. Default: constructed. */
  exchange?: CcxtExchange;
  /** Any candle source instead of ccxt (e.g. files for a replay). Default a `CcxtSource`. */
  source?: CandleSource;
  /** Called with every structured event worth logging (ticks, drift, remediation). Default: nothing. */
  onEvent?: (event: ServeEvent) => void;
}

/** A structured event of the live loop, logged by the HTTP server as pino JSON. */
export type ServeEvent =
  | { type: 'tick'; symbol: string; timeframe: Timeframe; report: Omit<TickReport, 'gaps'> & { gaps: number } }
  | { type: 'tick-failed'; symbol: string; timeframe: Timeframe; error: string }
  | { type: 'model-skipped'; modelId: string; reason: string }
  | { type: 'drift-unavailable'; modelId: string; reason: string }
  | { type: 'drift'; modelId: string; driftedFraction: number; barTime: number }
  | { type: 'remediation'; modelId: string; demoted: boolean; reason: string }
  | { type: 'alert-failed'; sink: string; error: string }
  | { type: 'swap'; modelId: string; replaced: string; symbol: string; timeframe: Timeframe }
  | { type: 'model-added'; modelId: string; symbol: string; timeframe: Timeframe }
  | { type: 'retrain'; jobId: string; status: string; detail?: string }
  | { type: 'performance-unavailable'; modelId: string; reason: string };

/** Health of one series. */
export interface SeriesHealth {
  symbol: string;
  timeframe: Timeframe;
  /** Open time of the newest bar served. */
  lastBarTime: number;
  /** Closed bars not yet processed (0 when fresh). */
  staleBars: number;
  /** Missing ranges in the last tick's load. */
  gaps: number;
  /** Share of failed ticks among the last 100. */
  errorRate: number;
  lastError: string | null;
  activeModels: string[];
}

/** Health of one served model. */
export interface ModelHealth {
  id: string;
  symbol: string;
  timeframe: Timeframe;
  /** Registry version (changes when a scheduled retrain swaps the model in). */
  version: number;
  suspended: boolean;
  drift: (Omit<DriftReport, 'columns'> & { worst: DriftReport['columns'] }) | null;
  /** Live paper trades against the out-of-sample backtest (null before the first health check). */
  performance: PerformanceReport | null;
}

export interface HealthReport {
  /**
   * `ok`; `degraded` (a model drifts, was suspended or trades significantly worse than its
   * backtest); `down` (stale data or error rate over the limit).
   */
  status: 'ok' | 'degraded' | 'down';
  time: number;
  series: SeriesHealth[];
  models: ModelHealth[];
  alerts: { sent: number; deduplicated: number; rateLimited: number; failed: number; recent: HealthAlert[] };
}

interface SeriesState {
  loop: SeriesLoop;
  /** Outcome (true = failed) of the last 100 ticks. */
  ticks: boolean[];
  lastError: string | null;
  lastGaps: number;
}

/** Opens the candle store the config names (creating the DuckDB file's folder). */
export async function openCandleStore(store: ServeConfig['store']): Promise<CandleStore> {
  if (store.kind === 'memory') return new MemoryStore();
  if (store.kind === 'duckdb') {
    if (store.path !== ':memory:') mkdirSync(dirname(store.path), { recursive: true });
    return DuckDbStore.open({ path: store.path });
  }
  return PostgresStore.open({ connectionString: store.connectionString, schema: store.schema });
}

/** Opens the predictions log the config names. */
export function openPredictionLog(log: ServeConfig['log']): Promise<PredictionLog> {
  if (log.kind === 'duckdb') return openDuckDbPredictionLog({ path: log.path });
  return openPostgresPredictionLog({ connectionString: log.connectionString, schema: log.schema });
}

/**
 * Everything `candlelab serve` runs besides HTTP: the candle store and source, the predictions
 * log, the model registry, one {@link SeriesLoop} per configured series with its served models
 * and their drift monitors, health, alerts and remediation (a drifting model is demoted to
 * `decay` and its signals stop while the others keep serving).
 */
export class ServeRuntime {
  readonly config: ServeConfig;
  readonly store: CandleStore;
  readonly log: PredictionLog;
  readonly models: ModelStore;
  readonly notifier: AlertNotifier;
  readonly now: () => number;
  readonly #series: SeriesState[];
  readonly #monitors: Map<string, DriftMonitor>;
  readonly #drift = new Map<string, DriftReport>();
  readonly #onEvent: (event: ServeEvent) => void;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #performance = new Map<string, PerformanceReport>();
  /** Live paper trades of every model and series, updated from the newest rows only. */
  readonly #paper = new Map<string, PaperTradeRecord>();
  #source: CandleSource | undefined;
  /** The scheduled retrain (undefined without `retrain` in the config). */
  readonly retrain: RetrainScheduler | undefined;
  #scheduled = false;

  private constructor(
    init: Pick<ServeRuntime, 'config' | 'store' | 'log' | 'models' | 'notifier' | 'now'> & {
      series: SeriesState[];
      monitors: Map<string, DriftMonitor>;
      onEvent: (event: ServeEvent) => void;
    },
  ) {
    this.config = init.config;
    this.store = init.store;
    this.log = init.log;
    this.models = init.models;
    this.notifier = init.notifier;
    this.now = init.now;
    this.#series = init.series;
    this.#monitors = init.monitors;
    this.#onEvent = init.onEvent;
    this.retrain = init.config.retrain
      ? new RetrainScheduler(this, init.config.retrain, { now: init.now, onEvent: init.onEvent })
      : undefined;
  }

  /** Opens stores, loads the served models and their training distributions, and restores every loop from the log. */
  static async open(config: ServeConfig, options: ServeOptions = {}): Promise<ServeRuntime> {
    const now = options.now ?? Date.now;
    const onEvent = options.onEvent ?? (() => {});
    const store = await openCandleStore(config.store);
    const log = await openPredictionLog(config.log);
    const models = await openModelStore(config.registry);
    const source =
      options.source ??
      new CcxtSource({
        exchange: options.exchange ?? config.exchange.id,
        ...(config.exchange.options ? { exchangeOptions: config.exchange.options } : {}),
        maxRetries: config.exchange.maxRetries,
        backoffMs: config.exchange.backoffMs,
        now,
      });
    const notifier = new AlertNotifier({
      sinks: config.alerts.sinks,
      dedupMs: config.alerts.dedupMs,
      maxPerMinute: config.alerts.maxPerMinute,
      now,
      onError: (sink, error) => onEvent({ type: 'alert-failed', sink, error: String(error) }),
    });
    const manifests = await servedManifests(models, config);
    const monitors = new Map<string, DriftMonitor>();
    const series: SeriesState[] = [];
    // The runtime is created before the loops so their drift callback can reach it.
    const runtime = new ServeRuntime({ config, store, log, models, notifier, now, series, monitors, onEvent });
    runtime.#source = source;
    // A universe model serves several series: loaded once, shared by their loops (it holds no per-series state).
    const loaded = new Map<string, ServedModel>();
    for (const { symbol, timeframe } of config.series) {
      const served: ServedModel[] = [];
      for (const manifest of manifests) {
        if (!modelSymbols(manifest).includes(symbol)) continue;
        let model = loaded.get(manifest.id);
        if (model === undefined) {
          model = await loadServedModel(models, manifest.id, config.outcomeHorizonBars);
          loaded.set(manifest.id, model);
        }
        const fit = await runtime.#fit(model, symbol, timeframe);
        if (fit === undefined) continue;
        served.push(model);
        if (fit.monitor) monitors.set(monitorKey(model.id, symbol, timeframe), fit.monitor);
      }
      const loop = await SeriesLoop.open({
        exchange: config.exchange.id,
        symbol,
        timeframe,
        store,
        source,
        log,
        models: served,
        monitors: new Map(
          served.flatMap((m) => {
            const monitor = monitors.get(monitorKey(m.id, symbol, timeframe));
            return monitor ? [[m.id, monitor] as const] : [];
          }),
        ),
        aggregator: {
          ...config.aggregator,
          maxAgeMs: config.aggregator.maxAgeMs ?? 2 * timeframeToMs(timeframe),
        },
        warmupBars: config.warmupBars,
        now,
        onDrift: (model, report, barTime) => runtime.#remediate(model, symbol, timeframe, report, barTime),
      });
      series.push({ loop, ticks: [], lastError: null, lastGaps: 0 });
    }
    return runtime;
  }

  /** The loops, one per configured series. */
  get loops(): SeriesLoop[] {
    return this.#series.map((s) => s.loop);
  }

  loop(symbol: string, timeframe: Timeframe): SeriesLoop | undefined {
    return this.#series.find((s) => s.loop.symbol === symbol && s.loop.timeframe === timeframe)?.loop;
  }

  /** Runs one tick of every loop (in config order); a failing loop is reported, the others still run. */
  async tickAll(): Promise<Array<TickReport | Error>> {
    const reports: Array<TickReport | Error> = [];
    for (const state of this.#series) reports.push(await this.#tick(state));
    await this.#checkHealth();
    return reports;
  }

  async #tick(state: SeriesState): Promise<TickReport | Error> {
    const { loop } = state;
    try {
      const report = await loop.tick();
      state.ticks.push(false);
      state.lastGaps = report.gaps.filter((g) => g.reason !== 'not-closed').length;
      this.#onEvent({
        type: 'tick',
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        report: { ...report, gaps: state.lastGaps },
      });
      return report;
    } catch (error) {
      state.ticks.push(true);
      state.lastError = errorMessage(error);
      this.#onEvent({ type: 'tick-failed', symbol: loop.symbol, timeframe: loop.timeframe, error: state.lastError });
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      if (state.ticks.length > 100) state.ticks.shift();
    }
  }

  /** Polls every series `poll.delayMs` after each of its bar closes, until `stop`. */
  startSchedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    for (const state of this.#series) this.#scheduleNext(state);
    this.retrain?.start();
  }

  #scheduleNext(state: SeriesState): void {
    if (!this.#scheduled) return;
    const tf = state.loop.timeframe;
    const t = this.now();
    const nextClose = alignTime(t, tf) + timeframeToMs(tf);
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        void this.#tick(state)
          .then(() => this.#checkHealth())
          .finally(() => this.#scheduleNext(state));
      },
      nextClose + this.config.poll.delayMs - t,
    );
    this.#timers.add(timer);
  }

  /**
   * Moves a model to another registry stage (gated). A model leaving the served stages stops its
   * signals at once; one entering them is served at once ({@link serveModel}) unless `serve` is
   * false (the scheduled retrain serves its models itself, after the last step).
   */
  async setStage(
    id: string,
    to: Stage,
    options: { reason?: string; force?: boolean; by?: string; serve?: boolean } = {},
  ): Promise<PromotionResult> {
    const { serve = true, ...promotion } = options;
    const result = await this.models.promote(id, to, { by: promotion.by ?? 'candlelab-serve', ...promotion });
    if (!result.promoted) return result;
    if (!this.config.stages.includes(to)) for (const loop of this.loops) loop.suspend(id);
    else if (serve) await this.serveModel(id);
    return result;
  }

  /**
   * A drifting model: alert, and with `drift.remediate` demote it to `decay` (recorded in the
   * registry with the drift report as reason) and stop its signals; the other models keep serving.
   */
  async #remediate(model: ServedModel, symbol: string, timeframe: Timeframe, report: DriftReport, barTime: number) {
    this.#drift.set(monitorKey(model.id, symbol, timeframe), report);
    this.#onEvent({ type: 'drift', modelId: model.id, driftedFraction: report.driftedFraction, barTime });
    const worst = worstColumns(report);
    const message = `${Math.round(report.driftedFraction * 100)}% of ${report.columns.length} feature columns drifted from the training distribution (${worst
      .slice(0, 3)
      .map((c) => `${c.name} PSI ${c.psi.toFixed(2)}`)
      .join(', ')})`;
    await this.notifier.notify({
      kind: 'drift',
      severity: 'critical',
      subject: model.id,
      message,
      time: this.now(),
      details: {
        symbol,
        timeframe,
        barTime,
        rows: report.rows,
        driftedFraction: report.driftedFraction,
        columns: worst,
      },
    });
    if (!this.config.drift.remediate) return;
    let demoted = false;
    let reason = `drift: ${message}`;
    try {
      const result = await this.setStage(model.id, 'decay', { reason });
      demoted = result.promoted;
      if (!demoted) reason = `demotion refused: ${result.failed.join(', ') || result.reason}`;
    } catch (error) {
      reason = `demotion failed: ${errorMessage(error)}`;
    }
    // Whatever the registry said, this server stops the drifting model's signals.
    for (const loop of this.loops) loop.suspend(model.id);
    this.#onEvent({ type: 'remediation', modelId: model.id, demoted, reason });
    await this.notifier.notify({
      kind: 'remediation',
      severity: demoted ? 'warning' : 'critical',
      subject: model.id,
      message: demoted ? 'demoted to decay; its signals are stopped' : `${reason}; its signals are stopped`,
      time: this.now(),
      details: { symbol, timeframe, demoted },
    });
  }

  /** The latest drift report of a model on a series (undefined before enough live bars). */
  driftReport(modelId: string, symbol: string, timeframe: Timeframe): DriftReport | undefined {
    return (
      this.#drift.get(monitorKey(modelId, symbol, timeframe)) ??
      this.#monitors.get(monitorKey(modelId, symbol, timeframe))?.check()
    );
  }

  /** Health of data, ticks, models and alerts. */
  health(): HealthReport {
    const t = this.now();
    const series: SeriesHealth[] = this.#series.map(({ loop, ticks, lastError, lastGaps }) => {
      const tf = timeframeToMs(loop.timeframe);
      const closedEnd = alignTime(t, loop.timeframe);
      return {
        symbol: loop.symbol,
        timeframe: loop.timeframe,
        lastBarTime: loop.servedThrough,
        staleBars: Math.max(0, Math.round((closedEnd - loop.servedThrough - tf) / tf)),
        gaps: lastGaps,
        errorRate: ticks.length === 0 ? 0 : ticks.filter(Boolean).length / ticks.length,
        lastError,
        activeModels: loop.activeModels,
      };
    });
    const models: ModelHealth[] = this.#series.flatMap(({ loop }) =>
      loop.models.map((model) => {
        const drift = this.driftReport(model.id, loop.symbol, loop.timeframe);
        return {
          id: model.id,
          symbol: loop.symbol,
          timeframe: loop.timeframe,
          version: model.manifest.version,
          suspended: loop.isSuspended(model.id),
          drift: drift
            ? {
                rows: drift.rows,
                driftedFraction: drift.driftedFraction,
                drifting: drift.drifting,
                worst: worstColumns(drift),
              }
            : null,
          performance: this.#performance.get(monitorKey(model.id, loop.symbol, loop.timeframe)) ?? null,
        };
      }),
    );
    const { maxStaleBars, maxErrorRate } = this.config.health;
    const down = series.some((s) => s.staleBars > maxStaleBars || s.errorRate > maxErrorRate);
    const degraded = models.some(
      (m) => m.suspended || m.drift?.drifting === true || m.performance?.significant === true,
    );
    return {
      status: down ? 'down' : degraded ? 'degraded' : 'ok',
      time: t,
      series,
      models,
      alerts: { ...this.notifier.stats, recent: [...this.notifier.recent] },
    };
  }

  /** Alerts for stale data, gaps and error rates (de-duplicated by the notifier). */
  async #checkHealth(): Promise<void> {
    await this.#checkPerformance();
    const report = this.health();
    const { maxStaleBars, maxErrorRate } = this.config.health;
    for (const s of report.series) {
      const subject = `${s.symbol} ${s.timeframe}`;
      const base = { subject, time: report.time, details: { ...s } };
      if (s.staleBars > maxStaleBars)
        await this.notifier.notify({
          ...base,
          kind: 'stale-data',
          severity: 'critical',
          message: `${s.staleBars} closed bars not processed`,
        });
      if (s.gaps > 0)
        await this.notifier.notify({
          ...base,
          kind: 'data-gap',
          severity: 'warning',
          message: `${s.gaps} missing ranges at the exchange`,
        });
      if (s.errorRate > maxErrorRate)
        await this.notifier.notify({
          ...base,
          kind: 'error-rate',
          severity: 'critical',
          message: `${Math.round(s.errorRate * 100)}% of recent ticks failed: ${s.lastError ?? ''}`,
        });
    }
  }

  /**
   * Live vs backtest of every active model: its logged signals paper-filled by the backtest's fill
   * rules (`paperTrades`) against the round trips of its stored out-of-sample backtest
   * ({@link compareLivePerformance}); a significant difference at `performance.alpha` raises a
   * `performance` alert (no remediation: the stage decision stays with a person or the gates).
   */
  async #checkPerformance(): Promise<void> {
    const options = this.config.performance;
    for (const loop of this.loops) {
      for (const model of loop.models) {
        // An allocator rebalances fractional weights every bar: it has no round trips to test.
        if (loop.isSuspended(model.id) || model.kind === 'portfolio') continue;
        try {
          const key = monitorKey(model.id, loop.symbol, loop.timeframe);
          let record = this.#paper.get(key);
          if (record === undefined) {
            record = new PaperTradeRecord(model.rule);
            this.#paper.set(key, record);
          }
          const { symbol, timeframe } = loop;
          const live = await record.update({
            rows: (from) =>
              this.log.query({ symbol, timeframe, source: model.id, ...(from === undefined ? {} : { from }) }),
            bars: (start) =>
              this.store.read({
                exchange: this.config.exchange.id,
                symbol,
                timeframe,
                start,
                end: loop.servedThrough + timeframeToMs(timeframe),
              }),
          });
          const report = compareLivePerformance(live, model.backtestTrades[loop.symbol] ?? [], options);
          this.#performance.set(monitorKey(model.id, loop.symbol, loop.timeframe), report);
          if (report.significant)
            await this.notifier.notify({
              kind: 'performance',
              severity: 'warning',
              subject: model.id,
              message: `live trades significantly worse than the backtest at alpha ${options.alpha}: win rate ${pct(report.liveWinRate)} vs ${pct(report.backtestWinRate)} (p ${report.winRate?.pValue.toPrecision(2)}), mean return ${pct(report.liveMeanReturn)} vs ${pct(report.backtestMeanReturn)} (p ${report.meanReturn?.pValue.toPrecision(2)}) over ${report.liveTrades} trades`,
              time: this.now(),
              details: { symbol: loop.symbol, timeframe: loop.timeframe, ...report },
            });
        } catch (error) {
          this.#onEvent({ type: 'performance-unavailable', modelId: model.id, reason: errorMessage(error) });
        }
      }
    }
  }

  /**
   * Serves a model that entered a served stage, without a restart, on every configured series of
   * its symbols: resumed where it is loaded but suspended; else, between two ticks, swapped in for
   * the served model of its strategy (`SeriesLoop.swapModel`: a running tick finishes with the old
   * model, the next bar uses the new one; the old model's drift, performance and paper records go)
   * or added beside the others (`SeriesLoop.addModel`). Its drift monitor is built first, so the
   * swap itself is instant. A strategy the config's `strategies` leaves out stays unserved.
   */
  async serveModel(modelId: string): Promise<{
    resumed: Array<{ symbol: string; timeframe: Timeframe }>;
    swapped: Array<{ symbol: string; timeframe: Timeframe; replaced: string }>;
    added: Array<{ symbol: string; timeframe: Timeframe }>;
  }> {
    const resumed: Array<{ symbol: string; timeframe: Timeframe }> = [];
    const swapped: Array<{ symbol: string; timeframe: Timeframe; replaced: string }> = [];
    const added: Array<{ symbol: string; timeframe: Timeframe }> = [];
    for (const loop of this.loops)
      if (loop.models.some((m) => m.id === modelId)) {
        loop.resume(modelId);
        resumed.push({ symbol: loop.symbol, timeframe: loop.timeframe });
      }
    const manifest = (await this.models.list()).find((m) => m.id === modelId);
    const { strategies } = this.config;
    if (manifest === undefined || (strategies !== undefined && !strategies.includes(manifest.strategy)))
      return { resumed, swapped, added };
    let model: ServedModel | undefined;
    for (const loop of this.loops) {
      const { symbol, timeframe } = loop;
      if (!modelSymbols(manifest).includes(symbol) || loop.models.some((m) => m.id === modelId)) continue;
      model ??= await loadServedModel(this.models, modelId, this.config.outcomeHorizonBars);
      const fit = await this.#fit(model, symbol, timeframe);
      if (fit === undefined) continue;
      const replaced = loop.models.find((m) => m.manifest.strategy === manifest.strategy);
      if (replaced !== undefined) {
        if (!(await loop.swapModel(replaced.id, model, fit.monitor))) continue;
        for (const records of [this.#drift, this.#performance, this.#paper])
          records.delete(monitorKey(replaced.id, symbol, timeframe));
        swapped.push({ symbol, timeframe, replaced: replaced.id });
        this.#onEvent({ type: 'swap', modelId, replaced: replaced.id, symbol, timeframe });
      } else {
        if (!(await loop.addModel(model, fit.monitor))) continue;
        added.push({ symbol, timeframe });
        this.#onEvent({ type: 'model-added', modelId, symbol, timeframe });
      }
      if (fit.monitor) this.#monitors.set(monitorKey(modelId, symbol, timeframe), fit.monitor);
    }
    return { resumed, swapped, added };
  }

  /**
   * Whether `model` can serve the series (else a `model-skipped` event) and its drift monitor over
   * its training window (none, with a `drift-unavailable` event, when it cannot have one: the model
   * still serves and `/health` shows `drift: null`).
   */
  async #fit(
    model: ServedModel,
    symbol: string,
    timeframe: Timeframe,
  ): Promise<{ monitor: DriftMonitor | undefined } | undefined> {
    const mismatch = servingMismatch(model, symbol, timeframe);
    if (mismatch !== undefined) {
      this.#onEvent({ type: 'model-skipped', modelId: model.id, reason: mismatch });
      return undefined;
    }
    try {
      const load = { store: this.store, source: this.#source!, exchange: this.config.exchange.id, now: this.now };
      return { monitor: await trainingDistribution(model, symbol, load, this.config.drift) };
    } catch (error) {
      this.#onEvent({ type: 'drift-unavailable', modelId: model.id, reason: errorMessage(error) });
      return { monitor: undefined };
    }
  }

  /**
   * The bar forming now on a series: its candle from the source (`fetchForming`) through the
   * loop's `peekForming` — every model's features and the prediction it would log if the bar
   * closed as it stands. With a reason instead when the source reports no forming candle (or
   * cannot) or the loop is still catching up.
   */
  async forming(loop: SeriesLoop): Promise<FormingView | { candle: Candle | null; models: []; reason: string }> {
    const source = this.#source!;
    if (source.fetchForming === undefined)
      return { candle: null, models: [], reason: `the ${source.id} source reports no forming candles` };
    const candle = await source.fetchForming(loop.symbol, loop.timeframe);
    if (candle === undefined) return { candle: null, models: [], reason: 'the exchange reports no forming candle yet' };
    return (
      (await loop.peekForming(candle)) ?? {
        candle,
        models: [],
        reason: `the loop is not caught up to this bar (next bar to process: ${new Date(loop.nextBarTime).toISOString()})`,
      }
    );
  }

  /**
   * A webhook alert: logged and handed to the aggregator of every served series of its ticker
   * (`BTCUSDT` and `BTC/USDT` match `BTC/USDT`), which answers with its aggregated signal now
   * (`SeriesLoop.aggregateNow`). `replay` when already logged; `unknown-symbol` when no series serves it.
   */
  async acceptAlert(read: ReadAlert): Promise<
    | {
        outcome: 'accepted';
        aggregates: Array<{ timeframe: Timeframe } & NonNullable<ReturnType<SeriesLoop['aggregateNow']>>>;
      }
    | { outcome: 'replay' }
    | { outcome: 'unknown-symbol' }
  > {
    const ticker = normalTicker(read.signal.symbol);
    const loops = this.loops.filter((loop) => normalTicker(loop.symbol) === ticker);
    if (loops.length === 0) return { outcome: 'unknown-symbol' };
    let accepted = false;
    for (const loop of loops) {
      const key = `alert:${loop.timeframe}:${read.replayKey}`;
      accepted = (await loop.submitAlert(key, read.signal, read.alert.size)) || accepted;
    }
    if (!accepted) return { outcome: 'replay' };
    const at = this.now();
    return {
      outcome: 'accepted',
      aggregates: loops.flatMap((loop) => {
        const aggregate = loop.aggregateNow(at);
        return aggregate ? [{ timeframe: loop.timeframe, ...aggregate }] : [];
      }),
    };
  }

  /** Stops the schedule and closes the log, the registry and the store. */
  async close(): Promise<void> {
    this.#scheduled = false;
    await this.retrain?.stop();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.loops.map((loop) => loop.idle()));
    await this.log.close();
    await this.models.close();
    await this.store.close();
  }
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function monitorKey(modelId: string, symbol: string, timeframe: Timeframe): string {
  return `${modelId}\u0000${symbol}\u0000${timeframe}`;
}

function normalTicker(symbol: string): string {
  return symbol.replace(/[/:_-]/g, '').toUpperCase();
}

/** The drifted columns, largest PSI first (at most 10). */
function worstColumns(report: DriftReport): DriftReport['columns'] {
  return report.columns
    .filter((c) => c.drifted)
    .sort((a, b) => b.psi - a.psi)
    .slice(0, 10);
}

/** Manifests in the served stages (and strategies). */
async function servedManifests(models: ModelStore, config: ServeConfig): Promise<Manifest[]> {
  const lists = await Promise.all(config.stages.map((stage) => models.list({ stage })));
  return lists.flat().filter((m) => config.strategies === undefined || config.strategies.includes(m.strategy));
}

/**
 * The training distribution of a model's features: its feature set over the bars of its training
 * window (`data.start` … `data.end` of its stored config), loaded store first. The registry does
 * not store the training rows' feature distribution; this recomputes it from candles.
 */
async function trainingDistribution(
  model: ServedModel,
  symbol: string,
  load: { store: CandleStore; source: CandleSource; exchange: string; now: () => number },
  options: ServeConfig['drift'],
): Promise<DriftMonitor> {
  if (model.kind === 'portfolio')
    throw new InvalidParameterError(
      'drift',
      model.id,
      'a portfolio allocator observes log returns and its own weights, not features: no feature drift to monitor',
    );
  const { data } = model.strategy;
  const { bars } = await loadBars(
    { exchange: load.exchange, symbol, timeframe: data.timeframe, start: data.start, end: data.end },
    { store: load.store, source: load.source, now: load.now },
  );
  if (barsLength(bars) === 0)
    throw new NotEnoughDataError(`${symbol} bars of the training window of ${model.id}`, 1, 0);
  const features = computeFeatures(bars, model.featureSet);
  return new DriftMonitor(features.names, features.columns, options);
}
