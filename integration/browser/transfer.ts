// Float64Arrays as base64 of their bytes (works the same in Node and in the page): bit-exact,
// NaN and -0 included, unlike JSON numbers.
import type { Bars, Timeframe } from '@candlelab/core';

export function encodeColumn(column: Float64Array): string {
  const bytes = new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function decodeColumn(text: string): Float64Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}

export interface EncodedBars {
  symbol: string;
  timeframe: Timeframe;
  columns: Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', string>;
}

export function encodeBars(bars: Bars): EncodedBars {
  const { symbol, timeframe, time, open, high, low, close, volume } = bars;
  const columns = { time, open, high, low, close, volume };
  return {
    symbol,
    timeframe,
    columns: Object.fromEntries(
      Object.entries(columns).map(([k, v]) => [k, encodeColumn(v)]),
    ) as EncodedBars['columns'],
  };
}

export function decodeBars(encoded: EncodedBars): Bars {
  const c = encoded.columns;
  return {
    symbol: encoded.symbol,
    timeframe: encoded.timeframe,
    time: decodeColumn(c.time),
    open: decodeColumn(c.open),
    high: decodeColumn(c.high),
    low: decodeColumn(c.low),
    close: decodeColumn(c.close),
    volume: decodeColumn(c.volume),
  };
}
