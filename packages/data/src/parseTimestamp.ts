/** Units of numeric epoch timestamps in candle files. */
export const TIME_UNITS = ['s', 'ms', 'us', 'ns'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** Times before this are refused (1970-01-01, the epoch: negative epoch times are refused too). */
const EARLIEST_TIME = 0;
/** Times from this on are refused (2100-01-01). */
const LATEST_TIME = Date.UTC(2100, 0, 1);
/** Without a declared unit, a number's unit is the one that puts it in [1990-01-01, 2100-01-01). */
const DETECTION_START = Date.UTC(1990, 0, 1);

/** Epoch ms of an epoch number in `unit`. Divisions, not multiplications by 1e-3, so exact values stay exact. */
function toMs(value: number, unit: TimeUnit): number {
  switch (unit) {
    case 's':
      return value * 1000;
    case 'ms':
      return value;
    case 'us':
      return value / 1000;
    case 'ns':
      return value / 1_000_000;
  }
}

/**
 * The number a decimal text denotes (`12`, `-1.5`, `.5`, `1e3`; surrounding blanks ignored), or NaN.
 * Unlike `Number(text)`, refuses the hexadecimal, binary and octal forms (`0x64` is not 100),
 * empty text and non-finite values.
 */
export function parseDecimal(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return Number.NaN;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return Number.NaN;
  // Number() reads only unsigned 0x/0b/0o prefixes as non-decimal: a digit 0 followed by a letter.
  const second = trimmed.charCodeAt(1);
  if (trimmed.charCodeAt(0) === 48 && ((second >= 65 && second <= 90) || (second >= 97 && second <= 122))) {
    return Number.NaN;
  }
  return value;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const YYYYMMDD = /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;

/**
 * Reads one timestamp: epoch ms, or a string saying why it cannot be read (for the error's reason).
 * Numbers (or decimal strings) are epoch times in `unit`; without a unit, the unit is detected by
 * magnitude: the one of s / ms / us / ns that puts the time in 1990–2100 (the four ranges do not
 * overlap); a number no unit places there (e.g. `20201001`, a YYYYMMDD date, which as seconds
 * would be 1970-08-23) is refused, asking for the unit. Strings may also be ISO 8601 (UTC unless
 * they carry an offset; `2024-01-02 03:04` and date-only forms are UTC). Every time must lie in
 * [1970-01-01, 2100-01-01).
 */
export function readTimestamp(raw: string | number, unit?: TimeUnit): number | string {
  let value: number;
  if (typeof raw === 'number') value = raw;
  else {
    const text = raw.trim();
    if (text === '') return 'is empty';
    value = parseDecimal(text);
    if (Number.isNaN(value)) {
      if (!ISO_DATE.test(text))
        return `cannot read ${JSON.stringify(text)} as a timestamp (epoch s/ms/us/ns or ISO 8601)`;
      const ms = Date.parse(ISO_WITHOUT_ZONE.test(text) ? `${text.replace(' ', 'T')}Z` : text);
      if (Number.isNaN(ms)) return `cannot read ${JSON.stringify(text)} as an ISO 8601 date`;
      return checkRange(ms, JSON.stringify(text));
    }
  }
  if (!Number.isFinite(value)) return `cannot read ${String(raw)} as a timestamp`;
  if (unit !== undefined) return checkRange(toMs(value, unit), `${value} ${unit}`);
  for (const candidate of TIME_UNITS) {
    const ms = toMs(value, candidate);
    if (ms >= DETECTION_START && ms < LATEST_TIME) return ms;
  }
  const hint = YYYYMMDD.test(String(raw).trim()) ? ' (it looks like a YYYYMMDD date, not an epoch time)' : '';
  return (
    `cannot tell the unit of ${value}${hint}: as seconds, milliseconds, microseconds or nanoseconds it is not ` +
    "between 1990 and 2100; declare timeUnit ('s' | 'ms' | 'us' | 'ns') or write ISO 8601 dates"
  );
}

function checkRange(ms: number, what: string): number | string {
  if (ms >= EARLIEST_TIME && ms < LATEST_TIME) return ms;
  const when = Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
  return `${what} is ${when}, outside 1970-01-01 … 2100-01-01`;
}

/**
 * Epoch ms of a timestamp (see `readTimestamp` for the accepted forms, units and range), or
 * NaN when it cannot be read, its unit cannot be told, or it lies outside 1970–2100.
 */
export function parseTimestamp(raw: string | number, unit?: TimeUnit): number {
  const result = readTimestamp(raw, unit);
  return typeof result === 'number' ? result : Number.NaN;
}
