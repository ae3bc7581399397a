import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lowerBound, timeframeToMs } from '@candlelab/core';
import { DuckDbStore, FileSource, type LoadReport, loadBars } from '@candlelab/data';
import { BUNDLED_BTC_HOURLY, type DataFile, loadDataFile, runExampleCli } from '@candlelab/example-data';

const DAY_MS = 86_400_000;

export interface LoaderExampleOptions {
  /** The candle file the source reads. Default: the bundled Binance BTC/USDT 1h fixture. */
  data?: DataFile;
  /** DuckDB file. Default: a fresh file in a temporary folder, removed afterwards. */
  dbPath?: string;
  /** First bar wanted, UTC ms. Default: `days + extendDays` days before the file's last bar. */
  start?: number;
  /** Days loaded by the first two runs. Default 180. */
  days?: number;
  /** Days the third run extends the range by (only these are fetched). Default 30. */
  extendDays?: number;
}

/** One call of the loader. */
export interface LoadRun {
  label: string;
  start: number;
  end: number;
  bars: number;
  firstTime: number;
  lastTime: number;
  /** Sum of the closes (to show that every run returned the same bars). */
  closeSum: number;
  report: LoadReport;
  ms: number;
}

export interface LoaderExampleResult {
  dbPath: string;
  runs: [LoadRun, LoadRun, LoadRun];
}

/**
 * The database-first loader on real candles: the first run finds an empty DuckDB store, reads the
 * range from the file source and writes it back; the second run (a new store connection, as in a
 * new process) reads everything from the store and fetches nothing; the third asks for a longer
 * range and fetches only the part never fetched.
 */
export async function run(options: LoaderExampleOptions = {}): Promise<LoaderExampleResult> {
  const data = options.data ?? BUNDLED_BTC_HOURLY;
  const days = options.days ?? 180;
  const extendDays = options.extendDays ?? 30;
  const start = options.start ?? (await defaultStart(data, days + extendDays));
  const end = start + days * DAY_MS;
  const extendedEnd = end + extendDays * DAY_MS;
  const tempDir = options.dbPath === undefined ? mkdtempSync(join(tmpdir(), 'candlelab-loader-')) : undefined;
  const dbPath = options.dbPath ?? join(tempDir!, 'candles.duckdb');
  const request = { exchange: 'file', symbol: data.symbol, timeframe: data.timeframe };

  const loadOnce = async (label: string, from: number, to: number): Promise<LoadRun> => {
    const store = await DuckDbStore.open({ path: dbPath });
    try {
      const source = new FileSource({ path: data.path, symbol: data.symbol, timeframe: data.timeframe });
      const started = performance.now();
      const { bars, report } = await loadBars({ ...request, start: from, end: to }, { store, source });
      const ms = performance.now() - started;
      let closeSum = 0;
      for (let i = 0; i < bars.close.length; i++) closeSum += bars.close[i]!;
      const n = bars.time.length;
      return {
        label,
        start: from,
        end: to,
        bars: n,
        firstTime: n > 0 ? bars.time[0]! : Number.NaN,
        lastTime: n > 0 ? bars.time[n - 1]! : Number.NaN,
        closeSum,
        report,
        ms,
      };
    } finally {
      await store.close();
    }
  };

  try {
    const first = await loadOnce('first run (empty store)', start, end);
    const second = await loadOnce('second run (same range)', start, end);
    const third = await loadOnce('third run (range extended)', start, extendedEnd);
    return { dbPath, runs: [first, second, third] };
  } finally {
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** The bar open `spanDays` before the end of the file's last bar (or its first bar, if the file is shorter). */
async function defaultStart(data: DataFile, spanDays: number): Promise<number> {
  const bars = await loadDataFile(data);
  const n = bars.time.length;
  const end = bars.time[n - 1]! + timeframeToMs(data.timeframe);
  const wanted = end - spanDays * DAY_MS;
  return wanted <= bars.time[0]! ? bars.time[0]! : bars.time[Math.min(lowerBound(bars.time, wanted), n - 1)]!;
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** A readable summary of the three runs. */
export function formatResult(result: LoaderExampleResult): string {
  const lines = [`DuckDB store: ${result.dbPath}`];
  for (const r of result.runs) {
    const { fromStore, fetched, requested, gaps } = r.report;
    lines.push(
      `${r.label.padEnd(27)} ${iso(r.start)} → ${iso(r.end)}: ${r.bars} bars (fromStore ${fromStore}, fetched ${fetched}, ` +
        `requested ${requested.map((q) => `${iso(q.start)}→${iso(q.end)}`).join(', ') || 'nothing'}, gaps ${gaps.length}) in ${r.ms.toFixed(0)} ms`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runExampleCli(async (data) => formatResult(await run({ data })));
}
