import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@candlelab/test-utils';

/**
 * A small but complete strategy for CLI tests: 90 days of real BTC/USDT 1h candles, the standard
 * feature set, a 20-tree GBDT, three walk-forward folds on one thread, an in-memory store and a
 * registry in a temporary folder (`<dir>/models`).
 */
export function writeTestStrategy(overrides: { name?: string; gates?: string[] } = {}): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'candlelab-cli-'));
  const path = join(dir, 'strategy.yaml');
  writeFileSync(
    path,
    `name: ${overrides.name ?? 'test-gbdt'}
seed: 7
data:
  symbols: [BTC/USDT]
  timeframe: 1h
  start: 2022-06-01
  end: 2022-09-01
  source: { kind: file, path: '${fixturePath('ohlcv')}/{base}_{quote}-{timeframe}.json.gz' }
  store: { kind: memory }
features: { preset: standard }
labels: { kind: forwardReturn, horizon: 4, target: binary, upper: 0.002 }
model:
  kind: gbdt
  params: { nEstimators: 20, numLeaves: 15, minDataInLeaf: 40, learningRate: 0.1 }
validation: { method: walkForward, trainSize: 900, validationSize: 200, testSize: 300, gap: 4, workers: 1 }
importance: { repeats: 2, maxRows: 300 }
gates:
${(overrides.gates ?? ['trades >= 1']).map((g) => `  - ${g}`).join('\n')}
registry: { root: models }
`,
  );
  return { path, dir };
}
