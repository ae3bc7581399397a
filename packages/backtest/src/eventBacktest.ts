import { type Bars, barsPerYear, InvalidParameterError, ValidationError } from '@candlelab/core';
import { BRACKET_NONE, BRACKET_STOP, bracketExit, bracketFillPrice } from './bracketExit.js';
import { SeriesView } from './SeriesView.js';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop';
export type PositionSide = 'long' | 'short';
/** Why a position was closed. */
export type ExitReason = 'signal' | 'stopLoss' | 'takeProfit' | 'trailingStop' | 'endOfData';

/**
 * How many units an order trades.
 * - `fixed`: `quantity` units.
 * - `fraction`: `fraction` of equity (marked at the fill bar's open) in notional.
 * - `volatilityTarget`: fraction = min(`maxFraction` (default 1), `targetVolatility` ÷ realized
 *   annualized volatility of the last `lookback` (default 20) close-to-close log returns up to the
 *   decision bar); no order when fewer than `lookback` returns are visible.
 * - `kelly`: fraction = min(`cap` (default 0.25), `multiplier` (default 0.5) × (p − (1 − p) ÷ b))
 *   with win rate p and payoff ratio b (average win ÷ average loss); no order when ≤ 0.
 */
export type Sizing =
  | { kind: 'fixed'; quantity: number }
  | { kind: 'fraction'; fraction: number }
  | { kind: 'volatilityTarget'; targetVolatility: number; lookback?: number; maxFraction?: number }
  | { kind: 'kelly'; winRate: number; payoffRatio: number; multiplier?: number; cap?: number };

/**
 * An order a strategy submits at bar t; it can fill from bar t+1 on. Orders add signed units to
 * the symbol's net position: a sell while long reduces it and, beyond zero, flips to short (the
 * flip closes one trade and opens the next). Use `closePosition` to flatten exactly.
 */
export interface OrderRequest {
  /** Symbol to trade. Default: the first series. */
  symbol?: string;
  side: OrderSide;
  /** Default `'market'` (fills at the next open plus slippage). */
  type?: OrderType;
  size: Sizing;
  /** Limit price (required for `limit`): buys fill at min(open, limit) once low ≤ limit; no slippage. */
  limitPrice?: number;
  /** Stop price (required for `stop`): buys fill at max(open, stop) once high ≥ stop, plus slippage. */
  stopPrice?: number;
  /** Stop-loss distance as a fraction of the entry price (e.g. 0.02). Default none. */
  stopLoss?: number;
  /** Take-profit distance as a fraction of the entry price. Default none. */
  takeProfit?: number;
  /** Trailing-stop distance as a fraction of the best price since entry. Default none. */
  trailingStop?: number;
  /** Cancel the order if unfilled this many bars after submission. Default: good till cancelled. */
  expiresAfterBars?: number;
}

/** One round trip (flat → position → flat, or up to a flip). */
export interface Trade {
  symbol: string;
  side: PositionSide;
  entryIndex: number;
  exitIndex: number;
  entryTime: number;
  exitTime: number;
  /** Average entry price (after slippage). */
  entryPrice: number;
  /** Average exit price (after slippage). */
  exitPrice: number;
  /** Largest absolute position held during the trade. */
  quantity: number;
  /** Realized profit net of fees. */
  pnl: number;
  /** pnl ÷ (entryPrice × quantity). */
  returnPct: number;
  fees: number;
  holdBars: number;
  exitReason: ExitReason;
  /** Maximum favourable excursion as a fraction of the entry price. */
  mfe: number;
  /** Maximum adverse excursion as a positive fraction of the entry price. */
  mae: number;
}

export interface Fill {
  index: number;
  symbol: string;
  /** Signed units (+ buy, − sell). */
  quantity: number;
  price: number;
  fee: number;
  reason: 'order' | ExitReason;
}

export interface OpenPosition {
  symbol: string;
  units: number;
  avgPrice: number;
  /** (last close − avgPrice) × units. */
  unrealized: number;
  /** Profit already realized by partial closes of this open trade, net of all its fees so far. */
  realized: number;
}

