import type { ProgressEvent } from '@candlelab/core';

/** Where the CLI writes: results to stdout, progress and diagnostics to stderr. */
export interface Output {
  /** Machine-readable mode: only one JSON document on stdout, no progress. */
  json: boolean;
  /** No progress output. */
  quiet: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export function print(out: Output, text: string): void {
  out.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Aligned plain-text table; numbers right-aligned and shortened to 4 significant digits. */
export function formatTable(rows: readonly Readonly<Record<string, unknown>>[], columns?: readonly string[]): string {
  const keys = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown): string => {
    if (value === undefined || value === null) return '';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return String(value);
      if (Number.isInteger(value)) return String(value);
      return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(4);
    }
    return String(value);
  };
  const cells = rows.map((row) => keys.map((key) => cell(row[key])));
  const widths = keys.map((key, i) => Math.max(key.length, ...cells.map((r) => r[i]!.length)));
  const numeric = keys.map((key) => rows.some((row) => typeof row[key] === 'number'));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line([...keys]), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A two-column table of name → value. */
export function formatRecord(record: Readonly<Record<string, unknown>>): string {
  return formatTable(Object.entries(record).map(([name, value]) => ({ name, value })));
}

/**
 * Turns progress events into a progress bar on an interactive terminal, or into a line per
 * phase and every 25% otherwise (CI logs). Silent in `--json` and `--quiet` modes.
 */
export function progressReporter(out: Output): (event: ProgressEvent) => void {
  if (out.json || out.quiet) return () => {};
  let lastPhase = '';
  let lastQuarter = -1;
  const started = Date.now();
  return (event) => {
    const fraction = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
    const detail = event.detail
      ? ` ${Object.entries(event.detail)
          .map(([k, v]) => `${k}=${typeof v === 'number' ? v.toPrecision(4) : v}`)
          .join(' ')}`
      : '';
    if (out.stderr.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const text = `${event.phase.padEnd(18).slice(0, 18)} ${bar} ${String(event.done).padStart(6)}/${event.total}${detail}`;
      out.stderr.write(`\r${text.slice(0, (out.stderr.columns ?? 100) - 1)}\x1b[K`);
      if (fraction >= 1) out.stderr.write('\n');
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (event.phase !== lastPhase || quarter > lastQuarter) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      out.stderr.write(`[${seconds}s] ${event.phase}: ${event.done}/${event.total}${detail}\n`);
      lastPhase = event.phase;
      lastQuarter = quarter;
    }
  };
}
