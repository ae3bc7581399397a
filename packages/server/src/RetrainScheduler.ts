import { type RetrainResult, retrainUniverse } from '@candlelab/pipeline';
import { STAGES, type Stage } from '@candlelab/registry';
import { Cron } from 'croner';
import type { HealthReport, ServeEvent, ServeRuntime } from './ServeRuntime.js';
import type { ServeConfig } from './serveConfig.js';

/** One model of a retrain job: trained, gated, promoted, swapped in. */
export interface RetrainedModel {
  symbol: string;
  modelId: string | null;
  gatesPassed: boolean;
  /** Registry stage reached. */
  stage: string;
  /** Series where it replaced the served model of its strategy (hot swap). */
  swapped: Array<{ symbol: string; timeframe: string; replaced: string }>;
  /** Series where it was served beside the others (no model of its strategy served there before). */
  added: Array<{ symbol: string; timeframe: string }>;
  /** Why it stopped short of serving (a failed gate, a training error). */
  reason?: string;
}

/** A training job of the server (the scheduled universe retrain), as `GET /jobs` shows it. */
export interface TrainingJob {
  id: string;
  kind: 'retrain';
  trigger: 'schedule' | 'api';
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  /** The cron time it ran for (schedule), epoch ms. */
  scheduledFor: number | null;
  startedAt: number;
  finishedAt: number | null;
  /** Latest progress of the retrain (`load`, `train universe`, `promote` …). */
  progress: { phase: string; done: number; total: number } | null;
  healthBefore: HealthReport['status'] | null;
  healthAfter: HealthReport['status'] | null;
  models: RetrainedModel[];
  error: string | null;
}

type RetrainConfig = NonNullable<ServeConfig['retrain']>;

const KEPT_JOBS = 50;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The scheduled retrain: at each cron time (UTC) it checks health, runs the universe retrain of
 * `@candlelab/pipeline` (worker threads through `@candlelab/jobs`, or BullMQ workers when `redis`
 * is set; models that pass their gates reach `validation`), promotes each new model step by step
 * through the registry's gates up to `promoteTo`, hot-swaps it for the served model of its
 * strategy (no restart; see `ServeRuntime.serveModel`), retires the replaced model, and checks
 * health again. The clock is injected: `runDue()` does what the timer does at a cron time.
 */
export class RetrainScheduler {
  readonly #runtime: ServeRuntime;
  readonly #config: RetrainConfig;
  readonly #cron: Cron;
  readonly #now: () => number;
  readonly #onEvent: (event: ServeEvent) => void;
  readonly #jobs: TrainingJob[] = [];
  #next: number;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #count = 0;

  constructor(
    runtime: ServeRuntime,
    config: RetrainConfig,
    options: { now: () => number; onEvent: (event: ServeEvent) => void },
  ) {
    this.#runtime = runtime;
    this.#config = config;
    this.#now = options.now;
    this.#onEvent = options.onEvent;
    this.#cron = new Cron(config.cron, { timezone: 'UTC', paused: true });
    this.#next = this.#nextAfter(this.#now());
  }

  /** The next cron time, epoch ms. */
  get nextRunAt(): number {
    return this.#next;
  }

  /** Jobs, newest first (the last 50). */
  get jobs(): readonly TrainingJob[] {
    return this.#jobs;
  }

  job(id: string): TrainingJob | undefined {
    return this.#jobs.find((j) => j.id === id);
  }