/** What the strategy sees and can do at bar t. */
export interface StrategyContext {
  /** Current bar index (shared by all series). */
  readonly index: number;
  /** Current bar's open time. */
  readonly time: number;
  readonly symbols: readonly string[];
  /** Bars 0..t of a series (default the first). */
  series(symbol?: string): SeriesView;
  /** Units held (negative = short). */
  position(symbol?: string): number;
  readonly cash: number;
  /** Cash + positions marked at the current close. */
  readonly equity: number;
  /** Queues an order for the next bar; returns its id, or −1 when sizing gives nothing to trade. */
  submit(order: OrderRequest): number;
  /** Market order at the next open that flattens the position. */
  closePosition(symbol?: string): void;
  /** Cancels pending orders (of one symbol, or all). */
  cancelOrders(symbol?: string): void;
}

/** A strategy: `onBar` runs after bar t closed, with only bars ≤ t visible. */
export interface Strategy {
  onBar(ctx: StrategyContext): void;
}

export interface EventBacktestOptions {
  /** Default 10,000. */
  initialCash?: number;
  /** Commission per fill in basis points of notional. Default 0. */
  feesBps?: number;
  /** Adverse slippage on market and stop fills (and stop exits), in basis points. Default 0. */
  slippageBps?: number;
  /** Close open positions at the last close (reason `endOfData`). Default false. */
  closeAtEnd?: boolean;
}

export interface EventBacktestResult {
  initialCash: number;
  symbols: string[];
  time: Float64Array;
  equity: Float64Array;
  cash: Float64Array;
  returns: Float64Array;
  /** Units per symbol at each close (same order as `symbols`). */
  units: Float64Array[];
  /** Gross exposure (Σ |units × close| ÷ equity) at each close. */
  exposure: Float64Array;
  trades: Trade[];
  fills: Fill[];
  openPositions: OpenPosition[];
}

interface PendingOrder {
  id: number;
  side: number;
  type: OrderType;
  /** Fixed signed units, or NaN when `weight` applies, or 0 for a closing order. */
  units: number;
  weight: number;
  closing: boolean;
  limitPrice: number;
  stopPrice: number;
  stopLoss: number;
  takeProfit: number;
  trailingStop: number;
  expiresAt: number;
}

/** Per-symbol position and open-trade accounting. */
class Book {
  units = 0;
  avgPrice = 0;
  pending: PendingOrder[] = [];
  entryIndex = -1;
  entryNotional = 0;
  entryQty = 0;
  exitNotional = 0;
  exitQty = 0;
  realized = 0;
  fees = 0;
  maxQty = 0;
  stopLevel = Number.NaN;
  targetLevel = Number.NaN;
  trailFrac = Number.NaN;
  trailLevel = Number.NaN;
  bracketFrom = 0;
  extremeHigh = 0;
  extremeLow = 0;
}

function positiveOr(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value))
    throw new InvalidParameterError(name, value, 'expected a finite number > 0');
  return value;
}

function nonNegative(name: string, value: number | undefined): number {
  const v = value ?? 0;
  if (!(v >= 0) || !Number.isFinite(v)) throw new InvalidParameterError(name, v, 'expected a finite number >= 0');
  return v;
}

const finitePositive = (v: number): boolean => v > 0 && v < Number.POSITIVE_INFINITY;

function checkAligned(series: readonly Bars[]): void {
  const first = series[0];
  if (!first) throw new InvalidParameterError('bars', series, 'need at least one series');
  const n = first.time.length;
  for (const bars of series) {
    if (bars.time.length !== n) {
      throw new ValidationError('runEventBacktest', [
        { field: `${bars.symbol}.time`, reason: `has ${bars.time.length} bars, ${first.symbol} has ${n}` },
      ]);
    }
    for (let i = 0; i < n; i++) {
      if (bars.time[i] !== first.time[i]) {
        throw new ValidationError('runEventBacktest', [
          {
            row: i,
            field: `${bars.symbol}.time`,
            reason: `differs from ${first.symbol} (series must share one time index)`,
          },
        ]);
      }
      if (
        !(
          finitePositive(bars.open[i]!) &&
          finitePositive(bars.high[i]!) &&
          finitePositive(bars.low[i]!) &&
          finitePositive(bars.close[i]!)
        )
      ) {
        throw new ValidationError('runEventBacktest', [
          { row: i, field: bars.symbol, reason: 'open/high/low/close must be finite and > 0' },
        ]);
      }
    }
  }
}

