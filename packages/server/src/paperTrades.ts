import { type PositionTrade, positionTrades, vectorizedBacktest } from '@candlelab/backtest';
import { type Bars, barsLength } from '@candlelab/core';
import type { LogRecord } from './PredictionLog.js';

export interface PaperResult {
  /** Bars simulated. */
  bars: number;
  /** Round trips at next-bar opens, after fees and slippage. */
  trades: PositionTrade[];
  /** Equity at the last bar (starting from 1). */
  finalEquity: number;
  /** Fills (target changes that traded). */
  orders: number;
}

/** The target position a log row asks for: a prediction's position, an aggregate's signed executed size, an alert's direction. */
export function targetOf(row: LogRecord): number {
  if (row.kind === 'prediction') return row.size ?? 0;
  const sign = row.action === 'buy' ? 1 : row.action === 'sell' ? -1 : 0;
  return sign * (row.kind === 'aggregate' ? (row.size ?? 0) : 1);
}

/**
 * Paper fills of a source's logged signals, by the backtest's own fill rules: each bar's target
 * (held until the next row) trades at the next bar's open with fees and slippage
 * (`vectorizedBacktest`, `fill: 'nextOpen'`), and `positionTrades` lists the round trips. So the
 * live record is scored exactly as the walk-forward backtest scored the model.
 */
export function paperTrades(
  bars: Bars,
  rows: readonly LogRecord[],
  costs: { feesBps: number; slippageBps: number },
): PaperResult {
  const n = barsLength(bars);
  const targets = new Float64Array(n);
  let r = 0;
  let current = 0;
  for (let i = 0; i < n; i++) {
    while (r < rows.length && rows[r]!.barTime <= bars.time[i]!) current = targetOf(rows[r++]!);
    targets[i] = current;
  }
  if (n === 0) return { bars: 0, trades: [], finalEquity: 1, orders: 0 };
  const run = vectorizedBacktest(bars, targets, { fill: 'nextOpen', ...costs });
  return {
    bars: n,
    trades: positionTrades(bars, targets, costs.feesBps + costs.slippageBps),
    finalEquity: run.equity[n - 1]!,
    orders: run.orders,
  };
}

/**
 * The paper round trips of one source's logged signals, kept up to date without re-reading its
 * whole history: a round trip closed by a target change is final, so each update re-simulates
 * (with {@link paperTrades}) only from the decision bar of the last target change — where the
 * full simulation would fill the same way from a flat start — and keeps the trades closed before
 * it. The trades returned equal `paperTrades` over the whole log (tested), the open one marked to
 * the last close.
 */
export class PaperTradeRecord {
  readonly #costs: { feesBps: number; slippageBps: number };
  readonly #closed: number[] = [];
  /** Decision bar of the last target change seen; the next update re-simulates from it. */
  #from: number | undefined;

  constructor(costs: { feesBps: number; slippageBps: number }) {
    this.#costs = costs;
  }

  /**
   * Returns of every round trip so far. `read.rows(from)` gives the source's rows decided at or
   * after `from` (all rows when undefined); `read.bars(start)` the bars from `start` to the
   * newest bar served.
   */
  async update(read: {
    rows: (from: number | undefined) => Promise<LogRecord[]>;
    bars: (start: number) => Promise<Bars>;
  }): Promise<number[]> {
    const from = this.#from;
    const rows = (await read.rows(from))
      .filter((row) => from === undefined || row.barTime >= from)
      .sort((a, b) => a.barTime - b.barTime);
    if (rows.length === 0) return [...this.#closed];
    const bars = await read.bars(rows[0]!.barTime);
    const { trades } = paperTrades(bars, rows, this.#costs);
    // The last target change (as `positionTrades` sees it): trades closed at or before its fill are final.
    let lastChange = -1;
    let side = 0;
    let r = 0;
    let target = 0;
    for (let t = 0; t < barsLength(bars) - 1; t++) {
      while (r < rows.length && rows[r]!.barTime <= bars.time[t]!) target = Math.sign(targetOf(rows[r++]!) || 0);
      if (target === side) continue;
      side = target;
      lastChange = t;
    }
    if (lastChange < 0) return [...this.#closed, ...trades.map((t) => t.returnPct)];
    const open: number[] = [];
    for (const trade of trades) {
      if (trade.exitIndex <= lastChange + 1 && trade.entryIndex <= lastChange) this.#closed.push(trade.returnPct);
      else open.push(trade.returnPct);
    }
    this.#from = bars.time[lastChange]!;
    return [...this.#closed, ...open];
  }
}
