import { InvalidParameterError, outputBuffer, ValidationError } from '@candlelab/core';

/** When a target position decided on bar t is traded. */
export type FillTiming = 'nextOpen' | 'sameClose';

/** The price columns a vectorized backtest reads (a core `Bars` satisfies it). */
export interface PriceColumns {
  open: Float64Array;
  close: Float64Array;
}

/** Cost and timing model shared by {@link vectorizedBacktest} and {@link vectorizedGrid}. */
export interface VectorizedOptions {
  /**
   * `'nextOpen'` (default): the target decided at bar t's close trades at bar t+1's open, so a
   * signal can never trade on the close it was computed from. `'sameClose'` trades at bar t's
   * close and must be asked for explicitly (only honest when the decision needs no bar-t data).
   */
  fill?: FillTiming;
  /** Commission per fill in basis points of traded notional. Default 0. */
  feesBps?: number;
  /** Adverse price slippage per fill in basis points (buys pay more, sells get less). Default 0. */
  slippageBps?: number;
  /** Starting cash. Default 1. */
  initialCash?: number;
}

/** Per-bar outcome of one position series. */
export interface VectorizedResult {
  /** Cash + units × close at each bar's close. */
  equity: Float64Array;
  /** Simple return of equity per bar (bar 0 against `initialCash`). */
  returns: Float64Array;
  /** Cash after the fills of each bar. */
  cash: Float64Array;
  /** Units held at each bar's close (negative = short). */
  units: Float64Array;
  /** Traded notional ÷ equity at the fill, per bar (0 when nothing traded). */
  turnover: Float64Array;
  /** Fees paid per bar (commission only; slippage is in the fill price). */
  fees: Float64Array;
  /** Number of fills (target changes that traded). */
  orders: number;
  initialCash: number;
}

/** Summary per position series of a grid run. */
export interface VectorizedGridResult {
  /** Series count. */
  count: number;
  /** Equity at the last bar, per series. */
  finalEquity: Float64Array;
  /** finalEquity ÷ initialCash − 1, per series. */
  totalReturn: Float64Array;
  /** Largest peak-to-trough fall of equity as a positive fraction, per series. */
  maxDrawdown: Float64Array;
  /** Sum of per-bar turnover, per series. */
  turnover: Float64Array;
  /** Number of fills, per series. */
  orders: Uint32Array;
  /** Total number of fills over all series. */
  totalOrders: number;
  /** Row-major `count × bars` equity, only when `keepEquity` was set. */
  equity?: Float64Array;
}

interface KernelConfig {
  /** Function name for error messages. */
  context: string;
  nextOpen: boolean;
  feeRate: number;
  slipRate: number;
  initialCash: number;
}

/**
 * Fills of one run, in order: the bar, the units and cash after the fill, the fee and the
 * turnover (traded notional ÷ equity at the fill). Sparse, so the per-bar loop only writes equity.
 */
class FillLog {
  length = 0;
  index = new Int32Array(64);
  units = new Float64Array(64);
  cash = new Float64Array(64);
  fee = new Float64Array(64);
  turnover = new Float64Array(64);

  push(i: number, units: number, cash: number, fee: number, turnover: number): void {
    if (this.length === this.index.length) this.grow();
    const k = this.length++;
    this.index[k] = i;
    this.units[k] = units;
    this.cash[k] = cash;
    this.fee[k] = fee;
    this.turnover[k] = turnover;
  }

  private grow(): void {
    const size = this.index.length * 2;
    const index = new Int32Array(size);
    index.set(this.index);
    this.index = index;
    for (const key of ['units', 'cash', 'fee', 'turnover'] as const) {
      const column = new Float64Array(size);
      column.set(this[key]);
      this[key] = column;
    }
  }
}

/**
 * The single-series loop: positions are target exposures as a fraction of equity (1 = all in
 * long, −1 = all in short, NaN = flat). Units are re-sized only when the target changes, so a
 * constant target lets the position drift with price (no hidden rebalancing costs). Writes
 * equity per bar and the fills to `log`; returns [finalEquity, orders, turnoverSum, maxDrawdown]
 * in `stats`.
 */