/**
 * Event-driven backtest over one or more series sharing a time index and one cash balance.
 * Each bar: pending orders fill (in submission order), then stop/target/trailing exits are checked
 * with the rule of {@link bracketExit}, positions are marked at the close, and only then the
 * strategy sees the bar. Brackets of an entry filled at the open are live on that same bar;
 * those of limit/stop entries from the next bar. Cash is not constrained: sizes above equity borrow.
 */
export function runEventBacktest(
  bars: Bars | readonly Bars[],
  strategy: Strategy,
  options: EventBacktestOptions = {},
): EventBacktestResult {
  const series: readonly Bars[] = Array.isArray(bars) ? bars : [bars as Bars];
  checkAligned(series);
  const initialCash = positiveOr('initialCash', options.initialCash, 10_000);
  const feeRate = nonNegative('feesBps', options.feesBps) / 1e4;
  const slipRate = nonNegative('slippageBps', options.slippageBps) / 1e4;
  const m = series.length;
  const n = series[0]!.time.length;
  const symbols = series.map((s) => s.symbol);
  if (new Set(symbols).size !== m) throw new InvalidParameterError('bars', symbols, 'symbols must be unique');
  const books = series.map(() => new Book());
  const views = series.map((s) => new SeriesView(s));
  const equity = new Float64Array(n);
  const cashCol = new Float64Array(n);
  const exposure = new Float64Array(n);
  const units = series.map(() => new Float64Array(n));
  const trades: Trade[] = [];
  const fills: Fill[] = [];
  let cash = initialCash;
  let currentEquity = initialCash;
  let t = -1;
  let nextOrderId = 0;

  const firstView = views[0]!;
  const symbolIndex = (symbol: string | undefined): number => {
    if (symbol === undefined) return 0;
    const k = symbols.indexOf(symbol);
    if (k < 0) throw new InvalidParameterError('symbol', symbol, `unknown symbol; have ${symbols.join(', ')}`);
    return k;
  };

  const emitTrade = (k: number, exitIndex: number, reason: ExitReason): void => {
    const b = books[k]!;
    const s = series[k]!;
    const dir = b.units > 0 ? 1 : -1;
    const entryPrice = b.entryNotional / b.entryQty;
    const exitPrice = b.exitNotional / b.exitQty;
    const pnl = b.realized - b.fees;
    trades.push({
      symbol: symbols[k]!,
      side: dir > 0 ? 'long' : 'short',
      entryIndex: b.entryIndex,
      exitIndex,
      entryTime: s.time[b.entryIndex]!,
      exitTime: s.time[exitIndex]!,
      entryPrice,
      exitPrice,
      quantity: b.maxQty,
      pnl,
      returnPct: pnl / (entryPrice * b.maxQty),
      fees: b.fees,
      holdBars: exitIndex - b.entryIndex + 1,
      exitReason: reason,
      mfe: dir > 0 ? b.extremeHigh / entryPrice - 1 : 1 - b.extremeLow / entryPrice,
      mae: dir > 0 ? 1 - b.extremeLow / entryPrice : b.extremeHigh / entryPrice - 1,
    });
  };

  const startTrade = (
    b: Book,
    i: number,
    qty: number,
    price: number,
    fee: number,
    order: PendingOrder | null,
    sameBar: boolean,
  ): void => {
    const abs = Math.abs(qty);
    b.units = qty;
    b.avgPrice = price;
    b.entryIndex = i;
    b.entryNotional = abs * price;
    b.entryQty = abs;
    b.exitNotional = 0;
    b.exitQty = 0;
    b.realized = 0;
    b.fees = fee;
    b.maxQty = abs;
    b.extremeHigh = price;
    b.extremeLow = price;
    const dir = qty > 0 ? 1 : -1;
    b.stopLevel = order && order.stopLoss > 0 ? price * (1 - dir * order.stopLoss) : Number.NaN;
    b.targetLevel = order && order.takeProfit > 0 ? price * (1 + dir * order.takeProfit) : Number.NaN;
    b.trailFrac = order && order.trailingStop > 0 ? order.trailingStop : Number.NaN;
    b.trailLevel = b.trailFrac > 0 ? price * (1 - dir * b.trailFrac) : Number.NaN;
    b.bracketFrom = sameBar ? i : i + 1;
  };

  /** Applies a signed fill to book k; closes/flips trades as needed. */
  const applyFill = (
    k: number,
    i: number,
    qty: number,
    price: number,
    reason: 'order' | ExitReason,
    order: PendingOrder | null,
    sameBar: boolean,
  ): void => {
    const b = books[k]!;
    const fee = Math.abs(qty) * price * feeRate;
    cash -= qty * price + fee;
    fills.push({ index: i, symbol: symbols[k]!, quantity: qty, price, fee, reason });
    const prev = b.units;
    if (prev === 0) {
      startTrade(b, i, qty, price, fee, order, sameBar);
      return;
    }
    const absQty = Math.abs(qty);
    const absPrev = Math.abs(prev);
    if (qty > 0 === prev > 0) {
      const absNew = absPrev + absQty;
      b.avgPrice = (b.avgPrice * absPrev + price * absQty) / absNew;
      b.entryNotional += absQty * price;
      b.entryQty += absQty;
      b.fees += fee;
      b.units = prev + qty;
      if (absNew > b.maxQty) b.maxQty = absNew;
      return;
    }
    const dir = prev > 0 ? 1 : -1;
    const closeQty = Math.min(absQty, absPrev);
    const closeFee = fee * (closeQty / absQty);
    b.realized += closeQty * (price - b.avgPrice) * dir;
    b.exitNotional += closeQty * price;
    b.exitQty += closeQty;
    b.fees += closeFee;
    if (price > b.extremeHigh) b.extremeHigh = price;
    if (price < b.extremeLow) b.extremeLow = price;
    if (absQty < absPrev) {
      b.units = prev + qty;
      return;
    }
    emitTrade(k, i, reason === 'order' ? 'signal' : reason);
    b.units = 0;
    b.stopLevel = b.targetLevel = b.trailFrac = b.trailLevel = Number.NaN;
    const rest = absQty - absPrev;
    if (rest > 0) startTrade(b, i, -dir * rest, price, fee - closeFee, order, sameBar);
  };

  const markAtOpen = (i: number): number => {
    let eq = cash;
    for (let k = 0; k < m; k++) {
      const u = books[k]!.units;
      if (u !== 0) eq += u * series[k]!.open[i]!;
    }
    return eq;
  };

  const fillPending = (k: number, i: number): void => {
    const b = books[k]!;
    const s = series[k]!;
    const o = s.open[i]!;
    const h = s.high[i]!;
    const l = s.low[i]!;
    const keep: PendingOrder[] = [];
    for (const order of b.pending) {
      if (i > order.expiresAt) continue;
      if (order.closing && b.units === 0) continue;
      let price = Number.NaN;
      const buy = order.closing ? b.units < 0 : order.side > 0;
      if (order.type === 'market') price = buy ? o * (1 + slipRate) : o * (1 - slipRate);
      else if (order.type === 'limit') {
        if (buy ? o <= order.limitPrice : o >= order.limitPrice) price = o;
        else if (buy ? l <= order.limitPrice : h >= order.limitPrice) price = order.limitPrice;
      } else if (buy ? o >= order.stopPrice : o <= order.stopPrice)
        price = buy ? o * (1 + slipRate) : o * (1 - slipRate);
      else if (buy ? h >= order.stopPrice : l <= order.stopPrice) {
        price = buy ? order.stopPrice * (1 + slipRate) : order.stopPrice * (1 - slipRate);
      }
      if (Number.isNaN(price)) {
        keep.push(order);
        continue;
      }
      let qty: number;
      if (order.closing) qty = -b.units;
      else if (Number.isNaN(order.units)) qty = (order.side * order.weight * Math.max(0, markAtOpen(i))) / price;
      else qty = order.units;
      if (qty !== 0) applyFill(k, i, qty, price, 'order', order, order.type === 'market');
    }
    b.pending = keep;
  };

  const checkBrackets = (k: number, i: number): void => {
    const b = books[k]!;
    if (b.units === 0 || i < b.bracketFrom || !(b.stopLevel > 0 || b.targetLevel > 0 || b.trailFrac > 0)) return;
    const s = series[k]!;
    const dir = b.units > 0 ? 1 : -1;
    const o = s.open[i]!;
    let stop = b.stopLevel;
    let trailing = false;
    if (!Number.isNaN(b.trailLevel) && !(dir > 0 ? b.trailLevel <= stop : b.trailLevel >= stop)) {
      stop = b.trailLevel;
      trailing = true;
    }
    const hit = bracketExit(dir, o, s.high[i]!, s.low[i]!, stop, b.targetLevel);
    if (hit === BRACKET_NONE) return;
    let price = bracketFillPrice(dir, hit, o, stop, b.targetLevel);
    let reason: ExitReason = 'takeProfit';
    if (hit === BRACKET_STOP) {
      price = dir > 0 ? price * (1 - slipRate) : price * (1 + slipRate);
      reason = trailing ? 'trailingStop' : 'stopLoss';
    }
    applyFill(k, i, -b.units, price, reason, null, true);
  };

  const ctx: StrategyContext = {
    get index() {
      return t;
    },
    get time() {
      return series[0]!.time[t]!;
    },
    symbols,
    series: (symbol) => (symbol === undefined ? firstView : views[symbolIndex(symbol)]!),
    position: (symbol) => books[symbolIndex(symbol)]!.units,
    get cash() {
      return cash;
    },
    get equity() {
      return currentEquity;
    },
    submit: (request) => {
      const k = symbolIndex(request.symbol);
      const order = makeOrder(request, nextOrderId, t, views[k]!, series[k]!.timeframe);
      if (order === null) return -1;
      nextOrderId++;
      books[k]!.pending.push(order);
      return order.id;
    },
    closePosition: (symbol) => {
      const k = symbolIndex(symbol);
      books[k]!.pending.push({ ...CLOSE_TEMPLATE, id: nextOrderId++ });
    },
    cancelOrders: (symbol) => {
      if (symbol === undefined) for (const b of books) b.pending = [];
      else books[symbolIndex(symbol)]!.pending = [];
    },
  };

  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) {
      const b = books[k]!;
      if (b.pending.length > 0) fillPending(k, i);
      if (b.units !== 0) {
        checkBrackets(k, i);
        if (b.units !== 0) {
          const s = series[k]!;
          const h = s.high[i]!;
          const l = s.low[i]!;
          if (h > b.extremeHigh) b.extremeHigh = h;
          if (l < b.extremeLow) b.extremeLow = l;
          if (b.trailFrac > 0)
            b.trailLevel = b.units > 0 ? b.extremeHigh * (1 - b.trailFrac) : b.extremeLow * (1 + b.trailFrac);
        }
      }
    }
    let eq = cash;
    let gross = 0;
    for (let k = 0; k < m; k++) {
      const u = books[k]!.units;
      units[k]![i] = u;
      if (u !== 0) {
        const value = u * series[k]!.close[i]!;
        eq += value;
        gross += value < 0 ? -value : value;
      }
    }
    equity[i] = eq;
    cashCol[i] = cash;
    exposure[i] = eq > 0 ? gross / eq : 0;
    currentEquity = eq;
    t = i;
    for (let k = 0; k < m; k++) views[k]!.seek(i);
    strategy.onBar(ctx);
  }

  if ((options.closeAtEnd ?? false) && n > 0) {
    const last = n - 1;
    for (let k = 0; k < m; k++) {
      const b = books[k]!;
      if (b.units !== 0) applyFill(k, last, -b.units, series[k]!.close[last]!, 'endOfData', null, true);
      units[k]![last] = 0;
    }
    equity[last] = cash;
    cashCol[last] = cash;
    exposure[last] = 0;
  }

  const returns = new Float64Array(n);
  if (n > 0) returns[0] = equity[0]! / initialCash - 1;
  for (let i = 1; i < n; i++) returns[i] = equity[i - 1] !== 0 ? equity[i]! / equity[i - 1]! - 1 : 0;
  const openPositions: OpenPosition[] = [];
  for (let k = 0; k < m; k++) {
    const b = books[k]!;
    if (b.units !== 0 && n > 0) {
      openPositions.push({
        symbol: symbols[k]!,
        units: b.units,
        avgPrice: b.avgPrice,
        unrealized: (series[k]!.close[n - 1]! - b.avgPrice) * b.units,
        realized: b.realized - b.fees,
      });
    }
  }
  return {
    initialCash,
    symbols,
    time: series[0]!.time,
    equity,
    cash: cashCol,
    returns,
    units,
    exposure,
    trades,
    fills,
    openPositions,
  };
}

