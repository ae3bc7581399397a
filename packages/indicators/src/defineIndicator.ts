import { type Bars, type Candle, InvalidParameterError, outputBuffer } from '@candlelab/core';
import * as z from 'zod/mini';

/** An input column an indicator may read. */
export type InputColumn = 'time' | 'open' | 'high' | 'low' | 'close' | 'volume';

/** The columns a kernel reads; unused ones may be empty. */
export interface Columns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** What batch forms accept: bars, a partial record of columns, or one series (read as `close`). */
export type IndicatorInput = Bars | Partial<Record<InputColumn, ArrayLike<number>>> | ArrayLike<number>;

/** The indicator families, as in the README table. */
export type IndicatorGroup = 'trend' | 'momentum' | 'volatility' | 'volume' | 'statistics' | 'structure' | 'pattern';

/**
 * The one definition of an indicator's math: `run` advances `state` over rows `[from, to)` of
 * `columns`, writing every output row (NaN during warm-up). The batch form calls it once over the
 * whole series; the streaming form calls it on one-row columns. Kernels keep their state in locals
 * inside the loop and store it back at the end.
 */
export interface IndicatorSpec<Id extends string, S extends z.ZodMiniObject, O extends string, State> {
  id: Id;
  /** Full name and abbreviation, as in the literature. */
  name: string;
  group: IndicatorGroup;
  /** Columns read (a function when parameters choose them). */
  inputs: readonly InputColumn[] | ((params: z.infer<S>) => readonly InputColumn[]);
  /** Output names; single-output indicators use `['value']`. */
  outputs: readonly O[];
  /** Parameter schema with defaults. */
  params: S;
  /** Cross-parameter checks (e.g. fast < slow); throws {@link InvalidParameterError}. */
  check?: (params: z.infer<S>) => void;
  /** Index of the first non-NaN output (bars of warm-up), from the parameters. */
  warmup: (params: z.infer<S>) => number;
  /** Fresh state. */
  init: (params: z.infer<S>) => State;
  /** The kernel. */
  run: (state: State, columns: Columns, out: readonly Float64Array[], from: number, to: number) => void;
  /**
   * A dedicated streaming form for the hottest indicators (default: the generic
   * {@link StreamingIndicator} driving `run`). It must call the same kernel math, so streaming
   * stays bit-identical to batch; it exists because the generic form's per-bar dispatch costs
   * more than a simple indicator's whole update.
   */
  direct?: (params: z.infer<S>) => StreamingIndicator<O>;
}

/** Batch result: one array for single-output indicators, else a record of arrays. */
export type BatchOutput<O extends string> = [O] extends ['value'] ? Float64Array : Record<O, Float64Array>;
/** Optional output buffers matching {@link BatchOutput}. */
export type BatchBuffers<O extends string> = [O] extends ['value'] ? Float64Array : Partial<Record<O, Float64Array>>;
/** Streaming value: a number for single-output indicators, else a record. */
export type StreamValue<O extends string> = [O] extends ['value'] ? number : Record<O, number>;

/** An indicator: its declaration plus batch and streaming forms built from the same kernel. */
export interface Indicator<Id extends string, S extends z.ZodMiniObject, O extends string, State>
  extends IndicatorSpec<Id, S, O, State> {
  /** Validates parameters (applying defaults); throws {@link InvalidParameterError} naming the parameter. */
  parse(params?: z.input<S>): z.infer<S>;
  /** Batch form: `NaN` exactly during warm-up; optional output buffer(s). */
  batch(input: IndicatorInput, params?: z.input<S>, out?: BatchBuffers<O>): BatchOutput<O>;
  /** Streaming form. */
  stream(params?: z.input<S>): StreamingIndicator<O>;
}

const EMPTY = new Float64Array(0);
const COLUMN_NAMES: readonly InputColumn[] = ['time', 'open', 'high', 'low', 'close', 'volume'];