function runKernel(
  open: Float64Array,
  close: Float64Array,
  target: Float64Array,
  targetOffset: number,
  n: number,
  config: KernelConfig,
  equityOut: Float64Array,
  equityOffset: number,
  log: FillLog,
  stats: Float64Array,
): void {
  const { feeRate, slipRate } = config;
  const shift = config.nextOpen ? 1 : 0;
  const fillPrice = config.nextOpen ? open : close;
  const base = targetOffset - shift;
  log.length = 0;
  let cash = config.initialCash;
  let units = 0;
  let current = 0;
  let turnoverSum = 0;
  let peak = cash;
  let maxDd = 0;
  let equity = cash;
  for (let i = 0; i < n; i++) {
    let wanted = i >= shift ? target[base + i]! : 0;
    if (wanted !== current) {
      if (Number.isNaN(wanted)) wanted = 0;
      if (wanted !== current) {
        const px = fillPrice[i]!;
        if (!(px > 0 && px < Number.POSITIVE_INFINITY))
          throw priceError(config.context, i, shift ? 'open' : 'close', px);
        const eqAtFill = cash + units * px;
        // size at the execution price, so the traded notional is exactly the target fraction of equity
        const buying = (eqAtFill > 0 ? wanted * eqAtFill : 0) > units * px;
        const exec = buying ? px * (1 + slipRate) : px * (1 - slipRate);
        const desired = eqAtFill > 0 ? (wanted * eqAtFill) / exec : 0;
        const dq = desired - units;
        if (dq !== 0) {
          const notional = dq > 0 ? dq * exec : -dq * exec;
          const fee = notional * feeRate;
          cash -= dq * exec + fee;
          units = desired;
          const turn = eqAtFill > 0 ? notional / eqAtFill : 0;
          turnoverSum += turn;
          log.push(i, units, cash, fee, turn);
        }
        current = wanted;
      }
    }
    const c = close[i]!;
    if (!(c > 0 && c < Number.POSITIVE_INFINITY)) throw priceError(config.context, i, 'close', c);
    equity = cash + units * c;
    equityOut[equityOffset + i] = equity;
    if (equity > peak) peak = equity;
    else if (peak - equity > maxDd * peak) maxDd = (peak - equity) / peak;
  }
  stats[0] = equity;
  stats[1] = log.length;
  stats[2] = turnoverSum;
  stats[3] = maxDd;
}

function kernelConfig(context: string, options: VectorizedOptions): KernelConfig {
  const fill = options.fill ?? 'nextOpen';
  if (fill !== 'nextOpen' && fill !== 'sameClose') {
    throw new InvalidParameterError('fill', fill, "expected 'nextOpen' or 'sameClose'");
  }
  const feesBps = options.feesBps ?? 0;
  const slippageBps = options.slippageBps ?? 0;
  const initialCash = options.initialCash ?? 1;
  if (!(feesBps >= 0) || !Number.isFinite(feesBps))
    throw new InvalidParameterError('feesBps', feesBps, 'expected a finite number >= 0');
  if (!(slippageBps >= 0) || !Number.isFinite(slippageBps)) {
    throw new InvalidParameterError('slippageBps', slippageBps, 'expected a finite number >= 0');
  }
  if (!(initialCash > 0) || !Number.isFinite(initialCash)) {
    throw new InvalidParameterError('initialCash', initialCash, 'expected a finite number > 0');
  }
  return { context, nextOpen: fill === 'nextOpen', feeRate: feesBps / 1e4, slipRate: slippageBps / 1e4, initialCash };
}

/** Boundary check of the column lengths; the values are checked inside the loop, as they are used. */
function checkLengths(context: string, prices: PriceColumns): number {
  const n = prices.close.length;
  if (prices.open.length !== n) {
    throw new ValidationError(context, [
      { field: 'open', reason: `has ${prices.open.length} values but close has ${n}` },
    ]);
  }
  return n;
}

function priceError(context: string, row: number, field: 'open' | 'close', value: number): ValidationError {
  return new ValidationError(context, [{ row, field, reason: `must be finite and > 0 (got ${value})` }]);
}

