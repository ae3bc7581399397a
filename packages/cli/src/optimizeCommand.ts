import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { type CommandContext, collect, outputOf, positiveInteger, withOutputOptions } from './commonOptions.js';
import { formatTable, print } from './terminal.js';

const SAMPLERS = ['tpe', 'random', 'grid'] as const;

function sampler(value: string): (typeof SAMPLERS)[number] {
  const found = SAMPLERS.find((s) => s === value);
  if (!found) throw new InvalidArgumentError(`expected one of ${SAMPLERS.join(', ')}`);
  return found;
}

/**
 * `candlelab optimize`: searches parameters of a strategy file (dotted paths such as
 * `model.params.learningRate`) with `@candlelab/optimize`; each trial trains the strategy
 * walk-forward (any model kind, PPO included) and is scored on an out-of-sample metric.
 */
export function optimizeCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('optimize')
    .summary('search strategy parameters on an out-of-sample metric')
    .requiredOption('--strategy <file>', 'the strategy YAML file (required)')
    .requiredOption(
      '--space <file>',
      'search space YAML/JSON: dotted strategy paths → { type, low, high | choices } (required)',
    )
    .option('--objective <metric>', 'metric to optimise, any gate metric', 'sharpe')
    .option('--minimize', 'minimise the objective (default: maximise)')
    .option('--sampler <name>', 'tpe | random | grid (default tpe)', sampler)
    .option('--trials <n>', 'number of trials (default 20; grid: the grid size)', positiveInteger)
    .option('--seed <n>', "sampler seed (default: the strategy's seed)", positiveInteger)
    .option('--constraint <gate>', 'a gate a trial must pass, e.g. "trades >= 30" (repeatable)', collect)
    .option('--storage <file>', 'JSON file of the trials (resumed when it exists)');
  withOutputOptions(command).action(async (options) => {
    const out = outputOf(context.streams, options);
    const { loadSearchSpace, loadStrategy, optimizeStrategy } = await import('@candlelab/pipeline');
    const strategy = loadStrategy(resolve(options.strategy));
    const study = await optimizeStrategy({
      strategy,
      space: loadSearchSpace(resolve(options.space)),
      objective: options.objective,
      direction: options.minimize ? 'minimize' : 'maximize',
      ...(options.sampler ? { sampler: options.sampler } : {}),
      ...(options.trials ? { nTrials: options.trials } : {}),
      ...(options.seed ? { seed: options.seed } : {}),
      ...(options.constraint ? { constraints: options.constraint } : {}),
      ...(options.storage ? { storage: resolve(options.storage) } : {}),
      onTrial: (trial) => {
        if (!out.json && !out.quiet)
          out.stderr.write(
            `trial ${trial.number + 1}: ${trial.state} ${options.objective} ${trial.value ?? trial.error}\n`,
          );
      },
    });
    if (out.json) {
      print(out, JSON.stringify(study, null, 2));
      return;
    }
    print(
      out,
      formatTable(
        study.trials.map((t) => ({ trial: t.number + 1, state: t.state, [options.objective]: t.value, ...t.params })),
      ),
    );
    print(
      out,
      study.best
        ? `best: trial ${study.best.number + 1}, ${options.objective} ${study.best.value}`
        : 'no feasible trial',
    );
  });
}