const CLOSE_TEMPLATE: PendingOrder = {
  id: -1,
  side: 0,
  type: 'market',
  units: 0,
  weight: 0,
  closing: true,
  limitPrice: Number.NaN,
  stopPrice: Number.NaN,
  stopLoss: 0,
  takeProfit: 0,
  trailingStop: 0,
  expiresAt: Number.POSITIVE_INFINITY,
};

function fraction(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!(value > 0) || !Number.isFinite(value))
    throw new InvalidParameterError(name, value, 'expected a finite fraction > 0');
  return value;
}

/** Realized annualized volatility of the last `lookback` log returns visible in `view`, or NaN. */
function realizedVolatility(view: SeriesView, lookback: number, timeframe: string): number {
  if (view.length < lookback + 1) return Number.NaN;
  let sum = 0;
  let sumSq = 0;
  for (let ago = 0; ago < lookback; ago++) {
    const r = Math.log(view.close(ago) / view.close(ago + 1));
    sum += r;
    sumSq += r * r;
  }
  const mean = sum / lookback;
  const variance = (sumSq - lookback * mean * mean) / Math.max(1, lookback - 1);
  return Math.sqrt(Math.max(0, variance) * barsPerYear(timeframe));
}

/** Fraction of equity for weight-based sizing at the decision bar (0 = nothing to trade; NaN for fixed units). */
function sizingWeight(size: Sizing, view: SeriesView, timeframe: string): number {
  switch (size.kind) {
    case 'fixed':
      return Number.NaN;
    case 'fraction':
      return fraction('size.fraction', size.fraction);
    case 'volatilityTarget': {
      const lookback = size.lookback ?? 20;
      if (!Number.isInteger(lookback) || lookback < 2)
        throw new InvalidParameterError('size.lookback', lookback, 'expected an integer >= 2');
      const target = fraction('size.targetVolatility', size.targetVolatility);
      const cap = size.maxFraction === undefined ? 1 : fraction('size.maxFraction', size.maxFraction);
      const vol = realizedVolatility(view, lookback, timeframe);
      if (!(vol > 0)) return 0;
      return Math.min(cap, target / vol);
    }
    case 'kelly': {
      const p = size.winRate;
      if (!(p >= 0 && p <= 1)) throw new InvalidParameterError('size.winRate', p, 'expected a probability in [0, 1]');
      const b = fraction('size.payoffRatio', size.payoffRatio);
      const multiplier = size.multiplier === undefined ? 0.5 : fraction('size.multiplier', size.multiplier);
      const cap = size.cap === undefined ? 0.25 : fraction('size.cap', size.cap);
      return Math.max(0, Math.min(cap, multiplier * (p - (1 - p) / b)));
    }
  }
}

