import type { Stage } from '@candlelab/registry';
import type { Command } from '@commander-js/extra-typings';
import { type CommandContext, outputOf, withOutputOptions, withRegistryOption } from './commonOptions.js';
import { registryFor } from './registryFor.js';
import { EXIT } from './reportError.js';
import { formatRecord, formatTable, print } from './terminal.js';

const STRATEGY_HELP = 'a strategy file (its name and registry.root) or a strategy name';

/** `candlelab models list|show|promote`: registry queries and gated promotion. */
export function modelsCommand(program: Command, context: CommandContext): void {
  const models = program.command('models').summary('list, show and promote the models in the registry');

  const list = models
    .command('list')
    .summary('list models (newest version last), filtered')
    .option('--strategy <file-or-name>', `only models of this strategy: ${STRATEGY_HELP}`)
    .option('--symbol <symbol>', 'only models of this symbol, as written in the strategy (BTC/USDT)')
    .option('--stage <stage>', 'only models in this lifecycle stage (discovery, validation, paper, …)')
    .option('--timeframe <timeframe>', 'only models of this timeframe (1h, 4h, …)');
  withRegistryOption(withOutputOptions(list)).action(async (options) => {
    const out = outputOf(context.streams, options);
    const stage = options.stage === undefined ? undefined : await parseStage(options.stage, '--stage');
    const { store, strategyName } = await registryFor(options);
    try {
      const filter = {
        ...(strategyName !== undefined ? { strategy: strategyName } : {}),
        ...(options.symbol !== undefined ? { symbol: options.symbol } : {}),
        ...(options.timeframe !== undefined ? { timeframe: options.timeframe } : {}),
        ...(stage !== undefined ? { stage } : {}),
      };
      const rows = [];
      for (const manifest of await store.list(filter)) {
        const { metrics } = await store.load(manifest.id);
        rows.push({
          id: manifest.id,
          stage: manifest.stage,
          created: manifest.createdAt.slice(0, 19),
          kind: manifest.modelKind,
          sharpe: metrics.sharpe,
          oosAuc: metrics.oosAuc,
          trades: metrics.trades,
        });
      }
      if (out.json) print(out, JSON.stringify(rows, null, 2));
      else print(out, rows.length === 0 ? `no models match in ${store.location}` : formatTable(rows));
    } finally {
      await store.close();
    }
  });

  const show = models
    .command('show')
    .summary("one model's manifest, metrics and stage history")
    .argument('<id>', 'model id: <strategy>/<symbol>_<timeframe>_v<N>')
    .option('--strategy <file>', 'read the registry named by this strategy file');
  withRegistryOption(withOutputOptions(show)).action(async (id, options) => {
    const out = outputOf(context.streams, options);
    const { store } = await registryFor(options);
    const model = await store.load(id).finally(() => store.close());
    const { manifest, metrics, featureImportance } = model;
    if (out.json) {
      print(out, JSON.stringify({ manifest, metrics, featureImportance, location: store.location }, null, 2));
      return;
    }
    print(out, `${manifest.id} · ${manifest.modelKind} · stage ${manifest.stage} · in ${store.location}`);
    print(out, `fingerprint ${manifest.fingerprint.hash}\n`);
    print(out, formatRecord(metrics));
    const gates = Object.entries(manifest.gates);
    if (gates.length > 0) {
      print(out, '\nGates stored with the model:');
      print(out, formatTable(gates.map(([stage, expressions]) => ({ stage, gates: (expressions ?? []).join(', ') }))));
    }
    print(out, '\nStage history:');
    print(
      out,
      formatTable(
        manifest.stageHistory.map((change) => ({
          at: change.at.slice(0, 19),
          from: change.from ?? '',
          to: change.to,
          reason: change.reason,
          forced: change.forced ? `by ${change.by ?? '?'}` : '',
        })),
      ),
    );
  });

  const promote = models
    .command('promote')
    .summary('move a model to another lifecycle stage, if its gates pass')
    .description(
      'Moves a model to another lifecycle stage. The move must be allowed (discovery → validation → paper → mature, …) and the gates the model was trained with must pass on its stored metrics; otherwise nothing changes and the exit code is 4. --force overrides failing gates (never a forbidden move); it needs --reason, and the override is recorded in the stage history.',
    )
    .argument('<id>', 'model id: <strategy>/<symbol>_<timeframe>_v<N>')
    .argument('<stage>', 'target stage (discovery, validation, paper, mature, decay, retired)')
    .option('--strategy <file>', 'read the registry named by this strategy file')
    .option('--force', 'promote even though gates fail (default: gates must pass)')
    .option('--reason <text>', 'why (required with --force); recorded in the stage history')
    .option('--by <name>', 'who asks, recorded in the stage history (default: the OS user name)');
  withRegistryOption(withOutputOptions(promote)).action(async (id, stageText, options) => {
    const out = outputOf(context.streams, options);
    const { ConfigError } = await import('@candlelab/core');
    if (options.force && !options.reason?.trim())
      throw new ConfigError('command line', [
        { field: '--reason', reason: 'required with --force: say why the gates are overridden' },
      ]);
    const { store } = await registryFor(options);
    const result = await store
      .promote(id, await parseStage(stageText, 'stage'), {
        ...(options.reason ? { reason: options.reason } : {}),
        ...(options.by ? { by: options.by } : {}),
        ...(options.force ? { force: true } : {}),
      })
      .finally(() => store.close());
    if (out.json) print(out, JSON.stringify(result, null, 2));
    else {
      print(out, `${result.promoted ? 'promoted' : 'refused'}: ${result.from} → ${result.to}: ${result.reason}`);
      for (const gate of result.gates) print(out, `  ${gate.passed ? '✓' : '✗'} ${gate.reason}`);
    }
    if (result.forced)
      out.stderr.write(
        `candlelab: warning: FORCED promotion of ${id} to ${result.to} over failing gates (${result.failed.join('; ')}): ${options.reason}; recorded in the stage history\n`,
      );
    context.exit(result.promoted ? EXIT.ok : EXIT.gates);
  });
}

/** A lifecycle stage named on the command line (a usage error naming `argument` otherwise). */
async function parseStage(text: string, argument: string): Promise<Stage> {
  const { InvalidParameterError } = await import('@candlelab/core');
  const { StageSchema } = await import('@candlelab/registry');
  const parsed = StageSchema.safeParse(text);
  if (!parsed.success)
    throw new InvalidParameterError(argument, text, `expected one of ${StageSchema.options.join(', ')}`);
  return parsed.data;
}
