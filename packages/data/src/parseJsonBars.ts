import { type Bars, emptyBars, ValidationError, type ValidationIssue } from '@candlelab/core';
import { decimalOrReason, type ParseBarsOptions, validateWithLines } from './parseCsvBars.js';
import { readTimestamp } from './parseTimestamp.js';

const FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
type Field = (typeof FIELDS)[number];
/** Object keys of each field, lower-cased (keys match case-insensitively), first match wins. */
const OBJECT_KEYS: Record<Field, readonly string[]> = {
  time: ['time', 'timestamp', 'date', 't', 'opentime', 'open_time'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'v', 'vol'],
};

/**
 * Parses JSON candles into validated {@link Bars}: ccxt/freqtrade-style arrays
 * `[[time, open, high, low, close, volume], …]` (numbers or decimal strings, as Binance sends
 * them), or objects with common key names, matched case-insensitively (`{ time | timestamp | date,
 * open, high, low, close, volume }`, `Date`, `Open`, …). Timestamps are epoch s / ms / us / ns
 * (`timeUnit`, or detected by magnitude) or ISO strings, within 1970–2100. A leading UTF-8 byte
 * order mark is ignored. Bad elements are reported in one {@link ValidationError} with their index
 * (`row`) and field.
 */
export function parseJsonBars(input: string | unknown, options: ParseBarsOptions): Bars {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
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
  const keys = new ObjectKeys();
  for (let i = 0; i < n && issues.length < 100; i++) {
    const item: unknown = data[i];
    const isArray = Array.isArray(item);
    if (!isArray && !isRecord(item)) {
      issues.push({ row: i, reason: `element ${i}: expected an array or object, got ${JSON.stringify(item)}` });
      continue;
    }
    const keyOf = isArray ? undefined : keys.resolve(item, i, issues);
    if (keyOf === null) continue;
    for (let f = 0; f < 6; f++) {
      const field = FIELDS[f]!;
      let raw: unknown;
      if (keyOf === undefined) raw = (item as unknown[])[f];
      else {
        const key = keyOf[f];
        raw = key === undefined ? undefined : (item as Record<string, unknown>)[key];
      }
      let value: number | string;
      if (raw === undefined && field === 'volume' && keyOf !== undefined) value = 0;
      else if (typeof raw === 'number' || typeof raw === 'string')
        value = field === 'time' ? readTimestamp(raw, options.timeUnit) : readNumber(raw);
      else value = `cannot read ${JSON.stringify(raw) ?? 'undefined'} as ${field}`;
      if (typeof value === 'string') issues.push({ row: i, field, reason: `element ${i}: ${value}` });
      else columns[f]![i] = value;
    }
  }
  if (issues.length > 0) throw new ValidationError('JSON candles', issues, { truncated: issues.length >= 100 });
  return validateWithLines(bars, null, options, 'JSON');
}

function readNumber(raw: number | string): number | string {
  if (typeof raw === 'string') return decimalOrReason(raw);
  return Number.isFinite(raw) ? raw : `${raw} is not a finite number`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Which key of a candle object holds each field, matched case-insensitively. Resolved once per
 * distinct key list (every element of a file usually has the same keys).
 */
class ObjectKeys {
  #lastKeys: string[] = [];
  #lastResolved: (string | undefined)[] | null = null;

  /** Key per field (undefined = absent), or null after reporting keys that name a field twice. */
  resolve(item: Record<string, unknown>, row: number, issues: ValidationIssue[]): (string | undefined)[] | null {
    const keys = Object.keys(item);
    if (this.#lastResolved !== null && sameKeys(keys, this.#lastKeys)) return this.#lastResolved;
    const lower = keys.map((key) => key.toLowerCase());
    const resolved: (string | undefined)[] = [];
    for (const field of FIELDS) {
      let found: string | undefined;
      for (const alias of OBJECT_KEYS[field]) {
        const matches = keys.filter((_, k) => lower[k] === alias);
        if (matches.length > 1) {
          issues.push({ row, field, reason: `element ${row}: keys ${matches.join(', ')} differ only in case` });
          return null;
        }
        if (matches.length === 1) {
          found = matches[0];
          break;
        }
      }
      resolved.push(found);
    }
    this.#lastKeys = keys;
    this.#lastResolved = resolved;
    return resolved;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
