import { type Bars, type Candle, candleAt, copyBars, firstValidIndex, Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { firstMismatch } from './tolerance.js';

/** The streaming form as the contract sees it. */
export interface StreamingIndicatorLike {
  update(bar: Candle): unknown;
  replace(bar: Candle): unknown;
  /** Latest outputs even during warm-up. */
  raw(): number | Record<string, number>;
  readonly value: unknown;
  readonly isStable: boolean;
  readonly warmup: number;
}

/** An indicator as the contract sees it (a registry entry of `@candlelab/indicators`). */
export interface IndicatorLike {
  id: string;
  outputs: readonly string[];
  parse(params?: unknown): unknown;
  warmup(params: never): number;
  batch(input: Bars, params?: unknown): Float64Array | Record<string, Float64Array>;
  stream(params?: unknown): StreamingIndicatorLike;
}

export interface IndicatorContractOptions {
  /** Real bars to run on (e.g. `() => btcHourly({ last: 3000 })`). */
  bars: () => Bars;
  /** Parameter sets to check (default: the schema defaults only). */
  params?: readonly unknown[];
  /** Relative tolerance of streaming vs batch (default 1e-12). */
  rel?: number;
}

function columnsOf(result: Float64Array | Record<string, Float64Array>, outputs: readonly string[]): Float64Array[] {
  return result instanceof Float64Array ? [result] : outputs.map((name) => result[name]!);
}

function rawOf(raw: number | Record<string, number>, outputs: readonly string[]): number[] {
  return typeof raw === 'number' ? [raw] : outputs.map((name) => raw[name]!);
}

/**
 * Streams `bars` through `stream`; with `formingEvery = k > 0` every k-th bar is first shown as a
 * different still-forming candle and then replaced (twice) by its final form.
 */
function streamAll(
  stream: StreamingIndicatorLike,
  bars: Bars,
  outputs: readonly string[],
  formingEvery: number,
): Float64Array[] {
  const n = bars.time.length;
  const out = outputs.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const bar = candleAt(bars, i);
    if (formingEvery > 0 && i % formingEvery === 0) {
      const early: Candle = {
        ...bar,
        close: bar.open * 0.5 + bar.close * 0.5,
        high: bar.high * 1.01,
        low: bar.low * 0.99,
        volume: bar.volume * 0.3,
      };
      stream.update(early);
      stream.replace({ ...early, close: bar.close * 1.003, volume: bar.volume * 0.7 });
      stream.replace(bar);
    } else {
      stream.update(bar);
    }
    const values = rawOf(stream.raw(), outputs);
    for (let k = 0; k < outputs.length; k++) out[k]![i] = values[k]!;
    const stable = i >= stream.warmup;
    if (stream.isStable !== stable || (stream.value === null) === stable) {
      throw new Error(`bar ${i}: isStable ${stream.isStable}, value ${String(stream.value)}, warmup ${stream.warmup}`);
    }
  }
  return out;
}

function expectSame(
  actual: Float64Array[],
  expected: Float64Array[],
  outputs: readonly string[],
  rel: number,
  label: string,
): void {
  outputs.forEach((name, k) => {
    const index = firstMismatch(actual[k]!, expected[k]!, { rel, abs: 0 });
    if (index !== -1) {
      throw new Error(
        `${label} '${name}' differs at bar ${index}: got ${actual[k]![index]}, expected ${expected[k]![index]}`,
      );
    }
  });
}

/**
 * The streaming-indicator contract, registered once per indicator: streaming equals batch (to
 * `rel`); `update` of a forming candle followed by `replace`s equals the plain series; the batch
 * form's first non-NaN index of every output equals the declared warm-up and the stream is
 * stable exactly from there; causality (changing bars after t never changes outputs up to t).
 */
export function indicatorContract(indicator: IndicatorLike, options: IndicatorContractOptions): void {
  const paramSets = options.params ?? [undefined];
  const rel = options.rel ?? 1e-12;
  describe(`indicator contract: ${indicator.id}`, () => {
    const bars = options.bars();
    const n = bars.time.length;
    it.each(paramSets.map((p) => [JSON.stringify(p ?? {}), p] as const))('params %s', (_label, params) => {
      const outputs = indicator.outputs;
      const batch = columnsOf(indicator.batch(bars, params), outputs);
      const warmup = indicator.warmup(indicator.parse(params) as never);

      // Warm-up: NaN exactly before it, a value at it.
      outputs.forEach((name, k) => {
        expect(firstValidIndex(batch[k]!), `first non-NaN of '${name}'`).toBe(Math.min(warmup, n));
      });

      // Streaming equals batch.
      expectSame(streamAll(indicator.stream(params), bars, outputs, 0), batch, outputs, rel, 'streaming');
      // Forming candles replaced by their final form (on every bar, and now and then) equal the plain series.
      expectSame(
        streamAll(indicator.stream(params), bars, outputs, 1),
        batch,
        outputs,
        rel,
        'update+replace on every bar',
      );
      expectSame(
        streamAll(indicator.stream(params), bars, outputs, 97),
        batch,
        outputs,
        rel,
        'update+replace every 97th bar',
      );

      // Batch with a caller-owned output buffer writes the same values.
      if (outputs.length === 1) {
        const buffer = new Float64Array(n);
        indicator.batch(bars, params);
        const again = (indicator as unknown as { batch(b: Bars, p: unknown, o: Float64Array): Float64Array }).batch(
          bars,
          params,
          buffer,
        );
        expect(again).toBe(buffer);
        expectSame([buffer], batch, outputs, 0, 'output buffer');
      }
    });

    it('is causal: changing bars after t leaves outputs up to t unchanged', () => {
      const outputs = indicator.outputs;
      const params = paramSets[0];
      const base = columnsOf(indicator.batch(bars, params), outputs);
      // Random cut points and distortions from a seeded generator (same cases every run).
      const rng = new Rng(42);
      const cuts = [0, indicator.warmup(indicator.parse(params) as never), n - 2];
      for (let r = 0; r < 6; r++) cuts.push(rng.intBetween(0, n - 2));
      for (const t of cuts) {
        if (t < 0 || t > n - 2) continue;
        const factor = rng.uniform(0.5, 1.5);
        const changed = copyBars(bars);
        for (let i = t + 1; i < n; i++) {
          changed.open[i]! *= factor;
          changed.high[i]! *= factor * 1.01;
          changed.low[i]! *= factor * 0.99;
          changed.close[i]! *= factor;
          changed.volume[i]! *= 2 - factor;
          changed.time[i]! += 3_600_000 * 7;
        }
        const after = columnsOf(indicator.batch(changed, params), outputs);
        expectSame(
          after.map((column) => column.subarray(0, t + 1)),
          base.map((column) => column.subarray(0, t + 1)),
          outputs,
          0,
          `causality (t = ${t})`,
        );
      }
    });
  });
}
