import { loadStrategy } from '../strategyConfig.js';
import { type TrainResult, trainStrategy } from '../trainStrategy.js';
import { type CommandContext, EXIT, parseOptions, requireStrategy } from './main.js';
import { formatTable, type Output, print, progressReporter } from './terminal.js';

/** `candlelab train` (and `backtest`, which stores nothing). */
export async function trainCommand(
  { args, out }: CommandContext,
  mode: { backtestOnly?: boolean } = {},
): Promise<number> {
  const { values } = parseOptions(args, {
    'no-register': { type: 'boolean', default: false },
    'require-gates': { type: 'boolean', default: false },
  });
  const loaded = loadStrategy(requireStrategy(values));
  const result = await trainStrategy(loaded, {
    ...(values.symbol ? { symbols: values.symbol } : {}),
    register: !(mode.backtestOnly || values['no-register']),
    ...(values.registry ? { registryRoot: values.registry } : {}),
    onProgress: progressReporter(out),
  });
  if (out.json) print(out, JSON.stringify(result, null, 2));
  else printTrainResult(out, result);
  return values['require-gates'] && !result.gates.passed ? EXIT.gates : EXIT.ok;
}

/** `candlelab validate`: parses the strategy file and prints what it resolves to. */
export async function validateCommand({ args, out }: CommandContext): Promise<number> {
  const { values } = parseOptions(args, {});
  const { config } = loadStrategy(requireStrategy(values));
  if (out.json) print(out, JSON.stringify({ valid: true, config }, null, 2));
  else {
    print(out, `${config.name}: valid`);
    print(
      out,
      formatTable([
        {
          part: 'data',
          value: `${config.data.symbols.join(', ')} ${config.data.timeframe} from ${config.data.source.kind}, store ${config.data.store.kind}`,
        },
        {
          part: 'features',
          value:
            'preset' in config.features
              ? `preset ${config.features.preset}`
              : `${config.features.features.length} features`,
        },
        { part: 'labels', value: config.labels.kind },
        { part: 'model', value: config.model.kind },
        { part: 'validation', value: config.validation.method },
        {
          part: 'gates',
          value:
            config.gates.length === 0
              ? 'none'
              : config.gates.map((g) => `${g.metric} ${g.op} ${g.threshold}`).join(', '),
        },
      ]),
    );
  }
  return EXIT.ok;
}

const round = (value: number) => (Number.isFinite(value) ? Number(value.toPrecision(4)) : value);
const rounded = (record: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, round(v)]));

function printTrainResult(out: Output, result: TrainResult): void {
  print(out, `\n${result.strategy} · ${result.symbols.join(', ')} ${result.timeframe}\n`);
  print(
    out,
    formatTable(
      result.data.map((d) => ({
        symbol: d.symbol,
        bars: d.bars,
        fromStore: d.fromStore,
        fetched: d.fetched,
        gaps: d.gaps,
        rowsUsed: d.rows.kept,
        dropped: d.rows.dropped,
        why: Object.entries(d.rows.droppedBy)
          .filter(([, n]) => n > 0)
          .map(([reason, n]) => `${reason} ${n}`)
          .join(', '),
      })),
    ),
  );
  print(
    out,
    `\n${result.datasetRows} rows × ${result.features} features, ${result.folds} fold(s), timings ${JSON.stringify(result.timingsMs)}\n`,
  );
  print(out, 'Out of sample (only test rows of each fold):');
  print(out, formatTable([{ ...rounded(result.oos) }]));
  print(out, '\nBacktest of out-of-sample signals vs buy-and-hold:');
  print(
    out,
    formatTable([
      { run: 'strategy', ...rounded(result.backtest) },
      { run: 'buy & hold', ...rounded(result.buyAndHold) },
    ]),
  );
  if (result.importance.length > 0) {
    print(out, '\nTop permutation importance (log-loss increase):');
    print(
      out,
      formatTable(
        result.importance.slice(0, 8).map((r) => ({ feature: r.feature, mean: round(r.mean), std: round(r.std) })),
      ),
    );
  }
  if (result.gates.results.length > 0) {
    print(out, `\nGates: ${result.gates.passed ? 'PASSED' : 'FAILED'}`);
    for (const gate of result.gates.results) print(out, `  ${gate.passed ? '✓' : '✗'} ${gate.reason}`);
  }
  if (result.model) {
    print(
      out,
      `\nModel   ${result.model.id} (stage ${result.model.stage}, fingerprint ${result.model.fingerprint.hash.slice(0, 12)})`,
    );
    print(out, `Stored  ${result.modelDir}`);
  }
  if (result.reportPath) print(out, `Report  ${result.reportPath}`);
}
