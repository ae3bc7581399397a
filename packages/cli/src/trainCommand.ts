import { resolve } from 'node:path';
import type { TrainResult } from '@candlelab/pipeline';
import type { Command } from '@commander-js/extra-typings';
import { type CommandContext, collect, outputOf, withOutputOptions, withRegistryOption } from './commonOptions.js';
import { EXIT } from './reportError.js';
import { formatTable, type Output, print, progressReporter } from './terminal.js';

/** `candlelab train`: the whole chain, storing the model. */
export function trainCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('train')
    .summary('run the whole chain and store the model')
    .description(
      'Loads the candles (store first), builds features and labels, trains and validates walk-forward, backtests the out-of-sample signals, checks the gates and stores the model with its report.',
    )
    .requiredOption('--strategy <file>', 'the strategy YAML file (required)')
    .option('--symbol <symbol>', 'train on this symbol instead of data.symbols (repeatable)', collect)
    .option('--no-register', 'do not store the model in the registry (default: store it)')
    .option('--require-gates', 'exit with code 4 when a gate fails (default: report only)');
  withRegistryOption(withOutputOptions(command)).action(async (options) => {
    const out = outputOf(context.streams, options);
    const result = await runTraining(out, options, { register: options.register });
    context.exit(options.requireGates && !result.gates.passed ? EXIT.gates : EXIT.ok);
  });
}

/** `candlelab backtest`: validation and a backtest of the out-of-sample signals, nothing stored. */
export function backtestCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('backtest')
    .summary('walk-forward validation and a backtest of the out-of-sample signals, nothing stored')
    .description(
      'Runs the same chain as train (same data, features, folds and position rule) and prints the out-of-sample metrics and the backtest, without storing a model.',
    )
    .requiredOption('--strategy <file>', 'the strategy YAML file (required)')
    .option('--symbol <symbol>', 'backtest this symbol instead of data.symbols (repeatable)', collect);
  withOutputOptions(command).action(async (options) => {
    await runTraining(outputOf(context.streams, options), options, { register: false });
  });
}

async function runTraining(
  out: Output,
  options: { strategy: string; symbol?: string[] | undefined; registry?: string | undefined },
  mode: { register: boolean },
): Promise<TrainResult> {
  const { loadStrategy, trainResultJson, trainStrategy } = await import('@candlelab/pipeline');
  const result = await trainStrategy(loadStrategy(resolve(options.strategy)), {
    ...(options.symbol ? { symbols: options.symbol } : {}),
    register: mode.register,
    ...(options.registry ? { registryRoot: options.registry } : {}),
    onProgress: progressReporter(out),
  });
  if (out.json) print(out, JSON.stringify(trainResultJson(result), null, 2));
  else printTrainResult(out, result);
  return result;
}

/** `candlelab validate`: parses the strategy file and prints what it resolves to. */
export function validateCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('validate')
    .summary('check a strategy file (no data, no training)')
    .description('Checks a strategy file; errors name the YAML path and line.')
    .requiredOption('--strategy <file>', 'the strategy YAML file (required)');
  withOutputOptions(command).action(async (options) => {
    const out = outputOf(context.streams, options);
    const { checkStrategy, loadStrategy } = await import('@candlelab/pipeline');
    const loaded = loadStrategy(resolve(options.strategy));
    checkStrategy(loaded, options.strategy);
    const { config } = loaded;
    if (out.json) {
      print(out, JSON.stringify({ valid: true, config }, null, 2));
      return;
    }
    print(out, `${config.name}: valid`);
    const features = config.features;
    print(
      out,
      formatTable([
        {
          part: 'data',
          value: `${config.data.symbols.join(', ')} ${config.data.timeframe} from ${config.data.source.kind}, store ${config.data.store.kind}`,
        },
        {
          part: 'features',
          value: 'preset' in features ? `preset ${features.preset}` : `${features.features.length} features`,
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
  });
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
  const day = (time: number) => new Date(time).toISOString().slice(0, 10);
  print(
    out,
    `\n${result.datasetRows} rows × ${result.features} features, ${result.folds.length} fold(s) on ${result.workers} thread(s), out of sample ${day(result.oosStart)} → ${day(result.oosEnd)} (${result.oosRows} rows)`,
  );
  print(out, `timings (ms) ${JSON.stringify(result.timingsMs)}\n`);
  if (result.ppo) {
    print(out, 'PPO agent vs baselines on the same out-of-sample windows (equal-weight over the symbols):');
    const { agent, buyAndHold, random, seedSpread } = result.ppo.oos;
    print(
      out,
      formatTable([
        { policy: 'agent', ...rounded({ ...agent }) },
        { policy: 'buy & hold', ...rounded({ ...buyAndHold }) },
        { policy: 'random', ...rounded({ ...random }) },
        {
          policy: 'agent, worst seed',
          sharpe: round(seedSpread.sharpe.min),
          totalReturn: round(seedSpread.totalReturn.min),
        },
        {
          policy: 'agent, best seed',
          sharpe: round(seedSpread.sharpe.max),
          totalReturn: round(seedSpread.totalReturn.max),
        },
      ]),
    );
  } else {
    print(out, 'Out of sample (only test rows of each fold):');
    print(out, formatTable([{ ...rounded(result.oos) }]));
  }
  print(out, '\nBacktest of out-of-sample signals vs buy-and-hold:');
  print(
    out,
    formatTable([
      { run: 'strategy', ...rounded(result.backtest) },
      { run: 'buy & hold', ...rounded(result.buyAndHold) },
    ]),
  );
  if (result.perSymbol.length > 1) {
    print(out, '\nPer symbol (out of sample; the portfolio above is their equal-weight mix):');
    print(
      out,
      formatTable(
        result.perSymbol.map((r) => ({
          symbol: r.symbol,
          oosRows: r.oosRows,
          auc: round(r.oos.auc ?? Number.NaN),
          totalReturn: round(r.backtest.totalReturn),
          sharpe: round(r.backtest.sharpe),
          maxDrawdown: round(r.backtest.maxDrawdown),
          trades: r.backtest.trades,
          winRate: round(r.backtest.winRate),
          buyAndHold: round(r.buyAndHold.totalReturn),
        })),
      ),
    );
  }
  print(out, '\nPer fold (each scored on its own test window):');
  print(
    out,
    formatTable(
      result.folds.map((f) => ({
        fold: f.fold + 1,
        trainRows: f.trainRows,
        testRows: f.testRows,
        test: `${day(f.testStart)} → ${day(f.testEnd)}`,
        ...rounded(f.metrics),
      })),
    ),
  );
  if (result.shadow) {
    const { summary, patterns } = result.shadow;
    print(
      out,
      `\nShadow trades: ${summary.count} entries simulated, win rate ${round(summary.winRate)} (confidence ${round(summary.confidence)}), mean return ${round(summary.meanReturn)}, left on the table ${round(summary.meanLeftOnTable)}`,
    );
    print(
      out,
      formatTable(
        patterns.map((p) => ({
          pattern: p.pattern + 1,
          trades: p.count,
          winRate: round(p.winRate),
          confidence: round(p.confidence),
          meanReturn: round(p.meanReturn),
        })),
      ),
    );
  }
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
  if (result.predictionsPath) print(out, `Signals ${result.predictionsPath}`);
}
