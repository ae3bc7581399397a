import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { type CommandContext, outputOf, withOutputOptions, withRegistryOption } from './commonOptions.js';
import { registryFor } from './registryFor.js';
import { formatRecord, print } from './terminal.js';

/**
 * `candlelab predict`: the strategy's newest model for the symbol (or `--model <id>`) on the
 * latest bars → a core `Signal`, decided by the same position rule as the backtest.
 */
export function predictCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('predict')
    .summary('latest model on the latest bars → a signal with confidence')
    .requiredOption('--strategy <file>', 'the strategy YAML file (required)')
    .option('--symbol <symbol>', 'the symbol to predict (default: the first of data.symbols)')
    .option('--model <id>', "model id to use (default: the strategy's newest model trained on the symbol)");
  withRegistryOption(withOutputOptions(command)).action(async (options) => {
    const out = outputOf(context.streams, options);
    const { loadStrategy, predictSignal } = await import('@candlelab/pipeline');
    const strategy = loadStrategy(resolve(options.strategy));
    const { store } = await registryFor(options);
    const predicted = await predictSignal({
      strategy,
      store,
      ...(options.symbol ? { symbol: options.symbol } : {}),
      ...(options.model ? { modelId: options.model } : {}),
    }).finally(() => store.close());
    const { signal, classes, missingFeatures } = predicted;
    const probabilities = Array.from(predicted.probabilities);
    // Hybrid strategies: the entry's direction, the allocator's size, and its probability of each size.
    const sizing = predicted.sizing && {
      ...predicted.sizing,
      probabilities: Array.from(predicted.sizing.probabilities),
    };
    if (out.json) {
      print(
        out,
        JSON.stringify(
          {
            signal,
            probabilities,
            classes,
            missingFeatures,
            ...(sizing ? { sizing } : {}),
            // Portfolio allocators: every symbol's target weight and cash.
            ...(predicted.weights ? { weights: predicted.weights } : {}),
          },
          null,
          2,
        ),
      );
      return;
    }
    print(
      out,
      formatRecord({
        ...signal,
        time: new Date(signal.time).toISOString(),
        probabilities: classes.map((name, k) => `${name} ${probabilities[k]!.toFixed(3)}`).join(', '),
        ...(missingFeatures.length > 0 ? { missingFeatures: missingFeatures.join(', ') } : {}),
        ...(sizing
          ? {
              direction: sizing.direction,
              size: sizing.size,
              position: sizing.position,
              sizeProbabilities: sizing.sizes
                .map((size, k) => `${size} ${sizing.probabilities[k]!.toFixed(3)}`)
                .join(', '),
            }
          : {}),
      }),
    );
  });
}