/**
 * Vectorized backtest of one target-position series (fraction of equity per bar; NaN = flat).
 * Fills at the next bar's open by default; fees and slippage in basis points.
 */
export function vectorizedBacktest(
  prices: PriceColumns,
  positions: ArrayLike<number>,
  options: VectorizedOptions = {},
): VectorizedResult {
  const config = kernelConfig('vectorizedBacktest', options);
  const n = checkLengths('vectorizedBacktest', prices);
  if (positions.length !== n) {
    throw new ValidationError('vectorizedBacktest', [
      { field: 'positions', reason: `has ${positions.length} values but the prices have ${n}` },
    ]);
  }
  const target = positions instanceof Float64Array ? positions : Float64Array.from(positions);
  const equity = new Float64Array(n);
  const log = new FillLog();
  const stats = new Float64Array(4);
  runKernel(prices.open, prices.close, target, 0, n, config, equity, 0, log, stats);
  const cash = new Float64Array(n);
  const units = new Float64Array(n);
  const turnover = new Float64Array(n);
  const fees = new Float64Array(n);
  let heldCash = config.initialCash;
  let heldUnits = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (next < log.length && log.index[next] === i) {
      heldCash = log.cash[next]!;
      heldUnits = log.units[next]!;
      fees[i] = log.fee[next]!;
      turnover[i] = log.turnover[next]!;
      next++;
    }
    cash[i] = heldCash;
    units[i] = heldUnits;
  }
  const returns = new Float64Array(n);
  if (n > 0) returns[0] = equity[0]! / config.initialCash - 1;
  for (let i = 1; i < n; i++) {
    const prev = equity[i - 1]!;
    returns[i] = prev !== 0 ? equity[i]! / prev - 1 : 0;
  }
  return { equity, returns, cash, units, turnover, fees, orders: stats[1]!, initialCash: config.initialCash };
}

/** Summary of {@link vectorizedEquity}. */
export interface VectorizedEquityResult {
  equity: Float64Array;
  finalEquity: number;
  orders: number;
  /** Sum of per-bar turnover. */
  turnover: number;
  maxDrawdown: number;
}

/**
 * The lean form of {@link vectorizedBacktest}: only the equity curve (into `out` when given, the
 * usual optional output buffer) and summary numbers, for hot loops over many runs.
 */
export function vectorizedEquity(
  prices: PriceColumns,
  positions: Float64Array,
  options: VectorizedOptions = {},
  out?: Float64Array,
): VectorizedEquityResult {
  const config = kernelConfig('vectorizedEquity', options);
  const n = checkLengths('vectorizedEquity', prices);
  if (positions.length !== n) {
    throw new ValidationError('vectorizedEquity', [
      { field: 'positions', reason: `has ${positions.length} values but the prices have ${n}` },
    ]);
  }
  const equity = outputBuffer(n, out);
  const stats = new Float64Array(4);
  runKernel(prices.open, prices.close, positions, 0, n, config, equity, 0, new FillLog(), stats);
  return { equity, finalEquity: stats[0]!, orders: stats[1]!, turnover: stats[2]!, maxDrawdown: stats[3]! };
}

export interface VectorizedGridOptions extends VectorizedOptions {
  /** Keep the full `count × bars` equity matrix. Default false (summaries only). */
  keepEquity?: boolean;
}

/**
 * Runs many target-position series over the same prices in one pass each: `positions` is a
 * row-major `count × bars` matrix (one series per row). Returns per-series summaries.
 */
export function vectorizedGrid(
  prices: PriceColumns,
  positions: Float64Array,
  options: VectorizedGridOptions = {},
): VectorizedGridResult {
  const config = kernelConfig('vectorizedGrid', options);
  const n = checkLengths('vectorizedGrid', prices);
  if (n === 0 || positions.length % n !== 0) {
    throw new ValidationError('vectorizedGrid', [
      {
        field: 'positions',
        reason: `length ${positions.length} is not a multiple of the ${n} bars (row-major count × bars)`,
      },
    ]);
  }
  const count = positions.length / n;
  const grid = allocateGrid(count, n, options.keepEquity ?? false);
  const stats = new Float64Array(4);
  const log = new FillLog();
  const equity = grid.equity ?? new Float64Array(n);
  for (let s = 0; s < count; s++) {
    runKernel(prices.open, prices.close, positions, s * n, n, config, equity, grid.equity ? s * n : 0, log, stats);
    storeStats(grid, s, stats, config.initialCash);
  }
  return grid;
}

