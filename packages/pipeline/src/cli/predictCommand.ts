import { type Signal, SignalSchema, StoreError } from '@candlelab/core';
import { computeFeatures, standardFeatureSet } from '@candlelab/features';
import { loadStrategyBars } from '../loadStrategyBars.js';
import { loadModel } from '../modelStage.js';
import { loadStrategy } from '../strategyConfig.js';
import { type CommandContext, EXIT, parseOptions, requireStrategy } from './main.js';
import { registryFor } from './modelsCommand.js';
import { formatRecord, print } from './terminal.js';

/**
 * `candlelab predict`: the latest model of the strategy (or `--model <id>`) on the latest bars
 * of the configured range → a core `Signal` with the model's confidence.
 */
export async function predictCommand({ args, out }: CommandContext): Promise<number> {
  const { values } = parseOptions(args, { model: { type: 'string' } });
  const loaded = loadStrategy(requireStrategy(values));
  const { config } = loaded;
  const symbol = values.symbol?.[0] ?? config.data.symbols[0]!;
  const registry = registryFor(values);
  const manifest = values.model
    ? registry.load(values.model).manifest
    : registry.latest({ strategy: config.name, symbol });
  if (!manifest)
    throw new StoreError(
      `no model of strategy ${config.name} for ${symbol} in ${registry.root}: run candlelab train first`,
    );
  const stored = registry.load(manifest.id);
  const model = await loadModel(stored.model);
  const bars = (await loadStrategyBars(config.data, [symbol], loaded.baseDir)).get(symbol)!.bars;
  const featureSet = 'preset' in config.features ? standardFeatureSet() : config.features;
  const { columns, names } = computeFeatures(bars, featureSet);
  const last = bars.time.length - 1;
  const row = Float64Array.from(columns, (column) => column[last]!);
  const proba = model.predictProba({ data: row, rows: 1, cols: names.length });
  const numClasses = proba.length;
  const up = proba[numClasses - 1]!;
  const down = numClasses === 2 ? 1 - up : proba[0]!;
  const threshold = config.backtest.entryThreshold;
  const action: Signal['action'] =
    up >= threshold ? 'buy' : config.backtest.allowShort && down >= threshold ? 'sell' : 'hold';
  const signal = SignalSchema.parse({
    time: bars.time[last]!,
    symbol,
    action,
    confidence: action === 'buy' ? up : action === 'sell' ? down : Math.max(...proba),
    source: manifest.id,
  });
  if (out.json) print(out, JSON.stringify({ signal, probabilities: Array.from(proba) }, null, 2));
  else
    print(
      out,
      formatRecord({
        ...signal,
        time: new Date(signal.time).toISOString(),
        probabilities: Array.from(proba, (p) => p.toFixed(3)).join(' '),
      }),
    );
  return EXIT.ok;
}