  /** Whether a retrain is running now. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Starts the retrain when the clock has passed the next cron time (and none is running); the
   * next cron time is then the first after now (missed times are not caught up one by one).
   */
  runDue(): TrainingJob | undefined {
    const t = this.#now();
    if (t < this.#next || this.busy) return undefined;
    const scheduledFor = this.#next;
    this.#next = this.#nextAfter(t);
    return this.#begin('schedule', scheduledFor);
  }

  /** Starts a retrain now (`POST /jobs/retrain`); undefined when one is running. */
  trigger(): TrainingJob | undefined {
    return this.busy ? undefined : this.#begin('api', null);
  }

  /** Resolves when no retrain is running. */
  async idle(): Promise<void> {
    await this.#running;
  }

  /** Arms the timer for the cron times (real time between them, read from the injected clock). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#arm();
  }

  /** Disarms the timer and waits for a running retrain (it cannot be interrupted safely mid-registration). */
  async stop(): Promise<void> {
    this.#started = false;
    clearTimeout(this.#timer);
    await this.idle();
  }

  #arm(): void {
    if (!this.#started) return;
    this.#timer = setTimeout(
      () => {
        this.runDue();
        this.#arm();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, this.#next - this.#now())),
    );
  }

  #nextAfter(t: number): number {
    return this.#cron.nextRun(new Date(t))!.getTime();
  }

  #begin(trigger: TrainingJob['trigger'], scheduledFor: number | null): TrainingJob {
    const startedAt = this.#now();
    const job: TrainingJob = {
      id: `retrain-${new Date(startedAt).toISOString()}-${++this.#count}`,
      kind: 'retrain',
      trigger,
      status: 'running',
      scheduledFor,
      startedAt,
      finishedAt: null,
      progress: null,
      healthBefore: null,
      healthAfter: null,
      models: [],
      error: null,
    };
    this.#jobs.unshift(job);
    this.#jobs.length = Math.min(this.#jobs.length, KEPT_JOBS);
    this.#onEvent({ type: 'retrain', jobId: job.id, status: 'running' });
    this.#running = this.#run(job)
      .catch(async (error: unknown) => {
        job.status = 'failed';
        job.error = error instanceof Error ? error.message : String(error);
        await this.#alert(job, `scheduled retrain failed: ${job.error}`);
      })
      .finally(() => {
        job.finishedAt = this.#now();
        this.#running = undefined;
        this.#onEvent({
          type: 'retrain',
          jobId: job.id,
          status: job.status,
          ...(job.error ? { detail: job.error } : {}),
        });
      });
    return job;
  }

  async #run(job: TrainingJob): Promise<void> {
    const runtime = this.#runtime;
    const before = runtime.health();
    job.healthBefore = before.status;
    if (this.#config.requireHealthy && before.status === 'down') {
      job.status = 'skipped';
      job.error = 'pre-retrain health check: down (stale data or failing ticks); nothing retrained';
      await this.#alert(job, job.error);
      return;
    }
    const result: RetrainResult = await retrainUniverse({
      strategyPath: this.#config.strategy,
      ...(this.#config.symbols ? { symbols: this.#config.symbols } : {}),
      workers: this.#config.workers,
      ...(this.#config.redis ? { redis: this.#config.redis, queueName: this.#config.queue } : {}),
      registryRoot: runtime.config.registry,
      onProgress: (event) => {
        job.progress = { phase: event.phase, done: event.done, total: event.total };
      },
    });
    const target = this.#config.promoteTo ?? runtime.config.stages[0]!;
    for (const [i, row] of result.rows.entries()) {
      job.progress = { phase: 'promote and swap', done: i, total: result.rows.length };
      const entry: RetrainedModel = {
        symbol: row.symbol,
        modelId: row.modelId,
        gatesPassed: row.gatesPassed,
        stage: row.stage,
        swapped: [],
        added: [],
      };
      job.models.push(entry);
      if (row.error !== undefined || row.modelId === null || !row.promoted) {
        entry.reason =
          row.error ?? (row.gatesPassed ? 'not registered' : `gates failed: ${row.gateReasons.join('; ')}`);
        continue;
      }
      const reached = await this.#promote(row.modelId, target, entry);
      if (!reached) continue;
      if (!runtime.config.stages.includes(target)) continue;
      const served = await runtime.serveModel(row.modelId);
      entry.swapped = served.swapped;
      entry.added = served.added;
      for (const replaced of new Set(entry.swapped.map((s) => s.replaced)))
        await runtime.setStage(replaced, 'retired', { reason: `superseded by ${row.modelId} (scheduled retrain)` });
      if (entry.swapped.length === 0 && entry.added.length === 0)
        entry.reason = 'no configured series of its symbols serves it';
    }
    job.progress = { phase: 'done', done: result.rows.length, total: result.rows.length };
    const after = runtime.health();
    job.healthAfter = after.status;
    job.status = result.rows.some((r) => r.error !== undefined) ? 'failed' : 'succeeded';
    if (job.status === 'failed')
      job.error = result.rows.flatMap((r) => (r.error ? [`${r.symbol}: ${r.error}`] : [])).join('; ');
    if (after.status === 'down' || job.status === 'failed')
      await this.#alert(
        job,
        `scheduled retrain ${job.status}; health after: ${after.status}${job.error ? ` (${job.error})` : ''}`,
      );
  }

  /** Walks a model from `validation` up to `target`, one gated step at a time. */
  async #promote(id: string, target: Stage, entry: RetrainedModel): Promise<boolean> {
    const path = STAGES.slice(STAGES.indexOf('validation') + 1, STAGES.indexOf(target) + 1);
    if (STAGES.indexOf(target) < STAGES.indexOf('validation') || STAGES.indexOf(target) > STAGES.indexOf('mature')) {
      entry.reason = `promoteTo ${target} is not a stage a new model can be promoted to`;
      return false;
    }
    for (const stage of path) {
      const result = await this.#runtime.setStage(id, stage, {
        reason: 'scheduled retrain: gates passed',
        serve: false,
      });
      if (!result.promoted) {
        entry.reason = `promotion to ${stage} refused: ${result.failed.join(', ') || result.reason}`;
        return false;
      }
      entry.stage = stage;
    }
    return true;
  }

  async #alert(job: TrainingJob, message: string): Promise<void> {
    await this.#runtime.notifier.notify({
      kind: 'retrain',
      severity: 'warning',
      subject: job.id,
      message,
      time: this.#now(),
      details: { job: job.id, status: job.status, healthBefore: job.healthBefore, healthAfter: job.healthAfter },
    });
  }
}
