import { argsort, type Bars, barsLength, emptyBars, OHLCV_FIELDS, timeframeGrid } from '@candlelab/core';

/**
 * `bars` itself when times already increase, else a copy reordered by time. Bars on their
 * timeframe's grid (what stores hold) are placed by slot in O(n) — a parallel database scan returns
 * sorted runs in any order — anything else falls back to a comparison sort.
 */
export function sortBarsByTime(bars: Bars): Bars {
  const time = bars.time;
  const n = barsLength(bars);
  let sorted = true;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    if (i > 0 && t < time[i - 1]!) sorted = false;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (sorted) return bars;
  return gather(bars, gridOrder(time, min, max, timeframeGrid(bars.timeframe).ms) ?? argsort(time));
}

/** Row order by grid slot, or undefined when a time is off the grid, repeated, or the span is too sparse. */
function gridOrder(time: Float64Array, min: number, max: number, ms: number): Uint32Array | undefined {
  const n = time.length;
  const span = (max - min) / ms + 1;
  if (!Number.isInteger(span) || span > 4 * n + 1024) return undefined;
  const slot = new Int32Array(span).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = (time[i]! - min) / ms;
    if (!Number.isInteger(p) || slot[p] !== -1) return undefined;
    slot[p] = i;
  }
  const order = new Uint32Array(n);
  let k = 0;
  for (let p = 0; p < span; p++) if (slot[p]! >= 0) order[k++] = slot[p]!;
  return order;
}

function gather(bars: Bars, order: Uint32Array): Bars {
  const n = order.length;
  const out = emptyBars(bars.symbol, bars.timeframe, n);
  for (const column of ['time', ...OHLCV_FIELDS] as const) {
    const from = bars[column];
    const to = out[column];
    for (let i = 0; i < n; i++) to[i] = from[order[i]!]!;
  }
  return out;
}
