import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyBars, InvalidParameterError, ModelFormatError, StoreError } from '@candlelab/core';
import { startSourceProcess } from '@candlelab/test-utils/sourceProcess';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { modelStoreContract } from '../test/modelStoreContract.js';
import { computeFingerprint, type FingerprintInputs, hashBars } from './fingerprint.js';
import { ModelRegistry } from './ModelRegistry.js';
import type { RegisterInput, RegistryProblem } from './ModelStore.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'registry-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const inputs: FingerprintInputs = {
  data: 'abc',
  featureSet: { features: ['rsi_14', 'ret_1'] },
  labels: { kind: 'forwardReturn', horizon: 4 },
  split: { train: 0.7, validation: 0.15 },
  hyperparameters: { learningRate: 0.1, numLeaves: 31 },
  packageVersions: { '@candlelab/gbdt': '0.1.0' },
  seed: 42,
};

function input(overrides: Partial<RegisterInput> = {}): RegisterInput {
  return {
    strategy: 'trend',
    symbol: 'BTC/USDT',
    timeframe: '1h',
    model: { kind: 'gbdt', version: 1, trees: [1, 2, 3] },
    metrics: { sharpe: 1.2, winRate: 0.56, trades: 40 },
    featureImportance: [{ feature: 'rsi_14', mean: 0.02, std: 0.001 }],
    config: 'name: trend\nmodel:\n  kind: gbdt # comment kept\n',
    fingerprint: inputs,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe('ModelRegistry', () => {
  it('stores a version folder with model, metrics, importance, exact config and manifest', () => {
    const registry = new ModelRegistry({ root });
    const manifest = registry.register(input());
    expect(manifest.id).toBe('trend/BTC-USDT_1h_v1');
    expect(readdirSync(join(root, 'trend', 'BTC-USDT_1h_v1')).sort()).toEqual([
      'config.yaml',
      'feature_importance.json',
      'manifest.json',
      'metrics.json',
      'model.json',
    ]);
    const loaded = registry.load(manifest.id);
    expect(loaded.config).toBe('name: trend\nmodel:\n  kind: gbdt # comment kept\n');
    expect(loaded.model).toEqual({ kind: 'gbdt', version: 1, trees: [1, 2, 3] });
    expect(loaded.metrics.sharpe).toBe(1.2);
    expect(loaded.manifest).toMatchObject({ symbol: 'BTC/USDT', stage: 'discovery', seed: 42, modelKind: 'gbdt' });
    expect(loaded.manifest.fingerprint).toEqual(computeFingerprint(inputs));
    expect(registry.register(input()).version).toBe(2);
  });

  it('gives the same fingerprint and model bytes for the same inputs, different ones otherwise', () => {
    const registry = new ModelRegistry({ root });
    const a = registry.register(input());
    const b = registry.register(input({ createdAt: new Date('2026-02-01T00:00:00Z') }));
    expect(a.fingerprint.hash).toBe(b.fingerprint.hash);
    const bytes = (id: string) => readFileSync(join(registry.dirOf(id), 'model.json'));
    expect(bytes(a.id).equals(bytes(b.id))).toBe(true);
    const changed = computeFingerprint({ ...inputs, hyperparameters: { numLeaves: 31, learningRate: 0.05 } });
    expect(changed.hash).not.toBe(a.fingerprint.hash);
    expect(changed.parts.data).toBe(a.fingerprint.parts.data);
    expect(changed.parts.hyperparameters).not.toBe(a.fingerprint.parts.hyperparameters);
    // Key order does not matter; values do.
    expect(computeFingerprint({ ...inputs, labels: { horizon: 4, kind: 'forwardReturn' } }).hash).toBe(
      a.fingerprint.hash,
    );
  });

  it('hashes bars by content', () => {
    const bars = emptyBars('BTC/USDT', '1h', 3);
    const before = hashBars(bars);
    bars.close[2] = 1e-300;
    expect(hashBars(bars)).not.toBe(before);
  });

  it('lists, finds the latest and the best model by a metric', () => {
    const registry = new ModelRegistry({ root });
    registry.register(input({ metrics: { sharpe: 0.5 } }));
    registry.register(input({ metrics: { sharpe: 1.9 }, createdAt: new Date('2026-01-02T00:00:00Z') }));
    registry.register(
      input({ symbol: 'ETH/USDT', metrics: { sharpe: 1.1 }, createdAt: new Date('2026-01-03T00:00:00Z') }),
    );
    registry.register(input({ strategy: 'meanrev', metrics: { maxDrawdown: 0.1 } }));
    expect(registry.list().map((m) => m.id)).toEqual([
      'meanrev/BTC-USDT_1h_v1',
      'trend/BTC-USDT_1h_v1',
      'trend/BTC-USDT_1h_v2',
      'trend/ETH-USDT_1h_v1',
    ]);
    expect(registry.list({ symbol: 'BTC/USDT', strategy: 'trend' })).toHaveLength(2);
    expect(registry.latest({ strategy: 'trend' })?.id).toBe('trend/ETH-USDT_1h_v1');
    expect(registry.latest({ symbol: 'BTC/USDT', strategy: 'trend' })?.id).toBe('trend/BTC-USDT_1h_v2');
    expect(registry.best('sharpe')?.id).toBe('trend/BTC-USDT_1h_v2');
    expect(registry.best('sharpe', { direction: 'min' })?.id).toBe('trend/BTC-USDT_1h_v1');
    expect(registry.best('maxDrawdown', { direction: 'min' })?.id).toBe('meanrev/BTC-USDT_1h_v1');
    expect(registry.latest({ strategy: 'none' })).toBeUndefined();
  });

  it('promotes only through the configured gates and records the history', () => {
    const registry = new ModelRegistry({
      root,
      gates: { validation: ['sharpe > 1.5', 'winRate > 0.55'], paper: ['trades >= 30'] },
    });
    const { id } = registry.register(input());
    const refused = registry.promote(id, 'validation');
    expect(refused.promoted).toBe(false);
    expect(refused.reason).toMatch(/sharpe = 1.2 fails sharpe > 1.5/);
    expect(registry.load(id).manifest.stage).toBe('discovery');

    const skip = registry.promote(id, 'mature');
    expect(skip).toMatchObject({
      promoted: false,
      reason: 'cannot move from discovery to mature (allowed: validation, retired)',
    });

    const passed = registry.promote(id, 'validation', {
      metrics: { sharpe: 1.7 },
      at: new Date('2026-03-01T00:00:00Z'),
    });
    expect(passed.promoted).toBe(true);
    expect(passed.gates.map((g) => g.passed)).toEqual([true, true]);
    expect(registry.promote(id, 'paper').promoted).toBe(true);
    expect(registry.promote(id, 'retired', { reason: 'replaced' }).promoted).toBe(true);
    expect(registry.promote(id, 'paper').reason).toMatch(/allowed: none/);
    const history = registry.load(id).manifest.stageHistory;
    expect(history.map((h) => `${h.from}->${h.to}`)).toEqual([
      'null->discovery',
      'discovery->validation',
      'validation->paper',
      'paper->retired',
    ]);
    expect(history[1]).toMatchObject({ at: '2026-03-01T00:00:00.000Z', reason: 'passed 2 gate(s)' });
    expect(history[1]?.gates?.map((g) => g.source)).toEqual(['registry', 'registry']);
    expect(registry.list({ stage: 'retired' })).toHaveLength(1);
  });

  it('refuses bad names, unknown ids, bad gates and corrupt manifests with typed errors', () => {
    const registry = new ModelRegistry({ root });
    expect(() => registry.register(input({ strategy: '../escape' }))).toThrow(InvalidParameterError);
    expect(() => registry.register(input({ timeframe: '1y' as never }))).toThrow(/timeframe/);
    expect(() => registry.register(input({ extraFiles: { 'model.json': 'x' } }))).toThrow(/extraFiles/);
    expect(() => registry.load('trend/BTC-USDT_1h_v9')).toThrow(StoreError);
    expect(() => registry.load('nonsense')).toThrow(InvalidParameterError);
    expect(() => new ModelRegistry({ root, gates: { paper: ['sharpe >> 1'] } })).toThrow(/gates.paper.0/);
    const { id } = registry.register(input());
    writeFileSync(join(registry.dirOf(id), 'manifest.json'), '{"formatVersion": 1}');
    expect(() => registry.load(id)).toThrow(ModelFormatError);
    rmSync(join(registry.dirOf(id), 'manifest.json'));
    expect(() => registry.load(id)).toThrow(/manifest\.json: missing/);
    expect(() => registry.promote(registry.register(input()).id, 'live' as never)).toThrow(/stage/);
    expect(() => registry.register(input({ gates: { validation: ['sharpe >> 1'] } }))).toThrow(/gates\.validation\.0/);
    expect(() => registry.register(input({ gates: { live: ['sharpe > 1'] } as never }))).toThrow(/unknown stage/);
  });

  it('never gives two concurrent writers (separate processes) the same version', async () => {
    const worker = fileURLToPath(new URL('../test/registerMany.ts', import.meta.url));
    const processes = 4;
    const perProcess = 25;
    const startAt = Date.now() + 2500;
    await Promise.all(
      Array.from({ length: processes }, async (_, w) => {
        const run = startSourceProcess(worker, [root, String(w), String(perProcess), String(startAt)]);
        const { code } = await run.exit;
        if (code !== 0) throw new Error(`worker ${w} exited ${code}: ${run.stderr()}`);
      }),
    );
    const manifests = new ModelRegistry({ root }).list({ strategy: 'race' });
    expect(manifests.map((m) => m.version)).toEqual(Array.from({ length: processes * perProcess }, (_, i) => i + 1));
    // Every registered model landed exactly once, each in its own folder with its own manifest.
    const models = manifests.map((m) => {
      const model = new ModelRegistry({ root }).load(m.id).model as unknown as { worker: number; i: number };
      return `${model.worker}:${model.i}`;
    });
    expect(new Set(models).size).toBe(processes * perProcess);
    expect(readdirSync(join(root, 'race')).filter((n) => n.startsWith('.staging'))).toEqual([]);
  });
});

modelStoreContract('file ModelRegistry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-contract-'));
  return {
    open: async (options = {}) => new ModelRegistry({ root: dir, ...options }).asStore(),
    tamper: async (id, file, content) => {
      const path = join(dir, id, file);
      if (content === undefined) rmSync(path);
      else writeFileSync(path, content);
    },
    breakManifest: async (id) => writeFileSync(join(dir, id, 'manifest.json'), '{"id": '),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('ModelRegistry stored gates (synchronous API, as the CLI calls it)', () => {
  it('refuses with --registry DIR (no registry gates) what the stored gates refuse', () => {
    const { id } = new ModelRegistry({ root }).register(input({ gates: ['sharpe > 1.5'] }));
    expect(new ModelRegistry({ root }).load(id).manifest.gates).toEqual({ validation: ['sharpe > 1.5'] });
    const viaDir = new ModelRegistry({ root }).promote(id, 'validation');
    const viaStrategy = new ModelRegistry({ root, gates: { validation: ['sharpe > 1.5'] } }).promote(id, 'validation');
    for (const result of [viaDir, viaStrategy]) {
      expect(result).toMatchObject({ promoted: false, failed: ['sharpe > 1.5'], passed: [] });
    }
    expect(viaStrategy.gates.map((g) => g.source)).toEqual(['model']);
    expect(new ModelRegistry({ root }).load(id).manifest.stage).toBe('discovery');
  });
});

describe('ModelRegistry leftovers and old manifests', () => {
  it('cleans staging folders, locks and temporary manifests older than staleAfterMs on open', () => {
    const registry = new ModelRegistry({ root });
    const { id } = registry.register(input());
    const dir = registry.dirOf(id);
    const old = new Date(Date.now() - 3_600_000);
    const leftovers = [
      join(root, 'trend', '.staging-999-old'),
      join(dir, '.lock'),
      join(dir, '.manifest.json.999.tmp'),
    ];
    mkdirSync(leftovers[0]!);
    writeFileSync(join(leftovers[0]!, 'model.json'), '{}');
    mkdirSync(leftovers[1]!);
    writeFileSync(leftovers[2]!, '{}');
    for (const path of leftovers) utimesSync(path, old, old);
    const fresh = join(root, 'trend', '.staging-998-fresh');
    mkdirSync(fresh);
    const reopened = new ModelRegistry({ root, staleAfterMs: 600_000 });
    for (const path of leftovers) expect(existsSync(path)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(reopened.list().map((m) => m.id)).toEqual([id]);
    expect(reopened.cleanup({ olderThanMs: 0 })).toEqual([fresh]);
  });

  it('breaks a lock left by a killed writer once it is stale, and times out on a live one', () => {
    const registry = new ModelRegistry({ root, cleanupOnOpen: false, staleAfterMs: 60_000, lockTimeoutMs: 50 });
    const { id } = registry.register(input());
    const lock = join(registry.dirOf(id), '.lock');
    mkdirSync(lock);
    expect(() => registry.promote(id, 'validation')).toThrow(/timed out waiting for the lock/);
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    expect(registry.promote(id, 'validation').promoted).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('leaves only whole versions when a writer is SIGKILLed mid-registration', async () => {
    const worker = fileURLToPath(new URL('../test/registerUntilKilled.ts', import.meta.url));
    const strategyDir = join(root, 'killed');
    const staging = () =>
      existsSync(strategyDir) ? readdirSync(strategyDir).filter((n) => n.startsWith('.staging-')) : [];
    // A kill can land between two registrations; try again until it lands inside one.
    for (let attempt = 0; attempt < 5 && staging().length === 0; attempt++) {
      const run = startSourceProcess(worker, [root]);
      await run.waitForLines(2);
      while (staging().length === 0 && run.proc.exitCode === null) await new Promise((r) => setImmediate(r));
      run.proc.kill('SIGKILL');
      expect((await run.exit).signal).toBe('SIGKILL');
    }
    expect(staging()).toHaveLength(1);
    const problems: RegistryProblem[] = [];
    const registry = new ModelRegistry({ root, onProblem: (p) => problems.push(p) });
    // The leftover is fresh: it may belong to a live writer, so opening keeps it.
    expect(staging()).toHaveLength(1);
    const versions = registry.list({ strategy: 'killed' });
    expect(versions.length).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
    for (const manifest of versions) {
      expect(registry.load(manifest.id).extraFiles['weights.bin']?.byteLength).toBe(32 * 1024 * 1024);
    }
    expect(versions.map((m) => m.version)).toEqual(versions.map((_, i) => i + 1));
    const leftover = staging().map((n) => join(strategyDir, n));
    expect(registry.cleanup({ olderThanMs: 0 })).toEqual(leftover);
    expect(staging()).toEqual([]);
  }, 60_000);

  it('refuses format-1 manifests (no hashes) until upgradeLegacy records the hashes of the files found', () => {
    const registry = new ModelRegistry({ root });
    const current = registry.register(input());
    const dir = registry.dirOf(current.id);
    const { gates: _gates, files, formatVersion: _format, ...rest } = current;
    const legacy = { ...rest, formatVersion: 1, files: [...Object.keys(files), 'manifest.json'].sort() };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(legacy));
    expect(() => registry.load(current.id)).toThrow(/manifest format 1 has no artifact hashes.*upgradeLegacy/);
    const problems: RegistryProblem[] = [];
    expect(new ModelRegistry({ root, onProblem: (p) => problems.push(p) }).list()).toEqual([]);
    expect(problems.map((p) => p.id)).toEqual([current.id]);
    const upgraded = registry.upgradeLegacy(current.id, { by: 'ops', at: new Date('2026-04-01T00:00:00Z') });
    expect(upgraded.files).toEqual(current.files);
    expect(upgraded.gates).toEqual({});
    expect(upgraded.stageHistory.at(-1)).toMatchObject({ from: 'discovery', to: 'discovery', by: 'ops' });
    expect(registry.load(current.id).model).toEqual(input().model);
    expect(() => registry.upgradeLegacy(current.id)).toThrow(/not a format-1 manifest/);
  });

  it('refuses a version folder copied under another name, and ignores stray files in the store', () => {
    const registry = new ModelRegistry({ root });
    const { id } = registry.register(input());
    writeFileSync(join(root, 'README.txt'), 'not a strategy');
    writeFileSync(join(root, 'trend', 'notes.txt'), 'not a version');
    const copy = join(root, 'trend', 'BTC-USDT_1h_v7');
    mkdirSync(copy);
    for (const name of readdirSync(registry.dirOf(id)))
      writeFileSync(join(copy, name), readFileSync(join(registry.dirOf(id), name)));
    expect(() => registry.load('trend/BTC-USDT_1h_v7')).toThrow(/does not match its folder trend\/BTC-USDT_1h_v7/);
    const problems: RegistryProblem[] = [];
    expect(new ModelRegistry({ root, onProblem: (p) => problems.push(p) }).list().map((m) => m.id)).toEqual([id]);
    expect(problems.map((p) => p.id)).toEqual(['trend/BTC-USDT_1h_v7']);
  });
});

describe('the file store seals manifest.json', () => {
  const manifestPath = (registry: ModelRegistry, id: string) => join(registry.dirOf(id), 'manifest.json');
  const readManifestJson = (registry: ModelRegistry, id: string) =>
    JSON.parse(readFileSync(manifestPath(registry, id), 'utf8')) as Record<string, unknown>;
  const writeManifestJson = (registry: ModelRegistry, id: string, json: unknown) =>
    writeFileSync(manifestPath(registry, id), JSON.stringify(json, null, 2));

  it('refuses a schema-valid hand edit naming the file and the field, until reseal accepts it and records it', () => {
    const registry = new ModelRegistry({ root });
    const { id } = registry.register(input());
    // The edit a careless operator would make: skip the gates by writing the stage by hand.
    writeManifestJson(registry, id, { ...readManifestJson(registry, id), stage: 'mature' });
    const error = (() => {
      try {
        registry.load(id);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error?.message).toContain(manifestPath(registry, id));
    expect(error?.message).toContain("field 'stage' changed");
    expect(error?.message).toContain(`registry.reseal('${id}')`);
    expect(() => registry.promote(id, 'decay')).toThrow(/field 'stage' changed/);
    const problems: RegistryProblem[] = [];
    expect(new ModelRegistry({ root, onProblem: (p) => problems.push(p) }).list()).toEqual([]);
    expect(problems.map((p) => p.error.message)).toEqual([expect.stringContaining("field 'stage' changed")]);

    const resealed = registry.reseal(id, { by: 'ops', reason: 'approved by risk', at: new Date('2026-05-01Z') });
    expect(resealed.stage).toBe('mature');
    expect(resealed.stageHistory.at(-1)).toEqual({
      from: 'mature',
      to: 'mature',
      at: '2026-05-01T00:00:00.000Z',
      reason: "resealed after a manual edit of 'stage': approved by risk",
      by: 'ops',
    });
    expect(registry.load(id).manifest).toEqual(resealed);
    // Resealing a manifest whose seal matches changes nothing.
    const bytes = readFileSync(manifestPath(registry, id));
    expect(registry.reseal(id)).toEqual(resealed);
    expect(readFileSync(manifestPath(registry, id))).toEqual(bytes);
  });

  it('names added and removed fields, and an edited seal; reformatting alone is no edit', () => {
    const registry = new ModelRegistry({ root });
    const { id } = registry.register(input());
    const original = readManifestJson(registry, id);
    // Other whitespace and key order: the seal covers the canonical JSON, not the bytes.
    const reordered = Object.fromEntries(Object.entries(original).reverse());
    writeFileSync(manifestPath(registry, id), JSON.stringify(reordered));
    expect(registry.load(id).manifest.id).toBe(id);

    const { seed: _seed, ...withoutSeed } = original;
    writeManifestJson(registry, id, { ...withoutSeed, seed: 43, notes: 'x' });
    expect(() => registry.load(id)).toThrow(/fields 'notes' \(added\), 'seed' changed/);
    writeManifestJson(registry, id, withoutSeed);
    expect(() => registry.load(id)).toThrow(/field 'seed' \(removed\) changed/);
    const seal = original.seal as { sha256: string };
    writeManifestJson(registry, id, { ...original, seal: { ...seal, sha256: '0'.repeat(64) } });
    expect(() => registry.load(id)).toThrow(/field 'seal\.sha256' does not match the content/);
    writeManifestJson(registry, id, { ...original, seal: 'trust me' });
    expect(() => registry.load(id)).toThrow(ModelFormatError);
    expect(() => registry.load(id)).toThrow(/field 'seal' is damaged/);
    writeManifestJson(registry, id, original);
    expect(registry.load(id).manifest.seed).toBe(42);
  });

  it('reseal refuses a manifest whose artifacts do not match it, or that is not a valid manifest', () => {
    const registry = new ModelRegistry({ root });
    const { id } = registry.register(input());
    const original = readManifestJson(registry, id);
    const files = original.files as Record<string, { sha256: string; bytes: number }>;
    const forged = { ...files, 'model.json': { ...files['model.json']!, sha256: 'a'.repeat(64) } };
    writeManifestJson(registry, id, { ...original, files: forged });
    expect(() => registry.load(id)).toThrow(/field 'files' changed/);
    expect(() => registry.reseal(id)).toThrow(/model\.json: sha256 mismatch/);
    writeManifestJson(registry, id, { ...original, version: 'two' });
    expect(() => registry.reseal(id)).toThrow(/version/);
    // Nothing was written by the refused reseals.
    expect(readManifestJson(registry, id)).toEqual({ ...original, version: 'two' });
  });

  it('reads manifests written before seals with a warning, refuses them with requireSeal, and seals them on reseal or promote', () => {
    const registry = new ModelRegistry({ root });
    const first = registry.register(input());
    const second = registry.register(input());
    for (const { id } of [first, second]) {
      const { seal: _seal, ...unsealed } = readManifestJson(registry, id);
      writeManifestJson(registry, id, unsealed);
    }
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      expect(registry.load(first.id).manifest).toEqual(first);
      registry.load(first.id);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain(`registry.reseal('${first.id}')`);
      expect(warn.mock.calls[0]?.[1]).toMatchObject({ code: 'CANDLELAB_UNSEALED_MANIFEST' });
      const strict = new ModelRegistry({ root, requireSeal: true });
      expect(() => strict.load(first.id)).toThrow(/manifest\.json: field 'seal' is missing/);

      const sealed = registry.reseal(first.id, { by: 'ops', at: new Date('2026-05-01Z') });
      expect(sealed.stageHistory.at(-1)?.reason).toBe('sealed a manifest written before manifests were sealed');
      expect(strict.load(first.id).manifest).toEqual(sealed);
      // A stage change rewrites the manifest, sealed.
      registry.promote(second.id, 'validation', { force: true, reason: 'test' });
      expect(strict.load(second.id).manifest.stage).toBe('validation');
    } finally {
      warn.mockRestore();
    }
  });
});
