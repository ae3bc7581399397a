import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Bars, ConfigError, type ProgressCallback, type Timeframe } from '@candlelab/core';
import {
  type CandleSource,
  type CandleStore,
  CcxtSource,
  DuckDbStore,
  FileSource,
  type LoadReport,
  loadBars,
  MemoryStore,
  PostgresStore,
  SyntheticSource,
} from '@candlelab/data';
import type { StrategyConfig } from './strategyConfig.js';

type DataConfig = StrategyConfig['data'];

/** Fills `{base}`, `{quote}`, `{symbol}` and `{timeframe}` in a file source path. */
export function sourcePath(template: string, symbol: string, timeframe: Timeframe, baseDir: string): string {
  const [base = symbol, quote = ''] = symbol.split('/');
  const path = template
    .replaceAll('{base}', base)
    .replaceAll('{quote}', quote)
    .replaceAll('{symbol}', symbol.replace('/', '-'))
    .replaceAll('{timeframe}', timeframe);
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** Opens the configured candle store (relative paths resolve from `baseDir`). */
export async function openStore(config: DataConfig['store'], baseDir: string): Promise<CandleStore> {
  switch (config.kind) {
    case 'memory':
      return new MemoryStore();
    case 'duckdb': {
      const path = config.path === ':memory:' || isAbsolute(config.path) ? config.path : resolve(baseDir, config.path);
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      return DuckDbStore.open({ path });
    }
    case 'postgres':
      return PostgresStore.open({ connectionString: config.connectionString });
  }
}

function openSource(data: DataConfig, symbol: string, baseDir: string): CandleSource {
  const { source } = data;
  switch (source.kind) {
    case 'file':
      return new FileSource({
        path: sourcePath(source.path, symbol, data.timeframe, baseDir),
        symbol,
        timeframe: data.timeframe,
        id: data.exchange,
        ...(source.format ? { format: source.format } : {}),
      });
    case 'ccxt':
      return new CcxtSource({ exchange: source.exchange ?? data.exchange });
    case 'synthetic':
      return new SyntheticSource({ seed: source.seed });
  }
}

export interface SymbolBars {
  bars: Bars;
  report: LoadReport;
}

/**
 * Loads each symbol's bars store-first: whatever the store holds is read from it (milliseconds),
 * only missing ranges are fetched from the source and written back.
 */
export async function loadStrategyBars(
  data: DataConfig,
  symbols: readonly string[],
  baseDir: string,
  onProgress?: ProgressCallback,
): Promise<Map<string, SymbolBars>> {
  const store = await openStore(data.store, baseDir);
  try {
    const out = new Map<string, SymbolBars>();
    for (const [i, symbol] of symbols.entries()) {
      onProgress?.({ phase: 'load bars', done: i, total: symbols.length, detail: { symbol } });
      const result = await loadBars(
        { exchange: data.exchange, symbol, timeframe: data.timeframe, start: data.start, end: data.end },
        { store, source: openSource(data, symbol, baseDir) },
      );
      if (result.bars.time.length === 0) {
        throw new ConfigError('data', [
          { field: 'data.start', reason: `no ${symbol} ${data.timeframe} bars between start and end` },
        ]);
      }
      out.set(symbol, { bars: result.bars, report: result.report });
    }
    onProgress?.({ phase: 'load bars', done: symbols.length, total: symbols.length });
    return out;
  } finally {
    await store.close();
  }
}
