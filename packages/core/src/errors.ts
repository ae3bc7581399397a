/**
 * Every error candlelab throws is a {@link CandlelabError} with a `code` from this closed union,
 * so callers can branch on the kind of failure without string matching.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'INVALID_PARAMETER'
  | 'NOT_ENOUGH_DATA'
  | 'NOT_FITTED'
  | 'DATA_SOURCE'
  | 'STORE'
  | 'MODEL_FORMAT'
  | 'CONFIG'
  | 'JOB_FAILED'
  | 'CANCELLED';

export interface CandlelabErrorOptions {
  cause?: unknown;
}

/** Base class of all candlelab errors. */
export class CandlelabError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: CandlelabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** One problem found while validating outside data: where it is and what is wrong. */
export interface ValidationIssue {
  /** Row index (0-based) in the input, when the problem belongs to a row. */
  row?: number;
  /** Field, column or option name (a dotted path for nested config). */
  field?: string;
  /** Human-readable reason. */
  reason: string;
}

function formatIssue(issue: ValidationIssue): string {
  const where = [issue.row === undefined ? undefined : `row ${issue.row}`, issue.field].filter(Boolean).join(', ');
  return where ? `${where}: ${issue.reason}` : issue.reason;
}

/** Outside data (files, exchanges, configs, webhooks) failed validation. Lists every issue found (up to a cap). */
export class ValidationError extends CandlelabError {
  readonly issues: readonly ValidationIssue[];
  /** True when more issues existed than were collected. */
  readonly truncated: boolean;

  constructor(
    context: string,
    issues: readonly ValidationIssue[],
    options: CandlelabErrorOptions & { truncated?: boolean } = {},
  ) {
    const shown = issues.slice(0, 10).map(formatIssue).join('; ');
    const more =
      issues.length > 10 || options.truncated
        ? ` (and more: ${issues.length}${options.truncated ? '+' : ''} issues)`
        : '';
    super('VALIDATION', `${context}: ${shown}${more}`, options);
    this.issues = issues;
    this.truncated = options.truncated ?? false;
  }

  /** Row indices that have at least one issue, ascending and unique. */
  get rows(): number[] {
    const rows = new Set<number>();
    for (const issue of this.issues) if (issue.row !== undefined) rows.add(issue.row);
    return [...rows].sort((a, b) => a - b);
  }
}

/** A parameter or option is out of its allowed domain. */
export class InvalidParameterError extends CandlelabError {
  readonly parameter: string;
  readonly value: unknown;

  constructor(parameter: string, value: unknown, reason: string, options: CandlelabErrorOptions = {}) {
    super('INVALID_PARAMETER', `invalid parameter '${parameter}' = ${safeStringify(value)}: ${reason}`, options);
    this.parameter = parameter;
    this.value = value;
  }
}

/** An operation needs more bars/rows than it was given. */
export class NotEnoughDataError extends CandlelabError {
  readonly required: number;
  readonly given: number;

  constructor(what: string, required: number, given: number, options: CandlelabErrorOptions = {}) {
    super('NOT_ENOUGH_DATA', `${what}: needs at least ${required}, got ${given}`, options);
    this.required = required;
    this.given = given;
  }
}

/** A model was used before `fit` (or load). */
export class NotFittedError extends CandlelabError {
  constructor(model: string, options: CandlelabErrorOptions = {}) {
    super('NOT_FITTED', `${model} is not fitted: call fit() or load a model first`, options);
  }
}

/** A candle source (file, exchange, generator) failed. `retryable` says whether trying again may succeed. */
export class DataSourceError extends CandlelabError {
  readonly retryable: boolean;

  constructor(message: string, options: CandlelabErrorOptions & { retryable?: boolean } = {}) {
    super('DATA_SOURCE', message, options);
    this.retryable = options.retryable ?? false;
  }
}

/** A candle store (DuckDB, PostgreSQL, memory) failed. */
export class StoreError extends CandlelabError {
  constructor(message: string, options: CandlelabErrorOptions = {}) {
    super('STORE', message, options);
  }
}

/** A serialized model is of another kind, a newer version, or malformed. */
export class ModelFormatError extends CandlelabError {
  constructor(message: string, options: CandlelabErrorOptions = {}) {
    super('MODEL_FORMAT', message, options);
  }
}

/** A configuration file or object is invalid; `path` points into it (e.g. `model.params.learningRate`). */
export class ConfigError extends CandlelabError {
  readonly issues: readonly ValidationIssue[];

  constructor(source: string, issues: readonly ValidationIssue[], options: CandlelabErrorOptions = {}) {
    super('CONFIG', `${source}: ${issues.map(formatIssue).join('; ')}`, options);
    this.issues = issues;
  }
}

/** A job (a task run in a worker thread, process or on another machine) failed; carries the remote error. */
export class JobFailedError extends CandlelabError {
  readonly jobId: string;
  readonly task: string;
  /** How many times the job ran before it was given up. */
  readonly attempts: number;
  /** Name of the error thrown inside the job (e.g. `ValidationError`), when known. */
  readonly remoteName: string | undefined;
  readonly remoteStack: string | undefined;

  constructor(
    details: {
      jobId: string;
      task: string;
      attempts: number;
      reason: string;
      remoteName?: string;
      remoteStack?: string;
    },
    options: CandlelabErrorOptions = {},
  ) {
    super(
      'JOB_FAILED',
      `job ${details.jobId} (${details.task}) failed after ${details.attempts} attempt(s): ${details.reason}`,
      options,
    );
    this.jobId = details.jobId;
    this.task = details.task;
    this.attempts = details.attempts;
    this.remoteName = details.remoteName;
    this.remoteStack = details.remoteStack;
  }
}

/** Work was cancelled through an AbortSignal. */
export class CancelledError extends CandlelabError {
  constructor(what: string, options: CandlelabErrorOptions = {}) {
    super('CANCELLED', `${what} was cancelled`, options);
  }
}

/** The outcome of a `safe…` function: a value, or the typed error the throwing form would have thrown. */
export type Result<T, E extends CandlelabError = CandlelabError> = { ok: true; value: T } | { ok: false; error: E };

/**
 * Runs `fn` and returns a {@link Result}: candlelab errors become `{ ok: false }`, anything else
 * (a bug) is rethrown.
 */
export function toResult<T>(fn: () => T): Result<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof CandlelabError) return { ok: false, error };
    throw error;
  }
}

/** Async variant of {@link toResult}. */
export async function toResultAsync<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof CandlelabError) return { ok: false, error };
    throw error;
  }
}

function safeStringify(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
