import type { Bars } from '@candlelab/core';
import { btcHourly, expectArraysClose } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { type Columns, type InputColumn, toColumns } from './defineIndicator.js';
import { indicatorEntry, indicatorIds } from './registry.js';

/** The parts of an indicator's spec this test drives directly. */
interface KernelView {
  inputs: readonly InputColumn[] | ((params: Record<string, unknown>) => readonly InputColumn[]);
  outputs: readonly string[];
  init(params: Record<string, unknown>): unknown;
  run(state: unknown, columns: Columns, out: readonly Float64Array[], from: number, to: number): void;
}

/** The BTC fixture twice over (time continued), so the series spans more than one batch chunk (65,536 rows). */
function longBars(): Bars {
  const bars = btcHourly();
  const n = bars.time.length;
  const twice = (column: Float64Array, shift: number) => {
    const out = new Float64Array(2 * n);
    out.set(column);
    for (let i = 0; i < n; i++) out[n + i] = column[i]! + shift;
    return out;
  };
  const span = bars.time[n - 1]! - bars.time[0]! + 3_600_000;
  return {
    ...bars,
    time: twice(bars.time, span),
    open: twice(bars.open, 0),
    high: twice(bars.high, 0),
    low: twice(bars.low, 0),
    close: twice(bars.close, 0),
    volume: twice(bars.volume, 0),
  };
}

describe('batch form in chunks', () => {
  const bars = longBars();
  const n = bars.time.length;

  it('covers more than one chunk', () => {
    expect(n).toBeGreaterThan(65_536);
  });

  // The batch form runs the kernel in chunks of rows; it must equal one kernel call over the whole series.
  it.each(indicatorIds.map((id) => [id]))('%s equals one kernel call over the whole series', (id) => {
    const entry = indicatorEntry(id);
    const kernel = entry as unknown as KernelView;
    const params = entry.parse();
    const needed = typeof kernel.inputs === 'function' ? kernel.inputs(params) : kernel.inputs;
    const whole = kernel.outputs.map(() => new Float64Array(n));
    kernel.run(kernel.init(params), toColumns(bars, needed, id), whole, 0, n);
    const chunked = entry.batch(bars);
    kernel.outputs.forEach((name, k) => {
      const actual = chunked instanceof Float64Array ? chunked : chunked[name]!;
      expectArraysClose(actual, whole[k]!, { rel: 1e-12, abs: 1e-9 }, `${id}.${name}`);
    });
  });
});
