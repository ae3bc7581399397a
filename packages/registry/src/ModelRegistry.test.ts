import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyBars, InvalidParameterError, ModelFormatError, StoreError } from '@candlelab/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeFingerprint, type FingerprintInputs, hashBars } from './fingerprint.js';
import { ModelRegistry, type RegisterInput } from './ModelRegistry.js';

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
  });

  it('never gives two concurrent writers (separate processes) the same version', async () => {
    const worker = fileURLToPath(new URL('../test/registerMany.ts', import.meta.url));
    const processes = 4;
    const perProcess = 25;
    const startAt = Date.now() + 2500;
    await Promise.all(
      Array.from({ length: processes }, (_, w) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            '--conditions=@candlelab/source',
            worker,
            root,
            String(w),
            String(perProcess),
            String(startAt),
          ],
          {
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        return new Promise<void>((resolve, reject) =>
          child.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`worker ${w} exited ${code}: ${stderr}`)),
          ),
        );
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
