import { InvalidParameterError } from '@candlelab/core';
import { seriesReport } from '@candlelab/data';
import { loadStrategyBars, openStore } from '../loadStrategyBars.js';
import { loadStrategy } from '../strategyConfig.js';
import { type CommandContext, EXIT, parseOptions, requireStrategy } from './main.js';
import { formatTable, print, progressReporter } from './terminal.js';

/** `candlelab data fetch|info --strategy <file>`: fill the store store-first, or show what it holds. */
export async function dataCommand({ args, out }: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, {});
  const [action] = positionals;
  const { config, baseDir } = loadStrategy(requireStrategy(values));
  const symbols = values.symbol ?? config.data.symbols;
  if (action === 'fetch') {
    const loaded = await loadStrategyBars(config.data, symbols, baseDir, progressReporter(out));
    const rows = [...loaded.entries()].map(([symbol, { bars, report }]) => ({
      symbol,
      bars: bars.time.length,
      fromStore: report.fromStore,
      fetched: report.fetched,
      gaps: report.gaps.length,
      first: new Date(bars.time[0]!).toISOString().slice(0, 16),
      last: new Date(bars.time[bars.time.length - 1]!).toISOString().slice(0, 16),
    }));
    print(out, out.json ? JSON.stringify(rows, null, 2) : formatTable(rows));
    return EXIT.ok;
  }
  if (action === 'info') {
    const store = await openStore(config.data.store, baseDir);
    try {
      const rows = [];
      for (const symbol of symbols) {
        const key = { exchange: config.data.exchange, symbol, timeframe: config.data.timeframe };
        const bars = await store.read({ ...key, start: 0, end: Number.MAX_SAFE_INTEGER });
        const coverage = await store.readCoverage(key);
        const report = seriesReport(bars);
        rows.push({
          symbol,
          bars: bars.time.length,
          first: bars.time.length ? new Date(bars.time[0]!).toISOString().slice(0, 16) : '',
          last: bars.time.length ? new Date(bars.time[bars.time.length - 1]!).toISOString().slice(0, 16) : '',
          coveredRanges: coverage.length,
          gaps: report.gaps.length,
          missingBars: report.expected - report.present,
        });
      }
      print(out, out.json ? JSON.stringify(rows, null, 2) : formatTable(rows));
    } finally {
      await store.close();
    }
    return EXIT.ok;
  }
  throw new InvalidParameterError('data', action, 'expected fetch or info');
}
