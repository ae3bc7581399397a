import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, CandlelabError, type Classifier, type Dataset, Discrete, Rng } from '@candlelab/core';
import { Gbdt } from '@candlelab/gbdt';
import { initBackend, MlpClassifier } from '@candlelab/nn';
import { PPO } from '@candlelab/ppo';
import { ModelRegistry } from '@candlelab/registry';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A small separable dataset: enough to train real models in milliseconds. */
function dataset(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const X = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) X[i * 3 + j] = rng.normal();
    y[i] = X[i * 3]! + 0.5 * X[i * 3 + 1]! > 0 ? 1 : 0;
  }
  return { X, y, featureNames: ['a', 'b', 'c'], time: Float64Array.from({ length: n }, (_, i) => i * 60_000) };
}

/** Values an edited or damaged model file may hold in place of a number, a string or a list. */
const ODD_VALUES: unknown[] = [null, 'x', '', -1, 0, 1e308, -1e308, 1.5, 3, [], {}, [1, 2], true, 'NaN', '1e999'];

type Edit =
  | { kind: 'replace'; at: number; value: number }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: fc.nat(ODD_VALUES.length - 1) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** Every path to a leaf (or small container) of a JSON value. */
function paths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(value)) {
    // Long arrays (weights) are sampled: their first, middle and last entries.
    const picks = value.length <= 8 ? value.map((_, i) => i) : [0, value.length >> 1, value.length - 1];
    for (const i of picks) paths(value[i], [...prefix, i], out);
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) paths((value as Record<string, unknown>)[key], [...prefix, key], out);
  }
  return out;
}

/** The JSON text of `model` with one edit applied (a leaf replaced, a key deleted, or the text cut short). */
function edited(model: unknown, e: Edit): string {
  const text = JSON.stringify(model);
  if (e.kind === 'truncate') return text.slice(0, e.at % text.length);
  const copy = JSON.parse(text) as unknown;
  const all = paths(copy);
  const path = all[e.at % all.length]!;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (e.kind === 'delete') delete parent[last];
  else parent[last] = ODD_VALUES[e.value];
  // 1e999 and NaN cannot be written by JSON.stringify: spell them out as a hand-edited file would.
  return JSON.stringify(copy).replaceAll('"1e999"', '1e999');
}

const probe = { data: Float64Array.of(0.3, -1.2, 0.8, -0.1, 0.4, 2), rows: 2, cols: 3 };
let gbdt: Gbdt;
let mlp: MlpClassifier;
let ppo: PPO;

beforeAll(async () => {
  await initBackend({});
  const train = dataset(300, 1);
  gbdt = new Gbdt({ objective: 'binary', nEstimators: 5, numLeaves: 4, minDataInLeaf: 10, seed: 1 });
  gbdt.fit(train);
  mlp = new MlpClassifier({ hiddenLayers: [4], epochs: 2, seed: 1 });
  await mlp.fit(train);
  ppo = new PPO({
    spaces: { observation: new Box(-1, 1, [3]), action: new Discrete(2) },
    config: { hiddenSizes: [4, 4] },
  });
});

const dir = mkdtempSync(join(tmpdir(), 'candlelab-model-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model file fuzz', () => {
  it('edited gbdt, MLP and PPO model files load into a model that predicts finite numbers, or throw a typed error', () => {
    const counts = { inputs: 0, typedErrors: 0, accepted: 0 };
    const load: Record<string, { json: () => unknown; check: (text: string) => void }> = {
      gbdt: {
        json: () => gbdt.toJSON(),
        check: (text) => finiteProba(Gbdt.fromJSON(JSON.parse(text))),
      },
      mlp: {
        json: () => mlp.toJSON(),
        check: (text) => finiteProba(MlpClassifier.fromJSON(JSON.parse(text))),
      },
      ppo: {
        json: () => ppo.toJSON(),
        check: (text) => {
          const p = PPO.fromJSON(JSON.parse(text)).predict([0.1, -0.3, 0.7]);
          for (const v of p.probabilities!) expect(Number.isFinite(v)).toBe(true);
          expect(Number.isFinite(p.value)).toBe(true);
        },
      },
    };
    fc.assert(
      fc.property(fc.constantFrom('gbdt', 'mlp', 'ppo'), edit, (kind, e) => {
        const { json, check } = load[kind]!;
        counts.inputs++;
        try {
          check(edited(json(), e));
          counts.accepted++;
        } catch (error) {
          // JSON.parse of a cut-short text is the caller's parse, not the loader's: count it as refused input.
          if (!(error instanceof CandlelabError) && !(error instanceof SyntaxError)) throw error;
          counts.typedErrors++;
        }
      }),
      { seed: 20261204, numRuns: 1_500 },
    );
    console.log('model file fuzz:', counts);
    expect(counts.accepted + counts.typedErrors).toBe(1_500);
    expect(Math.min(counts.accepted, counts.typedErrors)).toBeGreaterThan(50);
  });

  it('edited registry files are refused with a typed error naming the file; the other models still list', () => {
    const registry = new ModelRegistry({ root: join(dir, 'registry'), onProblem: () => {} });
    const input = {
      strategy: 'fuzz',
      timeframe: '1h' as const,
      model: gbdt.toJSON(),
      metrics: { sharpe: 1 },
      config: 'name: fuzz\n',
      fingerprint: { hash: 'f'.repeat(64), parts: {} as never },
    };
    const keep = registry.register({ ...input, symbol: 'ETH/USDT' });
    const counts = { inputs: 0, typedErrors: 0, loadedValidManifest: 0 };
    fc.assert(
      fc.property(fc.constantFrom('model.json', 'manifest.json', 'metrics.json'), edit, (file, e) => {
        const manifest = registry.register({ ...input, symbol: 'BTC/USDT' });
        const path = join(registry.dirOf(manifest.id), file);
        writeFileSync(path, edited(JSON.parse(readFileSync(path, 'utf8')), e));
        counts.inputs++;
        try {
          registry.load(manifest.id);
          // The manifest holds the artifacts' hashes and its own seal, so a rewrite of an artifact or of a
          // manifest field is refused; what loads is an edit inside the seal's per-field hashes only
          // (they name the changed field; the manifest content they vouch for is unchanged).
          expect(file).toBe('manifest.json');
          counts.loadedValidManifest++;
        } catch (error) {
          if (!(error instanceof CandlelabError)) throw error;
          expect(error.message).toMatch(new RegExp(`${file.replace('.', '\\.')}|${manifest.id}`));
          counts.typedErrors++;
        }
        expect(registry.list({ symbol: 'ETH/USDT' }).map((m) => m.id)).toEqual([keep.id]);
      }),
      { seed: 20261204, numRuns: 150 },
    );
    console.log('registry file fuzz:', counts);
    expect(counts.typedErrors).toBeGreaterThan(100);
  });
});

function finiteProba(model: Classifier): void {
  for (const p of model.predictProba(probe)) expect(Number.isFinite(p)).toBe(true);
}
