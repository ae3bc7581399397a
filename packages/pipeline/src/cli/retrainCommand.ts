import { retrainUniverse } from '../retrainUniverse.js';
import { type CommandContext, EXIT, parseOptions, requireStrategy } from './main.js';
import { formatTable, print, progressReporter } from './terminal.js';

/** `candlelab retrain`: the universe retrain, locally on worker threads or through Redis. */
export async function retrainCommand({ args, out }: CommandContext): Promise<number> {
  const { values } = parseOptions(args, {
    symbols: { type: 'string' },
    workers: { type: 'string', default: '1' },
    redis: { type: 'string' },
    queue: { type: 'string', default: 'candlelab' },
  });
  const symbols =
    values.symbols
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? values.symbol;
  const result = await retrainUniverse({
    strategyPath: requireStrategy(values),
    ...(symbols ? { symbols } : {}),
    workers: Number(values.workers),
    ...(values.redis ? { redis: values.redis, queueName: values.queue } : {}),
    ...(values.registry ? { registryRoot: values.registry } : {}),
    onProgress: progressReporter(out),
  });
  if (out.json) {
    print(out, JSON.stringify(result, null, 2));
  } else {
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
  return result.rows.some((r) => r.error) ? EXIT.failure : EXIT.ok;
}