function allocateGrid(count: number, n: number, keepEquity: boolean): VectorizedGridResult {
  const grid: VectorizedGridResult = {
    count,
    finalEquity: new Float64Array(count),
    totalReturn: new Float64Array(count),
    maxDrawdown: new Float64Array(count),
    turnover: new Float64Array(count),
    orders: new Uint32Array(count),
    totalOrders: 0,
  };
  if (keepEquity) grid.equity = new Float64Array(count * n);
  return grid;
}

function storeStats(grid: VectorizedGridResult, s: number, stats: Float64Array, initialCash: number): void {
  grid.finalEquity[s] = stats[0]!;
  grid.totalReturn[s] = stats[0]! / initialCash - 1;
  grid.orders[s] = stats[1]!;
  grid.turnover[s] = stats[2]!;
  grid.maxDrawdown[s] = stats[3]!;
  grid.totalOrders += stats[1]!;
}

export interface MaCrossoverGridOptions extends VectorizedGridOptions {
  /** Fast simple-moving-average lengths. */
  fast: readonly number[];
  /** Slow simple-moving-average lengths; pairs with fast ≥ slow are skipped. */
  slow: readonly number[];
  /** Go short (−1) instead of flat when fast < slow. Default false. */
  allowShort?: boolean;
}

export interface MaCrossoverGridResult extends VectorizedGridResult {
  /** Fast length of each evaluated series. */
  fastLengths: Uint32Array;
  /** Slow length of each evaluated series. */
  slowLengths: Uint32Array;
}

/**
 * Moving-average crossover over a parameter grid: long (1) while SMA(fast) > SMA(slow) at the
 * bar's close, else flat (or short with `allowShort`), NaN warm-up = flat. The SMAs come from one
 * prefix sum of the closes; each pair's positions go through the same kernel as
 * {@link vectorizedGrid}.
 */
export function maCrossoverGrid(prices: PriceColumns, options: MaCrossoverGridOptions): MaCrossoverGridResult {
  const config = kernelConfig('maCrossoverGrid', options);
  const n = checkLengths('maCrossoverGrid', prices);
  const pairs: [number, number][] = [];
  for (const f of options.fast) {
    if (!Number.isInteger(f) || f < 1) throw new InvalidParameterError('fast', f, 'expected integer lengths >= 1');
    for (const s of options.slow) {
      if (!Number.isInteger(s) || s < 1) throw new InvalidParameterError('slow', s, 'expected integer lengths >= 1');
      if (f < s) pairs.push([f, s]);
    }
  }
  if (pairs.length === 0) throw new InvalidParameterError('fast', options.fast, 'no pair with fast < slow');
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + prices.close[i]!;
  const short = (options.allowShort ?? false) ? -1 : 0;
  const grid = allocateGrid(pairs.length, n, options.keepEquity ?? false) as MaCrossoverGridResult;
  grid.fastLengths = new Uint32Array(pairs.length);
  grid.slowLengths = new Uint32Array(pairs.length);
  const target = new Float64Array(n);
  const stats = new Float64Array(4);
  const log = new FillLog();
  const equity = grid.equity ?? new Float64Array(n);
  for (let p = 0; p < pairs.length; p++) {
    const [f, s] = pairs[p]!;
    grid.fastLengths[p] = f;
    grid.slowLengths[p] = s;
    for (let i = 0; i < n; i++) {
      if (i + 1 < s) {
        target[i] = 0;
        continue;
      }
      const fastMean = (prefix[i + 1]! - prefix[i + 1 - f]!) / f;
      const slowMean = (prefix[i + 1]! - prefix[i + 1 - s]!) / s;
      target[i] = fastMean > slowMean ? 1 : short;
    }
    runKernel(prices.open, prices.close, target, 0, n, config, equity, grid.equity ? p * n : 0, log, stats);
    storeStats(grid, p, stats, config.initialCash);
  }
  return grid;
}
