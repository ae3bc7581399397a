import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidParameterError } from '@candlelab/core';
import { ModelRegistry, StageSchema } from '@candlelab/registry';
import { loadStrategy } from '../strategyConfig.js';
import { type CommandContext, EXIT, parseOptions, requireArg } from './main.js';
import { formatRecord, formatTable, print } from './terminal.js';

/** The registry a command works on: `--registry`, else the strategy's `registry.root`, else `./models`. */
export function registryFor(
  values: { registry?: string | boolean; strategy?: string | boolean },
  gates?: Record<string, unknown>,
): ModelRegistry {
  if (typeof values.registry === 'string')
    return new ModelRegistry({ root: resolve(values.registry), ...(gates ? { gates } : {}) });
  if (typeof values.strategy === 'string' && existsSync(values.strategy)) {
    const { config, baseDir } = loadStrategy(resolve(values.strategy));
    return new ModelRegistry({
      root: resolve(baseDir, config.registry.root),
      gates: gates ?? { validation: config.gates },
    });
  }
  return new ModelRegistry({ root: resolve('models'), ...(gates ? { gates } : {}) });
}

/** `candlelab models list|show|promote`. */
export async function modelsCommand({ args, out }: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    stage: { type: 'string' },
    name: { type: 'string' },
    gate: { type: 'string', multiple: true },
  });
  const [action, id, stage] = positionals;
  switch (action) {
    case 'list': {
      const filter = {
        ...(values.name ? { strategy: values.name } : {}),
        ...(values.symbol?.[0] ? { symbol: values.symbol[0] } : {}),
        ...(values.stage ? { stage: StageSchema.parse(values.stage) } : {}),
      };
      const registry = registryFor(values);
      const rows = registry.list(filter).map((m) => {
        const metrics = registry.load(m.id).metrics;
        return {
          id: m.id,
          stage: m.stage,
          created: m.createdAt.slice(0, 19),
          kind: m.modelKind,
          sharpe: metrics.sharpe,
          oosAuc: metrics.oosAuc,
          trades: metrics.trades,
        };
      });
      if (out.json) print(out, JSON.stringify(rows, null, 2));
      else print(out, rows.length === 0 ? `no models in ${registry.root}` : formatTable(rows));
      return EXIT.ok;
    }
    case 'show': {
      const registry = registryFor(values);
      const model = registry.load(requireArg(id, 'id'));
      if (out.json)
        print(
          out,
          JSON.stringify(
            {
              manifest: model.manifest,
              metrics: model.metrics,
              featureImportance: model.featureImportance,
              dir: model.dir,
            },
            null,
            2,
          ),
        );
      else {
        print(out, `${model.manifest.id} · ${model.manifest.modelKind} · stage ${model.manifest.stage} · ${model.dir}`);
        print(out, `fingerprint ${model.manifest.fingerprint.hash}\n`);
        print(out, formatRecord(model.metrics));
        print(out, '\nStage history:');
        print(
          out,
          formatTable(
            model.manifest.stageHistory.map((h) => ({
              at: h.at.slice(0, 19),
              from: h.from ?? '',
              to: h.to,
              reason: h.reason,
            })),
          ),
        );
      }
      return EXIT.ok;
    }
    case 'promote': {
      const target = StageSchema.safeParse(stage);
      if (!target.success)
        throw new InvalidParameterError('stage', stage, `expected one of ${StageSchema.options.join(', ')}`);
      // Gates come from --gate (repeatable) or the strategy's gates for the validation stage.
      const registry = registryFor(values, values.gate ? { [target.data]: values.gate } : undefined);
      const result = registry.promote(requireArg(id, 'id'), target.data);
      if (out.json) print(out, JSON.stringify(result, null, 2));
      else {
        print(out, `${result.promoted ? 'promoted' : 'refused'}: ${result.from} → ${result.to}: ${result.reason}`);
        for (const gate of result.gates) print(out, `  ${gate.passed ? '✓' : '✗'} ${gate.reason}`);
      }
      return result.promoted ? EXIT.ok : EXIT.gates;
    }
    default:
      throw new InvalidParameterError('models', action, 'expected list, show <id> or promote <id> <stage>');
  }
}
