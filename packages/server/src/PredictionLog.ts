import type { Action, Timeframe } from '@candlelab/core';

/** What a log row records: a model's prediction, a received webhook alert, or the aggregated signal. */
export type LogKind = 'prediction' | 'alert' | 'aggregate';

/** One signal seen by an aggregated decision (stored with it, so weights can be re-learned from outcomes alone). */
export interface AggregateInput {
  source: string;
  action: Action;
  confidence: number;
  time: number;
}

/** One row of the predictions log. */
export interface LogRecord {
  /**
   * Idempotency key: `prediction:<model id>:<symbol>:<timeframe>:<bar time>`,
   * `aggregate:<symbol>:<timeframe>:<bar time>` or `alert:<replay key>`. A second insert of a key is ignored.
   */
  key: string;
  kind: LogKind;
  symbol: string;
  timeframe: Timeframe;
  /** Open time of the bar the record is about (an alert: the bar it arrived in). */
  barTime: number;
  /** When the record became known: the bar's close, or the alert's receipt. */
  decidedAt: number;
  /** Model id, alert source (`tradingview:<strategy>`) or `aggregate`. */
  source: string;
  /** Registry version of the model; null for alerts and aggregates. */
  modelVersion: number | null;
  /** sha256 of the model's input row (predictions) or of the inputs (aggregates); null for alerts. */
  inputsFingerprint: string | null;
  /**
   * Class probabilities in the model's class order (NaN → null); a hybrid (`sizing:`) model's row
   * continues with its allocator's probability of each size (`sizing.sizes` order; null while it has
   * no observation). Null for alerts and aggregates.
   */
  probabilities: (number | null)[] | null;
  /** The signals an aggregate saw; null otherwise. */
  inputs: AggregateInput[] | null;
  action: Action;
  confidence: number;
  /** Target position (−1, 0, 1) of a prediction (a hybrid's: direction × the allocator's size); an aggregate's size to execute (0 unless it passes the thresholds); an alert's size or null. */
  size: number | null;
  /** Close time of the bar whose close settles the outcome. */
  outcomeDue: number;
  /** close(barTime + horizon) / close(barTime) − 1, once known. */
  outcomeReturn: number | null;
  /** When the outcome was recorded (the settling bar's close). */
  outcomeKnownAt: number | null;
}

/** An outcome to record. */
export interface Outcome {
  key: string;
  realizedReturn: number;
  knownAt: number;
}

/** What one {@link PredictionLog.commit} writes. */
export interface LogBatch {
  records?: readonly LogRecord[];
  outcomes?: readonly Outcome[];
}

export interface CommitResult {
  /** Keys of the records actually inserted (a key already present is skipped). */
  inserted: string[];
  /** Outcomes recorded (a row that already has one keeps it). */
  recorded: number;
}

/** Which rows to read; every given field must match. Rows come back ordered by `decidedAt`, then key. */
export interface LogQuery {
  kind?: LogKind;
  symbol?: string;
  timeframe?: Timeframe;
  source?: string;
  /** `decidedAt >= from`. */
  from?: number;
  /** `decidedAt <= to`. */
  to?: number;
  /** Only rows with (true) or without (false) a recorded outcome. */
  settled?: boolean;
  /** Only rows whose outcome is due by then (`outcomeDue <= dueBy`). */
  dueBy?: number;
  /** Most rows returned (the newest when `newest` is set). Default: all. */
  limit?: number;
  /** With `limit`: keep the newest rows (still returned oldest first). Default false. */
  newest?: boolean;
}

/**
 * The predictions log: every prediction, alert and aggregated signal, keyed for idempotency, with
 * its outcome once the horizon has passed. Inserts and outcome updates are atomic batches, so a
 * server killed at any point and restarted neither loses nor duplicates a row.
 */
export interface PredictionLog {
  /** Where the log lives (file path or `postgres://…` without password), for messages. */
  readonly location: string;
  /**
   * In one transaction: inserts the records whose key is new and records the outcomes of rows that
   * have none yet. Returns the keys inserted and the number of outcomes recorded.
   */
  commit(batch: LogBatch): Promise<CommitResult>;
  query(query?: LogQuery): Promise<LogRecord[]>;
  /** Oldest and newest `barTime` logged for a source on a series, or undefined when it has none. */
  barTimeRange(
    source: string,
    symbol: string,
    timeframe: Timeframe,
  ): Promise<{ first: number; last: number } | undefined>;
  close(): Promise<void>;
}
