import { type Bars, barsLength, lowerBound } from '@candlelab/core';

/**
 * Injects a regime shift into real bars (in place): from `from` on, every bar's moves relative to
 * its open and the bar-to-bar return are scaled by `volatility` (default 6), and volume by
 * `volume` (default 8): a calm market turning into a crash-like one.
 */
export function shiftRegime(bars: Bars, from: number, volatility = 6, volume = 8): Bars {
  const n = barsLength(bars);
  const start = lowerBound(bars.time, from);
  let previousOriginal = bars.close[start - 1]!;
  let previousShifted = previousOriginal;
  for (let i = start; i < n; i++) {
    const o = bars.open[i]!;
    const scale = (x: number) => 1 + volatility * (x / o - 1);
    const open = previousShifted * (1 + volatility * (o / previousOriginal - 1));
    const close = open * scale(bars.close[i]!);
    const high = Math.max(open, close, open * scale(bars.high[i]!));
    const low = Math.min(open, close, open * scale(bars.low[i]!));
    previousOriginal = bars.close[i]!;
    previousShifted = close;
    bars.open[i] = open;
    bars.high[i] = high;
    bars.low[i] = low;
    bars.close[i] = close;
    bars.volume[i] = bars.volume[i]! * volume;
  }
  return bars;
}
