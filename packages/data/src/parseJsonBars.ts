import { type Bars, emptyBars, ValidationError, type ValidationIssue } from '@candlelab/core';
import { type ParseBarsOptions, parseTimestamp, validateWithLines } from './parseCsvBars.js';

const FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
const OBJECT_KEYS: Record<(typeof FIELDS)[number], readonly string[]> = {
  time: ['time', 'timestamp', 'date', 't', 'openTime', 'open_time'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'v', 'vol'],
};

/**
 * Parses JSON candles into validated {@link Bars}: ccxt/freqtrade-style arrays
 * `[[time, open, high, low, close, volume], …]` (numbers or numeric strings, as Binance sends
 * them), or objects with common key names (`{ time | timestamp | date, open, high, low, close, volume }`).
 * Timestamps may be seconds, milliseconds or ISO strings. Bad elements are reported in one
 * {@link ValidationError} with their index (`row`) and field.
 */
export function parseJsonBars(input: string | unknown, options: ParseBarsOptions): Bars {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (error) {
      throw new ValidationError('JSON candles', [{ reason: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  if (!Array.isArray(data))
    throw new ValidationError('JSON candles', [{ reason: `expected an array of candles, got ${typeof data}` }]);
  const n = data.length;
  const bars = emptyBars(options.symbol, options.timeframe, n);
  const columns = [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume];
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < n && issues.length < 100; i++) {
    const item: unknown = data[i];
    for (let f = 0; f < 6; f++) {
      const field = FIELDS[f]!;
      const raw = Array.isArray(item) ? item[f] : isRecord(item) ? pick(item, OBJECT_KEYS[field]) : undefined;
      if (!Array.isArray(item) && !isRecord(item)) {
        issues.push({ row: i, reason: `element ${i}: expected an array or object, got ${JSON.stringify(item)}` });
        break;
      }
      const value =
        typeof raw === 'number' || typeof raw === 'string'
          ? field === 'time'
            ? parseTimestamp(raw)
            : Number(raw)
          : raw === undefined && field === 'volume' && isRecord(item)
            ? 0
            : Number.NaN;
      if (!Number.isFinite(value) || (typeof raw === 'string' && raw.trim() === '')) {
        issues.push({ row: i, field, reason: `element ${i}: cannot read ${JSON.stringify(raw)} as ${field}` });
      } else columns[f]![i] = value;
    }
  }
  if (issues.length > 0) throw new ValidationError('JSON candles', issues, { truncated: issues.length >= 100 });
  return validateWithLines(bars, null, options, 'JSON');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(record: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (key in record) return record[key];
  return undefined;
}
