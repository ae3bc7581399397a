import { resolve } from 'node:path';
import { type Command, Option } from '@commander-js/extra-typings';
import {
  type CommandContext,
  collect,
  outputOf,
  positiveInteger,
  withOutputOptions,
  withRegistryOption,
} from './commonOptions.js';
import { EXIT } from './reportError.js';
import { formatTable, print, progressReporter } from './terminal.js';

/** `candlelab retrain`: the universe retrain, locally on worker threads or through Redis. */
export function retrainCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('retrain')
    .summary('train a universe of symbols in parallel, promote those that pass the gates')
    .description(
      "Updates every symbol's candles store-first, trains each symbol in parallel (worker threads here, or `candlelab worker` processes anywhere with --redis), then promotes to validation exactly the models that pass their gates. Exit code 1 when a symbol failed.",
    )
    .requiredOption('--strategy <file>', 'the strategy YAML file (required)')
    .option('--symbols <list>', 'comma-separated symbols (default: data.symbols)')
    .option('--symbol <symbol>', 'a symbol (repeatable; alternative to --symbols)', collect)
    .addOption(
      new Option('--workers <n>', 'worker threads on this machine (not with --redis)')
        .argParser(positiveInteger)
        .default(1)
        .conflicts('redis'),
    )
    .option('--redis <url>', 'send the jobs to this Redis queue instead (run `candlelab worker` to serve it)')
    .option('--queue <name>', 'queue name with --redis', 'candlelab');
  withRegistryOption(withOutputOptions(command)).action(async (options) => {
    const out = outputOf(context.streams, options);
    const { retrainUniverse } = await import('@candlelab/pipeline');
    const symbols =
      options.symbols
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean) ?? options.symbol;
    const result = await retrainUniverse({
      strategyPath: resolve(options.strategy),
      ...(symbols ? { symbols } : {}),
      workers: options.workers,
      ...(options.redis ? { redis: options.redis, queueName: options.queue } : {}),
      ...(options.registry ? { registryRoot: options.registry } : {}),
      onProgress: progressReporter(out),
    });
    if (out.json) print(out, JSON.stringify(result, null, 2));
    else {
      print(
        out,
        formatTable(
          result.rows.map((r) => ({
            symbol: r.symbol,
            sharpe: r.metrics.sharpe,
            trades: r.metrics.trades,
            auc: r.metrics['oos.auc'],
            gates: r.error ? 'error' : r.gatesPassed ? 'pass' : 'fail',
            stage: r.stage,
            model: r.modelId ?? r.error ?? '',
          })),
        ),
      );
      const mode = result.mode === 'queue' ? 'through the queue' : `on ${result.workers} worker thread(s)`;
      print(
        out,
        `\n${result.rows.length} symbols ${mode}: data ${(result.dataMs / 1000).toFixed(1)} s, training ${(result.trainMs / 1000).toFixed(1)} s, total ${(result.wallMs / 1000).toFixed(1)} s; ${result.rows.filter((r) => r.promoted).length} promoted`,
      );
    }
    context.exit(result.rows.some((r) => r.error) ? EXIT.failure : EXIT.ok);
  });
}
