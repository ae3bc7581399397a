import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@candlelab/test-utils';

/**
 * A small but complete strategy for tests: 90 days of real BTC/USDT 1h candles, the standard
 * feature set, a 20-tree GBDT, three walk-forward folds, an in-memory store and a registry in a
 * temporary folder. Returns the strategy file's path.
 */
export function writeTestStrategy(
  overrides: {
    name?: string;
    model?: string;
    gates?: string[];
    /** Symbols of the 10-symbol universe fixture (fixtures/ohlcv/binance-1h) instead of the BTC series. */
    universe?: string[];
    /** Walk-forward worker threads (default 1: tests stay on one core unless they ask). */
    workers?: number;
    /** More top-level YAML appended as is (e.g. a `shadow:` section). */
    extra?: string;
    /** The candle store (YAML flow mapping). Default `{ kind: memory }`. */
    store?: string;
  } = {},
): {
  path: string;
  dir: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'candlelab-pipeline-'));
  const path = join(dir, 'strategy.yaml');
  writeFileSync(
    path,
    `name: ${overrides.name ?? 'test-gbdt'}
seed: 7
data:
  symbols: [${(overrides.universe ?? ['BTC/USDT']).join(', ')}]
  timeframe: 1h
  start: 2022-06-01
  end: 2022-09-01
  source: { kind: file, path: '${fixturePath('ohlcv')}${overrides.universe ? '/binance-1h' : ''}/{base}_{quote}-{timeframe}.json.gz' }
  store: ${overrides.store ?? '{ kind: memory }'}
features: { preset: standard }
labels: { kind: forwardReturn, horizon: 4, target: binary, upper: 0.002 }
model:
${overrides.model ?? '  kind: gbdt\n  params: { nEstimators: 20, numLeaves: 15, minDataInLeaf: 40, learningRate: 0.1 }'}
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 4, workers: ${overrides.workers ?? 1} }
importance: { repeats: 2, maxRows: 300 }
gates:
${(overrides.gates ?? ['trades >= 1']).map((g) => `  - ${g}`).join('\n')}
registry: { root: models }
${overrides.extra ?? ''}
`,
  );
  return { path, dir };
}
