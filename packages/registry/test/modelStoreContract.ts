// The behaviour every ModelStore must show, run against the file registry and PostgreSQL alike.
import { InvalidParameterError, ModelFormatError, StoreError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import type { GateInput, ModelStore, RegisterInput, RegistryProblem } from '../src/index.js';
import type { Stage } from '../src/stages.js';

/** One isolated store location (a folder, a table prefix) that several store objects can open. */
export interface StoreSpace {
  open(options?: {
    gates?: Partial<Record<Stage, readonly GateInput[]>>;
    onProblem?: (problem: RegistryProblem) => void;
  }): Promise<ModelStore>;
  /** Replaces (or, with undefined, deletes) one stored artifact behind the store's back. */
  tamper(id: string, file: string, content: Uint8Array | undefined): Promise<void>;
  /** Makes the stored manifest of `id` unreadable. */
  breakManifest(id: string): Promise<void>;
  dispose(): Promise<void>;
}

export function registration(overrides: Partial<RegisterInput> = {}): RegisterInput {
  return {
    strategy: 'trend',
    symbol: 'BTC/USDT',
    timeframe: '1h',
    model: { kind: 'gbdt', version: 1, trees: [{ leaf: 0.125 }, { leaf: -0.5 }] },
    metrics: { sharpe: 1.2, winRate: 0.56, trades: 40 },
    featureImportance: [{ feature: 'rsi_14', mean: 0.02 }],
    config: 'name: trend\n',
    fingerprint: { hash: 'f'.repeat(64), parts: {} as never },
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

export function modelStoreContract(name: string, space: () => Promise<StoreSpace>, skipReason?: string): void {
  describe.skipIf(skipReason !== undefined)(
    `${name} satisfies ModelStore${skipReason ? ` (${skipReason})` : ''}`,
    () => {
      async function withSpace(fn: (s: StoreSpace) => Promise<void>): Promise<void> {
        const s = await space();
        try {
          await fn(s);
        } finally {
          await s.dispose();
        }
      }

      it('registers versions with hashed artifacts and loads them back byte for byte', () =>
        withSpace(async (s) => {
          const store = await s.open();
          const first = await store.register(
            registration({ extraFiles: { 'weights.bin': new Uint8Array([0, 255, 7]) } }),
          );
          expect(first.id).toBe('trend/BTC-USDT_1h_v1');
          expect(Object.keys(first.files).sort()).toEqual([
            'config.yaml',
            'feature_importance.json',
            'metrics.json',
            'model.json',
            'weights.bin',
          ]);
          expect(first.files['weights.bin']).toEqual({
            // Python's hashlib: hashlib.sha256(bytes([0, 255, 7])).hexdigest()
            sha256: '92e469e6f34332f611f46cc5371592264628458db80d2a9c40310daec8384d23',
            bytes: 3,
          });
          expect((await store.register(registration())).version).toBe(2);
          const loaded = await store.load(first.id);
          expect(loaded.model).toEqual(registration().model);
          expect(loaded.metrics).toEqual({ sharpe: 1.2, winRate: 0.56, trades: 40 });
          expect(loaded.config).toBe('name: trend\n');
          expect([...loaded.extraFiles['weights.bin']!]).toEqual([0, 255, 7]);
          expect(loaded.manifest).toEqual(first);
          await store.close();
        }));

      it('filters by strategy, symbol, timeframe and stage, and finds the latest and best', () =>
        withSpace(async (s) => {
          const store = await s.open();
          await store.register(registration({ metrics: { sharpe: 0.5 } }));
          await store.register(registration({ metrics: { sharpe: 1.9 }, createdAt: new Date('2026-01-02T00:00:00Z') }));
          await store.register(registration({ symbol: 'ETH/USDT', timeframe: '4h', metrics: { sharpe: 1.1 } }));
          const other = await store.register(registration({ strategy: 'meanrev', metrics: { maxDrawdown: 0.1 } }));
          await store.promote(other.id, 'validation');
          const ids = async (filter: Parameters<ModelStore['list']>[0]) => (await store.list(filter)).map((m) => m.id);
          expect(await ids({})).toEqual([
            'meanrev/BTC-USDT_1h_v1',
            'trend/BTC-USDT_1h_v1',
            'trend/BTC-USDT_1h_v2',
            'trend/ETH-USDT_4h_v1',
          ]);
          expect(await ids({ strategy: 'trend' })).toEqual([
            'trend/BTC-USDT_1h_v1',
            'trend/BTC-USDT_1h_v2',
            'trend/ETH-USDT_4h_v1',
          ]);
          expect(await ids({ strategy: 'trend', symbol: 'BTC/USDT' })).toEqual([
            'trend/BTC-USDT_1h_v1',
            'trend/BTC-USDT_1h_v2',
          ]);
          expect(await ids({ timeframe: '4h' })).toEqual(['trend/ETH-USDT_4h_v1']);
          expect(await ids({ stage: 'validation' })).toEqual(['meanrev/BTC-USDT_1h_v1']);
          expect(await ids({ strategy: 'none' })).toEqual([]);
          expect((await store.latest({ symbol: 'BTC/USDT', strategy: 'trend' }))?.id).toBe('trend/BTC-USDT_1h_v2');
          expect((await store.best('sharpe'))?.id).toBe('trend/BTC-USDT_1h_v2');
          expect((await store.best('sharpe', { direction: 'min' }))?.id).toBe('trend/BTC-USDT_1h_v1');
          expect((await store.best('maxDrawdown', { direction: 'min' }))?.id).toBe('meanrev/BTC-USDT_1h_v1');
          await store.close();
        }));

      it('refuses a promotion that the stored gates refuse, with or without registry gates', () =>
        withSpace(async (s) => {
          const plain = await s.open();
          const { id } = await plain.register(
            registration({ gates: { validation: ['sharpe > 1.5', 'trades >= 30'], paper: ['winRate > 0.6'] } }),
          );
          const refused = await plain.promote(id, 'validation');
          expect(refused).toMatchObject({
            promoted: false,
            forced: false,
            passed: ['trades >= 30'],
            failed: ['sharpe > 1.5'],
            reason: 'gates for validation failed: sharpe = 1.2 fails sharpe > 1.5',
          });
          expect(refused.gates.map((g) => g.source)).toEqual(['model', 'model']);
          expect((await plain.load(id)).manifest.stage).toBe('discovery');

          // Another store object with its own gates: both sets apply; an expression in both counts once.
          const gated = await s.open({ gates: { validation: ['trades >= 30', 'winRate > 0.5'] } });
          const both = await gated.promote(id, 'validation');
          expect(both.promoted).toBe(false);
          expect(both.gates.map((g) => `${g.source}:${g.expression}:${g.passed}`)).toEqual([
            'model:sharpe > 1.5:false',
            'model:trades >= 30:true',
            'registry:winRate > 0.5:true',
          ]);
          const registryOnly = await gated.register(registration({ metrics: { sharpe: 3, trades: 10, winRate: 0.7 } }));
          expect((await gated.promote(registryOnly.id, 'validation')).failed).toEqual(['trades >= 30']);

          // Better paper metrics passed in pass the stored gates; they are recorded with the change.
          const passed = await plain.promote(id, 'validation', { metrics: { sharpe: 1.7 }, by: 'ci' });
          expect(passed).toMatchObject({ promoted: true, forced: false, failed: [] });
          expect((await plain.promote(id, 'paper')).failed).toEqual(['winRate > 0.6']);
          const history = (await gated.load(id)).manifest.stageHistory;
          expect(history.at(-1)).toMatchObject({
            from: 'discovery',
            to: 'validation',
            by: 'ci',
            metrics: { sharpe: 1.7 },
            reason: 'passed 2 gate(s)',
          });
          expect(history.at(-1)?.forced).toBeUndefined();
          await plain.close();
          await gated.close();
        }));

      it('forces past failed gates only with a reason, records who and why, never past a forbidden move', () =>
        withSpace(async (s) => {
          const store = await s.open();
          const { id } = await store.register(registration({ gates: ['sharpe > 1.5'] }));
          await expect(store.promote(id, 'validation', { force: true })).rejects.toThrow(InvalidParameterError);
          await expect(store.promote(id, 'validation', { force: true, reason: '  ' })).rejects.toThrow(/reason/);
          expect((await store.promote(id, 'mature', { force: true, reason: 'hurry' })).reason).toBe(
            'cannot move from discovery to mature (allowed: validation, retired)',
          );
          const forced = await store.promote(id, 'validation', {
            force: true,
            reason: 'regime change, reviewed by risk',
            by: 'alice',
            at: new Date('2026-03-01T00:00:00Z'),
          });
          expect(forced).toMatchObject({ promoted: true, forced: true, failed: ['sharpe > 1.5'] });
          expect(forced.reason).toBe('forced past 1 failed gate(s) by alice: regime change, reviewed by risk');
          const last = (await store.load(id)).manifest.stageHistory.at(-1);
          expect(last).toMatchObject({
            from: 'discovery',
            to: 'validation',
            at: '2026-03-01T00:00:00.000Z',
            forced: true,
            by: 'alice',
            reason: 'regime change, reviewed by risk',
          });
          expect(last?.gates?.[0]).toMatchObject({
            expression: 'sharpe > 1.5',
            passed: false,
            actual: 1.2,
            source: 'model',
          });
          expect((await store.list({ stage: 'validation' })).map((m) => m.id)).toEqual([id]);
          await store.close();
        }));

      it('refuses a changed or missing artifact naming the file and both hashes', () =>
        withSpace(async (s) => {
          const store = await s.open();
          const manifest = await store.register(registration());
          // One leaf value changed: the JSON is still valid and would load silently without the hash.
          const changed = JSON.stringify(registration().model, null, 1).replace('0.125', '0.126');
          await s.tamper(manifest.id, 'model.json', new TextEncoder().encode(`${changed}\n`));
          const error = await store.load(manifest.id).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ModelFormatError);
          expect((error as Error).message).toContain('model.json');
          expect((error as Error).message).toContain(`expected ${manifest.files['model.json']!.sha256}`);
          expect((error as Error).message).toMatch(/actual [0-9a-f]{64}/);
          await s.tamper(manifest.id, 'config.yaml', undefined);
          await s.tamper(
            manifest.id,
            'model.json',
            new TextEncoder().encode(`${JSON.stringify(registration().model, null, 1)}\n`),
          );
          await expect(store.load(manifest.id)).rejects.toThrow(/config\.yaml: missing/);
          await expect(store.load('trend/BTC-USDT_1h_v9')).rejects.toThrow(StoreError);
          await store.close();
        }));

      it('skips and reports one unreadable entry instead of failing for every model', () =>
        withSpace(async (s) => {
          const problems: RegistryProblem[] = [];
          const store = await s.open({ onProblem: (p) => problems.push(p) });
          const good = await store.register(registration({ metrics: { sharpe: 1 } }));
          const bad = await store.register(registration({ metrics: { sharpe: 9 } }));
          const tampered = await store.register(
            registration({ symbol: 'ETH/USDT', metrics: { sharpe: 5 }, createdAt: new Date('2026-02-01T00:00:00Z') }),
          );
          await s.breakManifest(bad.id);
          await s.tamper(tampered.id, 'metrics.json', new TextEncoder().encode('{"sharpe": 50}\n'));
          expect((await store.list()).map((m) => m.id)).toEqual([good.id, tampered.id]);
          expect(problems.map((p) => p.id)).toEqual([bad.id]);
          expect(problems[0]?.error).toBeInstanceOf(ModelFormatError);
          const scan = await store.scan();
          expect(scan.problems.map((p) => p.id)).toEqual([bad.id]);
          expect((await store.latest())?.id).toBe(tampered.id);
          // best() reads metrics: the tampered ones are reported and skipped, not trusted.
          problems.length = 0;
          expect((await store.best('sharpe'))?.id).toBe(good.id);
          expect(problems.map((p) => p.id)).toEqual([bad.id, tampered.id]);
          await expect(store.promote(tampered.id, 'validation')).rejects.toThrow(/metrics\.json: sha256 mismatch/);
          await store.close();
        }));

      it('registers once per registration key: a retried job gets the first model back, even when racing', () =>
        withSpace(async (s) => {
          const stores = await Promise.all([s.open(), s.open()]);
          const racing = await Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              stores[i % 2]!.register(
                registration({ registrationKey: 'job-42', model: { kind: 'gbdt', version: 1, i } }),
              ),
            ),
          );
          expect(new Set(racing.map((m) => m.id))).toEqual(new Set(['trend/BTC-USDT_1h_v1']));
          const other = await stores[0]!.register(registration({ registrationKey: 'job-43' }));
          expect(other.version).toBe(2);
          // Another strategy may use the same key.
          expect((await stores[1]!.register(registration({ strategy: 'other', registrationKey: 'job-42' }))).id).toBe(
            'other/BTC-USDT_1h_v1',
          );
          expect(await stores[0]!.list({ strategy: 'trend' })).toHaveLength(2);
          await Promise.all(stores.map((store) => store.close()));
        }));

      it('gives concurrent registrations unique consecutive versions', () =>
        withSpace(async (s) => {
          const stores = await Promise.all([s.open(), s.open(), s.open()]);
          const manifests = await Promise.all(
            Array.from({ length: 24 }, (_, i) =>
              stores[i % stores.length]!.register(registration({ model: { kind: 'gbdt', version: 1, i } })),
            ),
          );
          expect(manifests.map((m) => m.version).sort((a, b) => a - b)).toEqual(
            Array.from({ length: 24 }, (_, i) => i + 1),
          );
          const loaded = await Promise.all(manifests.map((m) => stores[0]!.load(m.id)));
          // Each version holds the model registered with it (no two writers mixed up their files).
          expect(loaded.map((l) => (l.model as { i?: number }).i)).toEqual(Array.from({ length: 24 }, (_, i) => i));
          await Promise.all(stores.map((store) => store.close()));
        }));
    },
  );
}
