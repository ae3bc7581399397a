import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type Bars, ohlcvToBars, sliceBars, type Timeframe } from '@candlelab/core';

/** Absolute path of the repo's `fixtures/` folder (or a file inside it). */
export function fixturePath(relative = ''): string {
  return fileURLToPath(new URL(`../../../fixtures/${relative}`, import.meta.url));
}

/**
 * The `data:` section (top-level YAML) of a test strategy on the universe fixture's 1h candles
 * (`fixtures/ohlcv/binance-1h`) in a memory store: `symbols` from `start` to `end` (default
 * 2022-06-01 … 2022-08-20, which leaves bars after the training window to serve or predict).
 */
export function universeDataYaml(symbols: readonly string[], range: { start?: string; end?: string } = {}): string {
  return `data:
  symbols: [${symbols.join(', ')}]
  timeframe: 1h
  start: ${range.start ?? '2022-06-01'}
  end: ${range.end ?? '2022-08-20'}
  source: { kind: file, path: '${fixturePath('ohlcv/binance-1h')}/{base}_{quote}-{timeframe}.json.gz' }
  store: { kind: memory }`;
}

/** Raw bytes of a fixture, gunzipped when the name ends in `.gz`. */
export function readFixture(relative: string): Buffer {
  const bytes = readFileSync(fixturePath(relative));
  return relative.endsWith('.gz') ? gunzipSync(bytes) : bytes;
}

const FILE_NAME = /([A-Z0-9]+)_([A-Z0-9]+)-(\d+[mhdw])\.json(\.gz)?$/;

export interface FixtureBarsOptions {
  /** Keep only the last `last` bars. */
  last?: number;
  /** Keep only the first `first` bars. */
  first?: number;
}

/**
 * Bars from a freqtrade/ccxt-style JSON fixture such as `ohlcv/BTC_USDT-1h.json.gz`;
 * symbol and timeframe come from the file name (`BTC/USDT`, `1h`). Validated.
 */
export function loadFixtureBars(relative: string, options: FixtureBarsOptions = {}): Bars {
  const match = FILE_NAME.exec(relative);
  if (!match) throw new Error(`fixture name ${relative} is not <BASE>_<QUOTE>-<timeframe>.json[.gz]`);
  const rows = JSON.parse(readFixture(relative).toString('utf8')) as unknown[][];
  const bars = ohlcvToBars(rows, `${match[1]}/${match[2]}`, match[3] as Timeframe);
  const n = bars.time.length;
  if (options.first !== undefined) return sliceBars(bars, 0, Math.min(n, options.first));
  if (options.last !== undefined) return sliceBars(bars, Math.max(0, n - options.last), n);
  return bars;
}

/** The main real-data fixture: Binance BTC/USDT 1h, 2017-08 to 2022-10 (45,024 bars). */
export function btcHourly(options: FixtureBarsOptions = {}): Bars {
  return loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz', options);
}

/** The 10-symbol universe: the last year (8,760 bars) of ten Binance USDT pairs at 1h. */
export function universeHourly(): Bars[] {
  const dir = fixturePath('ohlcv/binance-1h');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json.gz'))
    .sort()
    .map((name) => loadFixtureBars(`ohlcv/binance-1h/${name}`));
}
