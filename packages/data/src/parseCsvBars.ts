import {
  type Bars,
  checkBars,
  emptyBars,
  type Timeframe,
  ValidationError,
  type ValidationIssue,
} from '@candlelab/core';
import { parseDecimal, readTimestamp, type TimeUnit } from './parseTimestamp.js';

export interface ParseBarsOptions {
  /** Symbol of the parsed series. Required. */
  symbol: string;
  /** Timeframe of the parsed series. Required. */
  timeframe: Timeframe;
  /** Require every time to be a bar open of `timeframe` (needed to write into a store). Default false. */
  requireAligned?: boolean;
  /**
   * Unit of numeric timestamps: `'s'`, `'ms'`, `'us'` or `'ns'` since the epoch. Default: detected
   * per value by magnitude (the unit that puts it in 1990–2100); numbers no unit places there,
   * such as `20201001` (YYYYMMDD), are refused and need this option.
   */
  timeUnit?: TimeUnit;
}

export interface ParseCsvOptions extends ParseBarsOptions {
  /** Field delimiter. Default: detected from the first line among `,` `;` tab `|`. */
  delimiter?: string;
  /** Whether the first line is a header. Default: detected (a first line whose price fields are not numbers). */
  header?: boolean;
}

/** Column-name aliases (lower-cased, trimmed), first match wins. An empty first header cell is the time column (pandas index). */
const ALIASES = {
  time: [
    'time',
    'timestamp',
    'date',
    'datetime',
    'open_time',
    'opentime',
    'open time',
    'ts',
    'unix',
    'date_time',
    'time_open',
  ],
  open: ['open', 'o', 'open_price', 'opening'],
  high: ['high', 'h', 'high_price', 'max'],
  low: ['low', 'l', 'low_price', 'min'],
  close: ['close', 'c', 'close_price', 'closing', 'last'],
  volume: ['volume', 'v', 'vol', 'base_volume', 'volume_base', 'amount'],
} as const;

type Field = keyof typeof ALIASES;
const FIELDS: readonly Field[] = ['time', 'open', 'high', 'low', 'close', 'volume'];

/**
 * Parses CSV candles into validated {@link Bars}. Detects the delimiter and a header row; maps
 * common column names (`timestamp`/`date`/`open_time`, `o`/`open`, …; without a header the order
 * is time, open, high, low, close, volume); reads epoch timestamps in s / ms / us / ns (declared by
 * `timeUnit` or detected by magnitude, see `readTimestamp`) or ISO 8601 (date-only strings are UTC
 * midnight); times outside 1970–2100 are refused. Prices and volumes must be decimal numbers
 * (`0x64` is refused, not read as 100). A missing volume column gives volume 0. Every bad row is
 * reported in one {@link ValidationError} whose issues carry the 0-based line index (`row`), the
 * field and the reason, whose message names the 1-based line number.
 */
export function parseCsvBars(text: string, options: ParseCsvOptions): Bars {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first === lines.length) return emptyBars(options.symbol, options.timeframe);
  const delimiter = options.delimiter ?? detectDelimiter(lines[first]!);
  const firstCells = splitLine(lines[first]!, delimiter);
  const header =
    options.header ?? !firstCells.slice(1).every((cell) => cell.trim() === '' || Number.isFinite(Number(cell)));
  const issues: ValidationIssue[] = [];
  const index = header
    ? columnIndex(firstCells, first, issues)
    : { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
  if (issues.length > 0) throw new ValidationError('CSV header', issues);

  const capacity = lines.length - first;
  const columns = FIELDS.map(() => new Float64Array(capacity));
  const lineOf = new Int32Array(capacity);
  let n = 0;
  for (let li = header ? first + 1 : first; li < lines.length; li++) {
    const line = lines[li]!;
    if (line.trim() === '') continue;
    const cells = splitLine(line, delimiter);
    let ok = true;
    for (let f = 0; f < FIELDS.length; f++) {
      const field = FIELDS[f]!;
      const at = index[field];
      if (at === undefined) {
        columns[f]![n] = 0; // no volume column
        continue;
      }
      const raw = cells[at];
      const value =
        raw === undefined
          ? `missing (line has ${cells.length} fields)`
          : field === 'time'
            ? readTimestamp(raw, options.timeUnit)
            : decimalOrReason(raw);
      if (typeof value === 'string') {
        ok = false;
        issues.push({ row: li, field, reason: `line ${li + 1}: ${value}` });
      } else columns[f]![n] = value;
    }
    if (issues.length >= 100) break;
    if (ok) lineOf[n++] = li;
  }
  if (issues.length > 0) throw new ValidationError('CSV rows', issues, { truncated: issues.length >= 100 });
  const bars = emptyBars(options.symbol, options.timeframe, 0);
  bars.time = columns[0]!.slice(0, n);
  bars.open = columns[1]!.slice(0, n);
  bars.high = columns[2]!.slice(0, n);
  bars.low = columns[3]!.slice(0, n);
  bars.close = columns[4]!.slice(0, n);
  bars.volume = columns[5]!.slice(0, n);
  return validateWithLines(bars, lineOf, options, 'CSV');
}

/** Runs core's `checkBars` and re-labels its issues with source line indices and numbers. */
export function validateWithLines(
  bars: Bars,
  lineOf: Int32Array | null,
  options: ParseBarsOptions,
  what: string,
): Bars {
  const report = checkBars(bars, { requireAligned: options.requireAligned ?? false });
  if (report.valid) return bars;
  const issues = report.issues.map((issue) => {
    if (issue.row === undefined) return issue;
    const line = lineOf ? lineOf[issue.row]! : issue.row;
    return { ...issue, row: line, reason: `${lineOf ? `line ${line + 1}` : `element ${line}`}: ${issue.reason}` };
  });
  throw new ValidationError(`${what} candles for ${options.symbol} ${options.timeframe}`, issues, {
    truncated: report.truncated,
  });
}

function detectDelimiter(line: string): string {
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t', '|']) {
    const count = line.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function splitLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      cells.push(cell);
      cell = '';
      i += delimiter.length - 1;
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

function columnIndex(cells: string[], line: number, issues: ValidationIssue[]): Partial<Record<Field, number>> {
  const names = cells.map((cell) => cell.trim().toLowerCase());
  const index: Partial<Record<Field, number>> = {};
  for (const field of FIELDS) {
    const at = names.findIndex((name) => (ALIASES[field] as readonly string[]).includes(name));
    if (at >= 0) index[field] = at;
  }
  if (index.time === undefined && names[0] === '') index.time = 0;
  for (const field of FIELDS) {
    if (field !== 'volume' && index[field] === undefined) {
      issues.push({ row: line, field, reason: `line ${line + 1}: no ${field} column among ${JSON.stringify(cells)}` });
    }
  }
  return index;
}

/** A decimal number, or why the text is not one. */
export function decimalOrReason(raw: string): number | string {
  const value = parseDecimal(raw);
  return Number.isNaN(value) ? `cannot read ${JSON.stringify(raw.trim())} as a decimal number` : value;
}
