import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { type CommandContext, collect, outputOf, withOutputOptions } from './commonOptions.js';
import { formatTable, print, progressReporter } from './terminal.js';

const isoMinute = (time: number | undefined) => (time === undefined ? '' : new Date(time).toISOString().slice(0, 16));

/** `candlelab data fetch|info --strategy <file>`: fill the store store-first, or show what it holds. */
export function dataCommand(program: Command, context: CommandContext): void {
  const data = program.command('data').summary('fill the candle store or show what it holds');

  const fetch = data
    .command('fetch')
    .summary("load the strategy's candles store-first: fetch only what the store lacks")
    .requiredOption('--strategy <file>', 'the strategy YAML file (required)')
    .option('--symbol <symbol>', 'fetch this symbol instead of data.symbols (repeatable)', collect);
  withOutputOptions(fetch).action(async (options) => {
    const out = outputOf(context.streams, options);
    const { loadStrategy, loadStrategyBars } = await import('@candlelab/pipeline');
    const { config, baseDir } = loadStrategy(resolve(options.strategy));
    const loaded = await loadStrategyBars(
      config.data,
      options.symbol ?? config.data.symbols,
      baseDir,
      progressReporter(out),
    );
    const rows = [...loaded.entries()].map(([symbol, { bars, report }]) => ({
      symbol,
      bars: bars.time.length,
      fromStore: report.fromStore,
      fetched: report.fetched,
      gaps: report.gaps.length,
      first: isoMinute(bars.time[0]),
      last: isoMinute(bars.time[bars.time.length - 1]),
    }));
    print(out, out.json ? JSON.stringify(rows, null, 2) : formatTable(rows));
  });

  const info = data
    .command('info')
    .summary('bars, covered ranges and gaps the store holds for the strategy (nothing fetched)')
    .requiredOption('--strategy <file>', 'the strategy YAML file (required)')
    .option('--symbol <symbol>', 'show this symbol instead of data.symbols (repeatable)', collect);
  withOutputOptions(info).action(async (options) => {
    const out = outputOf(context.streams, options);
    const { loadStrategy, openStore } = await import('@candlelab/pipeline');
    const { seriesReport } = await import('@candlelab/data');
    const { config, baseDir } = loadStrategy(resolve(options.strategy));
    const store = await openStore(config.data.store, baseDir);
    try {
      const rows = [];
      for (const symbol of options.symbol ?? config.data.symbols) {
        const key = { exchange: config.data.exchange, symbol, timeframe: config.data.timeframe };
        const bars = await store.read({ ...key, start: 0, end: Number.MAX_SAFE_INTEGER });
        const coverage = await store.readCoverage(key);
        const report = seriesReport(bars);
        rows.push({
          symbol,
          bars: bars.time.length,
          first: isoMinute(bars.time[0]),
          last: isoMinute(bars.time[bars.time.length - 1]),
          coveredRanges: coverage.length,
          gaps: report.gaps.length,
          missingBars: report.expected - report.present,
        });
      }
      print(out, out.json ? JSON.stringify(rows, null, 2) : formatTable(rows));
    } finally {
      await store.close();
    }
  });
}
