import {
  alignTime,
  type Bars,
  copyBars,
  emptyBars,
  InvalidParameterError,
  type Timeframe,
  timeframeToMs,
  ValidationError,
} from '@candlelab/core';

/** One trade (or tick): time in UTC ms, price, traded amount (base units). */
export interface Trade {
  time: number;
  price: number;
  amount: number;
}

/** Trades stored column-wise. */
export interface TradeColumns {
  time: ArrayLike<number>;
  price: ArrayLike<number>;
  amount: ArrayLike<number>;
}

export interface AggregateTradesOptions {
  symbol: string;
  timeframe: Timeframe;
  /** Emit bars for periods without trades (open = high = low = close = previous close, volume 0). Default false. */
  fillEmpty?: boolean;
}

/**
 * Aggregates time-ordered trades into bars of `timeframe` (open = first price, high/low = extreme
 * prices, close = last price, volume = summed amount). Takes an array of trades, trade columns, or
 * an async iterable of trades or trade batches (then returns a promise). A trade that is out of
 * order, or has a non-positive price or negative amount, is a {@link ValidationError} naming its index.
 */
export function aggregateTrades(trades: readonly Trade[] | TradeColumns, options: AggregateTradesOptions): Bars;
export function aggregateTrades(
  trades: AsyncIterable<Trade | readonly Trade[]>,
  options: AggregateTradesOptions,
): Promise<Bars>;
export function aggregateTrades(
  trades: readonly Trade[] | TradeColumns | AsyncIterable<Trade | readonly Trade[]>,
  options: AggregateTradesOptions,
): Bars | Promise<Bars> {
  const aggregator = new TradeAggregator(options);
  if (Symbol.asyncIterator in trades) {
    return (async () => {
      for await (const item of trades) {
        if (Array.isArray(item))
          for (const trade of item as readonly Trade[]) aggregator.push(trade.time, trade.price, trade.amount);
        else {
          const trade = item as Trade;
          aggregator.push(trade.time, trade.price, trade.amount);
        }
      }
      return aggregator.finish();
    })();
  }
  if (Array.isArray(trades)) {
    for (const trade of trades as readonly Trade[]) aggregator.push(trade.time, trade.price, trade.amount);
  } else {
    const { time, price, amount } = trades as TradeColumns;
    if (price.length !== time.length || amount.length !== time.length) {
      throw new InvalidParameterError(
        'trades',
        { time: time.length, price: price.length, amount: amount.length },
        'columns differ in length',
      );
    }
    for (let i = 0; i < time.length; i++) aggregator.push(time[i]!, price[i]!, amount[i]!);
  }
  return aggregator.finish();
}

/** Streaming trade → bar aggregation with growable typed-array columns. */
class TradeAggregator {
  private readonly tfMs: number;
  private readonly bars: Bars;
  private n = 0;
  private index = 0;
  private lastTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: AggregateTradesOptions) {
    this.tfMs = timeframeToMs(options.timeframe);
    this.bars = emptyBars(options.symbol, options.timeframe, 1024);
  }

  push(time: number, price: number, amount: number): void {
    const i = this.index++;
    if (!Number.isFinite(time) || time < this.lastTime) {
      throw new ValidationError('trades', [
        { row: i, field: 'time', reason: `time ${time} is not finite or before the previous trade (${this.lastTime})` },
      ]);
    }
    if (!(price > 0) || !Number.isFinite(price))
      throw new ValidationError('trades', [
        { row: i, field: 'price', reason: `price ${price} is not a positive number` },
      ]);
    if (!(amount >= 0) || !Number.isFinite(amount))
      throw new ValidationError('trades', [
        { row: i, field: 'amount', reason: `amount ${amount} is not a non-negative number` },
      ]);
    this.lastTime = time;
    const bucket = alignTime(time, this.options.timeframe);
    const b = this.bars;
    const k = this.n - 1;
    if (k >= 0 && b.time[k] === bucket) {
      if (price > b.high[k]!) b.high[k] = price;
      if (price < b.low[k]!) b.low[k] = price;
      b.close[k] = price;
      b.volume[k] = b.volume[k]! + amount;
      return;
    }
    if (this.options.fillEmpty && k >= 0) {
      const previousClose = b.close[k]!;
      for (let t = b.time[k]! + this.tfMs; t < bucket; t += this.tfMs)
        this.append(t, previousClose, previousClose, previousClose, previousClose, 0);
    }
    this.append(bucket, price, price, price, price, amount);
  }

  finish(): Bars {
    return copyBars(this.bars, 0, this.n);
  }

  private append(time: number, open: number, high: number, low: number, close: number, volume: number): void {
    const b = this.bars;
    if (this.n === b.time.length) {
      const capacity = b.time.length * 2;
      for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
        const grown = new Float64Array(capacity);
        grown.set(b[column]);
        b[column] = grown;
      }
    }
    const k = this.n++;
    b.time[k] = time;
    b.open[k] = open;
    b.high[k] = high;
    b.low[k] = low;
    b.close[k] = close;
    b.volume[k] = volume;
  }
}