function makeOrder(
  request: OrderRequest,
  id: number,
  t: number,
  view: SeriesView,
  timeframe: string,
): PendingOrder | null {
  const type = request.type ?? 'market';
  if (request.side !== 'buy' && request.side !== 'sell')
    throw new InvalidParameterError('side', request.side, "expected 'buy' or 'sell'");
  const side = request.side === 'buy' ? 1 : -1;
  if (type === 'limit' && !(request.limitPrice! > 0))
    throw new InvalidParameterError('limitPrice', request.limitPrice, 'a limit order needs limitPrice > 0');
  if (type === 'stop' && !(request.stopPrice! > 0))
    throw new InvalidParameterError('stopPrice', request.stopPrice, 'a stop order needs stopPrice > 0');
  if (type !== 'market' && type !== 'limit' && type !== 'stop')
    throw new InvalidParameterError('type', type, "expected 'market', 'limit' or 'stop'");
  const weight = sizingWeight(request.size, view, timeframe);
  let units = Number.NaN;
  if (request.size.kind === 'fixed') {
    const q = request.size.quantity;
    if (!(q > 0) || !Number.isFinite(q))
      throw new InvalidParameterError('size.quantity', q, 'expected a finite quantity > 0');
    units = side * q;
  } else if (!(weight > 0)) return null;
  const expires = request.expiresAfterBars;
  if (expires !== undefined && (!Number.isInteger(expires) || expires < 1)) {
    throw new InvalidParameterError('expiresAfterBars', expires, 'expected an integer >= 1');
  }
  return {
    id,
    side,
    type,
    units,
    weight,
    closing: false,
    limitPrice: request.limitPrice ?? Number.NaN,
    stopPrice: request.stopPrice ?? Number.NaN,
    stopLoss: fraction('stopLoss', request.stopLoss),
    takeProfit: fraction('takeProfit', request.takeProfit),
    trailingStop: fraction('trailingStop', request.trailingStop),
    expiresAt: expires === undefined ? Number.POSITIVE_INFINITY : t + expires,
  };
}
