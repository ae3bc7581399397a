import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type Bars,
  CandlelabError,
  ConfigError,
  concatBars,
  emptyBars,
  isTimeframe,
  NotEnoughDataError,
  sliceBars,
  type Timeframe,
  type ValidationIssue,
} from '@candlelab/core';
import { FileSource } from '@candlelab/data';

/** A candle file and the one series it holds. */
export interface DataFile {
  /** `.csv` or `.json`, optionally gzipped (`.gz`); formats as `@candlelab/data`'s `FileSource` reads them. */
  path: string;
  symbol: string;
  timeframe: Timeframe;
}

/** Binance BTC/USDT 1h candles bundled with the repo, 2017-08 → 2022-10 (see fixtures/README.md). */
export const BUNDLED_BTC_HOURLY: DataFile = {
  path: fileURLToPath(new URL('../../../fixtures/ohlcv/BTC_USDT-1h.json.gz', import.meta.url)),
  symbol: 'BTC/USDT',
  timeframe: '1h',
};

/** The flags every example takes. */
export const DATA_USAGE = '[--data FILE.csv|.json[.gz] --symbol SYMBOL --timeframe TIMEFRAME]';

const COMMAND_LINE = 'command line';

/**
 * The candle file named by `--data FILE --symbol S --timeframe T`, or `defaults` (the bundled
 * BTC/USDT hourly fixture) when `--data` is absent. `--symbol` and `--timeframe` describe the file,
 * so both are required with `--data` and refused without it; unknown flags are refused too
 * (`ConfigError` naming the flag). A lone `--` (as `pnpm start -- …` may pass) is ignored.
 */
export function parseDataArgs(argv: readonly string[], defaults: DataFile = BUNDLED_BTC_HOURLY): DataFile {
  let values: { data?: string; symbol?: string; timeframe?: string };
  try {
    ({ values } = parseArgs({
      args: argv.filter((arg) => arg !== '--'),
      options: { data: { type: 'string' }, symbol: { type: 'string' }, timeframe: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ConfigError(COMMAND_LINE, [{ reason: `${(error as Error).message}; usage: ${DATA_USAGE}` }], {
      cause: error,
    });
  }
  if (values.data === undefined) {
    const stray = (['symbol', 'timeframe'] as const).filter((flag) => values[flag] !== undefined);
    if (stray.length > 0)
      throw new ConfigError(
        COMMAND_LINE,
        stray.map((flag) => ({ field: `--${flag}`, reason: 'describes the --data file; give --data too' })),
      );
    return defaults;
  }
  const issues: ValidationIssue[] = [];
  if (values.symbol === undefined)
    issues.push({ field: '--symbol', reason: `the symbol of the candles in ${values.data} is required` });
  if (values.timeframe === undefined)
    issues.push({ field: '--timeframe', reason: `the timeframe of the candles in ${values.data} is required` });
  else if (!isTimeframe(values.timeframe))
    issues.push({
      field: '--timeframe',
      reason: `'${values.timeframe}' is not a timeframe such as 1m, 15m, 1h, 4h, 1d`,
    });
  if (issues.length > 0) throw new ConfigError(COMMAND_LINE, issues);
  return { path: values.data, symbol: values.symbol!, timeframe: values.timeframe as Timeframe };
}

/** Bar opens the parsers accept end before 2100-01-01. */
const END_OF_TIME = Date.UTC(2100, 0, 1);

export interface LoadDataOptions {
  /** Keep only the most recent bars. Default: every bar of the file. */
  lastBars?: number;
  /** Fewest bars the example needs (`NotEnoughDataError` naming the file otherwise). Default 1. */
  minBars?: number;
}

/**
 * Every bar of a candle file, read and validated by `FileSource` (unreadable files, damaged gzip
 * and bad rows are typed errors naming the file and row).
 */
export async function loadDataFile(file: DataFile, options: LoadDataOptions = {}): Promise<Bars> {
  const source = new FileSource({ path: file.path, symbol: file.symbol, timeframe: file.timeframe });
  const pages: Bars[] = [emptyBars(file.symbol, file.timeframe)];
  for await (const page of source.fetch({ symbol: file.symbol, timeframe: file.timeframe, start: 0, end: END_OF_TIME }))
    pages.push(page.bars);
  const bars = concatBars(pages);
  const n = bars.time.length;
  const minBars = options.minBars ?? 1;
  if (n < minBars) throw new NotEnoughDataError(`${file.path} (${file.symbol} ${file.timeframe})`, minBars, n);
  return options.lastBars === undefined ? bars : sliceBars(bars, Math.max(0, n - options.lastBars), n);
}

/**
 * The command-line entry of an example: parses the data flags, runs `main` on the chosen file and
 * prints what it returns. A relative `--data` path is taken from the folder the command was typed
 * in (`INIT_CWD` under `pnpm --filter … start`, which runs in the example's folder). A candlelab
 * error is printed as one line (exit code 1) instead of a stack.
 */
export async function runExampleCli(
  main: (data: DataFile) => Promise<string>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  try {
    const data = parseDataArgs(argv);
    console.log(await main({ ...data, path: resolve(process.env.INIT_CWD ?? process.cwd(), data.path) }));
  } catch (error) {
    if (!(error instanceof CandlelabError)) throw error;
    console.error(`${error.name}: ${error.message}`);
    process.exitCode = 1;
  }
}