function asFloat64(values: ArrayLike<number>): Float64Array {
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

function isSeries(input: IndicatorInput): input is ArrayLike<number> {
  return Array.isArray(input) || ArrayBuffer.isView(input);
}

/** Columns from any batch input, checking that the indicator's inputs are present and equally long. */
export function toColumns(input: IndicatorInput, needed: readonly InputColumn[], id: string): Columns {
  const columns: Columns = { time: EMPTY, open: EMPTY, high: EMPTY, low: EMPTY, close: EMPTY, volume: EMPTY };
  if (isSeries(input)) {
    columns.close = asFloat64(input);
  } else {
    const record = input as Partial<Record<InputColumn, ArrayLike<number>>>;
    for (const name of COLUMN_NAMES) {
      const values = record[name];
      if (values !== undefined) columns[name] = asFloat64(values);
    }
  }
  let n = -1;
  for (const name of needed) {
    const present = isSeries(input)
      ? name === 'close'
      : (input as Partial<Record<InputColumn, unknown>>)[name] !== undefined;
    if (!present) throw new InvalidParameterError('input', name, `${id} needs the '${name}' column`);
    const length = columns[name].length;
    if (n === -1) n = length;
    else if (length !== n)
      throw new InvalidParameterError('input', name, `column '${name}' has ${length} values, expected ${n}`);
  }
  return columns;
}

function seriesLength(columns: Columns, needed: readonly InputColumn[]): number {
  return columns[needed[0] ?? 'close'].length;
}

/** Parses parameters with a schema, turning the first issue into an {@link InvalidParameterError}. */
export function parseParams<S extends z.ZodMiniObject>(schema: S, params: unknown, id: string): z.infer<S> {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.map(String).join('.') || 'params';
  const value = issue && issue.path.length > 0 ? (params as Record<string, unknown>)[String(issue.path[0])] : params;
  throw new InvalidParameterError(name, value, `${id}: ${issue?.message ?? 'invalid parameters'}`);
}

/** Deep-copies a kernel state (numbers, typed arrays, nested objects) into another of the same shape. */
function copyState(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value === 'object' && value !== null) {
      const dest = target[key];
      if (ArrayBuffer.isView(value)) (dest as Float64Array).set(value as Float64Array);
      else copyState(dest as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
}

/** Bars a stream buffers before it advances its lagging state in one kernel call. */
const PENDING_CAPACITY = 64;

/**
 * Streaming form of an indicator. `update` appends a closed bar; `replace` swaps the last bar for
 * a newer version of the same (still-forming) candle. `value` is `null` until `warmup` bars have
 * passed (`isStable`). Besides the current state the stream keeps a lagging copy plus the bars it
 * has not absorbed yet (in columns); the lagging state catches up in one kernel call every
 * `PENDING_CAPACITY` (64) bars or when `replace` needs it, so `update` costs one kernel step and
 * `replace` one catch-up, one state copy and one step.
 */
export class StreamingIndicator<O extends string> {
  /** Index of the first stable bar (bars of warm-up). */
  readonly warmup: number;
  private readonly outputs: readonly O[];
  private readonly kernel: (
    state: unknown,
    columns: Columns,
    out: readonly Float64Array[],
    from: number,
    to: number,
  ) => void;
  private readonly current: Record<string, unknown>;
  private readonly behind: Record<string, unknown>;
  /** Bars not yet absorbed by `behind`; the newest is at `pending − 1`. */
  private readonly rows: Columns;
  private readonly out: Float64Array[];
  private readonly behindOut: Float64Array[];
  private pending = 0;
  private count = 0;

  constructor(
    outputs: readonly O[],
    warmup: number,
    makeState: () => unknown,
    kernel: (state: never, columns: Columns, out: readonly Float64Array[], from: number, to: number) => void,
  ) {
    this.outputs = outputs;
    this.warmup = warmup;
    this.kernel = kernel as (
      state: unknown,
      columns: Columns,
      out: readonly Float64Array[],
      from: number,
      to: number,
    ) => void;
    this.current = makeState() as Record<string, unknown>;
    this.behind = makeState() as Record<string, unknown>;
    const column = () => new Float64Array(PENDING_CAPACITY);
    this.rows = { time: column(), open: column(), high: column(), low: column(), close: column(), volume: column() };
    this.out = outputs.map(column);
    this.behindOut = outputs.map(column);
  }

  /** Bars seen (a replaced bar counts once). */
  get length(): number {
    return this.count;
  }

  /** True once `warmup` bars have passed. */
  get isStable(): boolean {
    return this.count > this.warmup;
  }

  /** Appends a closed bar; returns the new value (or `null` during warm-up). */
  update(bar: Candle): StreamValue<O> | null {
    if (this.pending === PENDING_CAPACITY) this.catchUp();
    const row = this.pending++;
    this.write(row, bar);
    this.kernel(this.current, this.rows, this.out, row, row + 1);
    this.count++;
    return this.value;
  }

  /** Replaces the last bar (the still-forming candle); the first call acts as `update`. */
  replace(bar: Candle): StreamValue<O> | null {
    if (this.count === 0) return this.update(bar);
    this.catchUp();
    copyState(this.current, this.behind);
    this.write(0, bar);
    this.kernel(this.current, this.rows, this.out, 0, 1);
    return this.value;
  }

  /** The latest value, `null` until stable. */
  get value(): StreamValue<O> | null {
    if (!this.isStable) return null;
    return this.raw();
  }

  /** The latest raw output even during warm-up (NaN there); for tests and diagnostics. */
  raw(): StreamValue<O> {
    const row = this.pending - 1;
    if (this.outputs.length === 1 && this.outputs[0] === 'value') return this.out[0]![row]! as StreamValue<O>;
    const record: Record<string, number> = {};
    this.outputs.forEach((name, k) => {
      record[name] = this.out[k]![row]!;
    });
    return record as StreamValue<O>;
  }

  /**
   * The latest raw value of output number `index` (in `outputs` order; NaN during warm-up),
   * without allocating: for callers that read many indicators every bar.
   */
  rawAt(index: number): number {
    return this.out[index]![this.pending - 1]!;
  }

  /** Advances `behind` over every pending bar but the newest, which moves to row 0. */
  private catchUp(): void {
    const last = this.pending - 1;
    if (last > 0) {
      this.kernel(this.behind, this.rows, this.behindOut, 0, last);
      const rows = this.rows;
      for (const name of COLUMN_NAMES) rows[name][0] = rows[name][last]!;
      for (const column of this.out) column[0] = column[last]!;
    }
    this.pending = Math.min(this.pending, 1);
  }

  private write(row: number, bar: Candle): void {
    const rows = this.rows;
    rows.time[row] = bar.time;
    rows.open[row] = bar.open;
    rows.high[row] = bar.high;
    rows.low[row] = bar.low;
    rows.close[row] = bar.close;
    rows.volume[row] = bar.volume;
  }
}

/**
 * Base of the dedicated streaming forms (`IndicatorSpec.direct`): a subclass calls its indicator's
 * kernel function directly (a static call V8 can inline, where the generic form dispatches through
 * a call site shared by every indicator) on one-row columns, and saves the few state fields a bar
 * changes before each `update`, so `replace` restores them and steps again, allocating nothing.
 * Subclasses implement `update` and `replace` themselves (a shared method calling an overridden
 * step would be a polymorphic call again).
 */
export abstract class DirectStream<O extends string> extends StreamingIndicator<O> {
  /** Bars seen (a replaced bar counts once). */
  protected bars = 0;
  /** One-row input columns handed to the kernel. */
  protected readonly row: Columns;
  /** One-row output columns, in `outputs` order. */
  protected readonly outRow: Float64Array[];
  readonly #names: readonly O[];

  constructor(
    outputs: readonly O[],
    warmup: number,
    makeState: () => unknown,
    kernel: IndicatorSpec<string, z.ZodMiniObject, O, never>['run'],
  ) {
    super(outputs, warmup, makeState, kernel);
    this.#names = outputs;
    const one = () => new Float64Array(1);
    this.row = { time: one(), open: one(), high: one(), low: one(), close: one(), volume: one() };
    this.outRow = outputs.map(one);
  }

  abstract override update(bar: Candle): StreamValue<O> | null;
  abstract override replace(bar: Candle): StreamValue<O> | null;

  override get length(): number {
    return this.bars;
  }

  override get isStable(): boolean {
    return this.bars > this.warmup;
  }

  override get value(): StreamValue<O> | null {
    return this.bars > this.warmup ? this.raw() : null;
  }

  override raw(): StreamValue<O> {
    if (this.#names.length === 1 && this.#names[0] === 'value') return this.outRow[0]![0]! as StreamValue<O>;
    const record: Record<string, number> = {};
    for (let k = 0; k < this.#names.length; k++) record[this.#names[k]!] = this.outRow[k]![0]!;
    return record as StreamValue<O>;
  }

  override rawAt(index: number): number {
    return this.outRow[index]![0]!;
  }
}

/**
 * Rows per kernel call in the batch form. Kernels are resumable (the streaming form relies on it),
 * so a long series is run in chunks of this many rows. This keeps V8 off a slow path: a kernel run
 * once over millions of rows is compiled mid-loop (on-stack replacement) before the code after its
 * loop, and the code before it (run before V8 allocated the function's feedback), has type
 * feedback, and that code then deoptimises on every later call, so large batches ran at 0.4–0.7×
 * of the kernel's speed depending on when the background compiler finished. With chunks the
 * kernel is called often enough to be optimised as a whole function with complete feedback. The
 * per-chunk cost (one re-entry, one window refill) is negligible at this size.
 */
const BATCH_CHUNK = 65_536;

/** Builds an {@link Indicator} from its spec: validation, batch and streaming forms around the one kernel. */
export function defineIndicator<Id extends string, S extends z.ZodMiniObject, O extends string, State>(
  spec: IndicatorSpec<Id, S, O, State>,
): Indicator<Id, S, O, State> {
  const parse = (params?: z.input<S>): z.infer<S> => {
    const parsed = parseParams(spec.params, params, spec.id);
    spec.check?.(parsed);
    return parsed;
  };
  const single = spec.outputs.length === 1 && spec.outputs[0] === 'value';
  return {
    ...spec,
    parse,
    batch(input, params, out) {
      const p = parse(params);
      const needed = typeof spec.inputs === 'function' ? spec.inputs(p) : spec.inputs;
      const columns = toColumns(input, needed, spec.id);
      const n = seriesLength(columns, needed);
      const buffers = spec.outputs.map((name) =>
        outputBuffer(
          n,
          single ? (out as Float64Array | undefined) : (out as Partial<Record<O, Float64Array>> | undefined)?.[name],
        ),
      );
      const state = spec.init(p);
      for (let from = 0; ; from += BATCH_CHUNK) {
        const to = Math.min(n, from + BATCH_CHUNK);
        spec.run(state, columns, buffers, from, to);
        if (to === n) break;
      }
      if (single) return buffers[0] as BatchOutput<O>;
      const record = {} as Record<O, Float64Array>;
      spec.outputs.forEach((name, k) => {
        record[name] = buffers[k]!;
      });
      return record as BatchOutput<O>;
    },
    stream(params) {
      const p = parse(params);
      if (spec.direct !== undefined) return spec.direct(p);
      return new StreamingIndicator<O>(spec.outputs, spec.warmup(p), () => spec.init(p), spec.run as never);
    },
  };
}

/** Schema helpers: a positive integer period, a positive number, with defaults. */
export const period = (defaultValue: number, min = 1) =>
  z._default(
    z.int({ error: 'must be an integer' }).check(z.minimum(min, { error: `must be >= ${min}` })),
    defaultValue,
  );
export const positive = (defaultValue: number) =>
  z._default(z.number().check(z.positive({ error: 'must be > 0' })), defaultValue);

/** Throws when `fast >= slow`. */
export function requireFastBelowSlow(fast: number, slow: number, fastName = 'fast'): void {
  if (fast >= slow) throw new InvalidParameterError(fastName, fast, `must be less than slow (${slow})`);
}
