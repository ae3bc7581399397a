import type { Bars } from '@candlelab/core';

/**
 * A read-only window on bars `0..t` of one series: what a strategy (or an entry rule) may see
 * at bar t. Every accessor counts backwards from the current bar (`ago = 0` is bar t) and returns
 * NaN for anything outside `0..t`, so bars after t are unreachable through it.
 */
export class SeriesView {
  readonly symbol: string;
  private readonly bars: Bars;
  private readonly closes: Float64Array;
  private t = -1;

  constructor(bars: Bars) {
    this.bars = bars;
    this.closes = bars.close;
    this.symbol = bars.symbol;
  }

  /** Moves the view to bar `t` (engine use). */
  seek(t: number): void {
    this.t = t;
  }

  /** Index of the current bar in the full series. */
  get index(): number {
    return this.t;
  }

  /** Number of visible bars (`t + 1`). */
  get length(): number {
    return this.t + 1;
  }

  private at(column: Float64Array, ago: number): number {
    const i = this.t - ago;
    return ago >= 0 && i >= 0 ? column[i]! : Number.NaN;
  }

  /** Open time (UTC ms) `ago` bars back. */
  time(ago = 0): number {
    return this.at(this.bars.time, ago);
  }
  open(ago = 0): number {
    return this.at(this.bars.open, ago);
  }
  high(ago = 0): number {
    return this.at(this.bars.high, ago);
  }
  low(ago = 0): number {
    return this.at(this.bars.low, ago);
  }
  close(ago = 0): number {
    const i = this.t - ago;
    return ago >= 0 && i >= 0 ? this.closes[i]! : Number.NaN;
  }
  volume(ago = 0): number {
    return this.at(this.bars.volume, ago);
  }

  /** A copy of the last `n` values of a column, oldest first (fewer when fewer bars are visible). */
  window(field: 'open' | 'high' | 'low' | 'close' | 'volume', n: number): Float64Array {
    const end = this.t + 1;
    return this.bars[field].slice(Math.max(0, end - n), end);
  }
}
