import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  InvalidParameterError,
  ModelFormatError,
  type ModelJson,
  StoreError,
  type Timeframe,
  timeframeToMs,
  zodIssues,
} from '@candlelab/core';
import { evaluateGates, type QualityGate, QualityGateSchema } from '@candlelab/validation';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { computeFingerprint, type Fingerprint, type FingerprintInputs } from './fingerprint.js';
import { type GateOutcome, type Manifest, ManifestSchema, type StageChange } from './manifest.js';
import { allowedTransitions, canTransition, type Stage, StageSchema } from './stages.js';

/** Files every version holds, besides `manifest.json`. */
export const MODEL_FILE = 'model.json';
export const METRICS_FILE = 'metrics.json';
export const IMPORTANCE_FILE = 'feature_importance.json';
export const CONFIG_FILE = 'config.yaml';
export const MANIFEST_FILE = 'manifest.json';

/** Options of a registry; `gates` are the promotion gates per target stage (strings like `sharpe > 1.5`). */
export const RegistryOptionsSchema = z.object({
  /** Folder holding `<strategy>/<symbol>_<timeframe>_v<N>/`. Default `models`. */
  root: z.string().min(1).default('models'),
  gates: z.partialRecord(StageSchema, z.array(QualityGateSchema)).default({}),
  /** How long a writer waits for another writer's manifest lock before failing (ms). Default 10,000. */
  lockTimeoutMs: z.number().int().positive().default(10_000),
});
export type RegistryOptions = z.input<typeof RegistryOptionsSchema>;

export interface RegisterInput {
  strategy: string;
  symbol: string;
  timeframe: Timeframe;
  /** The model's `toJSON()`. Written as `model.json`; the same model gives the same bytes. */
  model: ModelJson;
  /** Out-of-sample metrics (written as `metrics.json`, used by gates and `best`). */
  metrics: Readonly<Record<string, number>>;
  /** Feature importance, any JSON (e.g. permutation importance rows). */
  featureImportance?: unknown;
  /** The exact resolved config: YAML text kept verbatim, or an object serialised to YAML. */
  config: string | object;
  /** Fingerprint inputs (hashed here) or an already computed fingerprint. */
  fingerprint: FingerprintInputs | Fingerprint;
  /** More files to store beside the model (e.g. `report.html`, weight files): name → content. */
  extraFiles?: Readonly<Record<string, string | Uint8Array>>;
  /** Creation time (default now). */
  createdAt?: Date;
}

export interface ModelFilter {
  strategy?: string;
  symbol?: string;
  timeframe?: string;
  stage?: Stage;
}

export interface LoadedModel {
  manifest: Manifest;
  /** The parsed `model.json`; pass it to the model class's `fromJSON`, which checks kind and version. */
  model: ModelJson;
  metrics: Record<string, number>;
  featureImportance: unknown;
  /** `config.yaml` exactly as stored. */
  config: string;
  /** Absolute folder of this version. */
  dir: string;
}

export interface PromotionResult {
  promoted: boolean;
  from: Stage;
  to: Stage;
  gates: GateOutcome[];
  reason: string;
}

const NAME_PATTERN = /^[A-Za-z0-9][\w.-]*$/;
const VERSION_DIR = /^(.+)_v(\d+)$/;

/** `BTC/USDT` → `BTC-USDT`: symbols become folder-safe; the manifest keeps the real symbol. */
export function symbolFolder(symbol: string): string {
  return symbol.replace(/[^\w.-]+/g, '-');
}

/**
 * A versioned model store on the file system:
 * `<root>/<strategy>/<symbol>_<timeframe>_v<N>/` holds `model.json`, `metrics.json`,
 * `feature_importance.json`, `config.yaml`, any extra files, and `manifest.json` (fingerprint,
 * stage and stage history). Versions are allocated atomically (a fully written folder is renamed
 * into place), so concurrent writers, even in different processes, never share a version.
 */
export class ModelRegistry {
  readonly root: string;
  private readonly gates: Partial<Record<Stage, QualityGate[]>>;
  private readonly lockTimeoutMs: number;

  constructor(options: RegistryOptions = {}) {
    const parsed = RegistryOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new ConfigError('registry options', zodIssues(parsed.error));
    }
    this.root = parsed.data.root;
    this.gates = parsed.data.gates;
    this.lockTimeoutMs = parsed.data.lockTimeoutMs;
  }

  /** Stores a new version and returns its manifest (stage `discovery`). */
  register(input: RegisterInput): Manifest {
    checkName('strategy', input.strategy);
    if (!input.symbol) throw new InvalidParameterError('symbol', input.symbol, 'must not be empty');
    timeframeToMs(input.timeframe);
    for (const name of Object.keys(input.extraFiles ?? {})) {
      if (
        !NAME_PATTERN.test(name) ||
        [MODEL_FILE, METRICS_FILE, IMPORTANCE_FILE, CONFIG_FILE, MANIFEST_FILE].includes(name)
      ) {
        throw new InvalidParameterError('extraFiles', name, 'must be a plain file name not used by the registry');
      }
    }
    const fingerprint = 'hash' in input.fingerprint ? input.fingerprint : computeFingerprint(input.fingerprint);
    const seed = 'seed' in input.fingerprint ? input.fingerprint.seed : '';
    const packageVersions = 'packageVersions' in input.fingerprint ? { ...input.fingerprint.packageVersions } : {};
    const createdAt = (input.createdAt ?? new Date()).toISOString();
    const strategyDir = join(this.root, input.strategy);
    mkdirSync(strategyDir, { recursive: true });
    const prefix = `${symbolFolder(input.symbol)}_${input.timeframe}`;
    const files: Record<string, string | Uint8Array> = {
      [MODEL_FILE]: `${JSON.stringify(input.model, null, 1)}\n`,
      [METRICS_FILE]: `${JSON.stringify(input.metrics, null, 2)}\n`,
      [IMPORTANCE_FILE]: `${JSON.stringify(input.featureImportance ?? null, null, 2)}\n`,
      [CONFIG_FILE]: typeof input.config === 'string' ? input.config : toYaml(input.config),
      ...input.extraFiles,
    };
    const staging = join(strategyDir, `.staging-${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(staging);
    try {
      for (const [name, content] of Object.entries(files)) writeFileSync(join(staging, name), content);
      for (let attempt = 0; attempt < 1000; attempt++) {
        const version = this.nextVersion(strategyDir, prefix);
        const id = `${input.strategy}/${prefix}_v${version}`;
        const manifest: Manifest = {
          formatVersion: 1,
          id,
          strategy: input.strategy,
          symbol: input.symbol,
          timeframe: input.timeframe,
          version,
          createdAt,
          modelKind: input.model.kind,
          fingerprint,
          seed,
          packageVersions,
          stage: 'discovery',
          stageHistory: [{ from: null, to: 'discovery', at: createdAt, reason: 'registered' }],
          files: [...Object.keys(files), MANIFEST_FILE].sort(),
        };
        writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
        try {
          // rename(2) onto an existing non-empty folder fails: the version is taken, try the next.
          renameSync(staging, join(strategyDir, `${prefix}_v${version}`));
          return manifest;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        }
      }
      throw new StoreError(`could not allocate a version for ${input.strategy}/${prefix} after 1000 attempts`);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /** Manifests matching the filter, ordered by strategy, symbol, timeframe and version. */
  list(filter: ModelFilter = {}): Manifest[] {
    if (!existsSync(this.root)) return [];
    const out: Manifest[] = [];
    for (const strategy of readdirSync(this.root).sort()) {
      if (filter.strategy !== undefined && strategy !== filter.strategy) continue;
      const strategyDir = join(this.root, strategy);
      for (const name of readdirSync(strategyDir)) {
        if (!VERSION_DIR.test(name)) continue;
        const manifest = this.readManifest(join(strategyDir, name));
        if (filter.symbol !== undefined && manifest.symbol !== filter.symbol) continue;
        if (filter.timeframe !== undefined && manifest.timeframe !== filter.timeframe) continue;
        if (filter.stage !== undefined && manifest.stage !== filter.stage) continue;
        out.push(manifest);
      }
    }
    return out.sort(
      (a, b) =>
        a.strategy.localeCompare(b.strategy) ||
        a.symbol.localeCompare(b.symbol) ||
        a.timeframe.localeCompare(b.timeframe) ||
        a.version - b.version,
    );
  }

  /** The highest version matching the filter (the newest model), or undefined. */
  latest(filter: ModelFilter = {}): Manifest | undefined {
    return this.list(filter).reduce<Manifest | undefined>(
      (best, m) =>
        best === undefined ||
        m.createdAt > best.createdAt ||
        (m.createdAt === best.createdAt && m.version > best.version)
          ? m
          : best,
      undefined,
    );
  }

  /** The model with the best value of `metric` (`direction` `max` by default); models lacking it are skipped. */
  best(metric: string, options: ModelFilter & { direction?: 'max' | 'min' } = {}): Manifest | undefined {
    const sign = options.direction === 'min' ? -1 : 1;
    let best: { manifest: Manifest; value: number } | undefined;
    for (const manifest of this.list(options)) {
      const value = this.readMetrics(manifest.id)[metric];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (best === undefined || sign * value > sign * best.value) best = { manifest, value };
    }
    return best?.manifest;
  }

  /** Everything stored for one version. */
  load(id: string): LoadedModel {
    const dir = this.dirOf(id);
    const manifest = this.readManifest(dir);
    return {
      manifest,
      model: readJson(join(dir, MODEL_FILE)) as ModelJson,
      metrics: this.readMetrics(id),
      featureImportance: readJson(join(dir, IMPORTANCE_FILE)),
      config: readFileSync(join(dir, CONFIG_FILE), 'utf8'),
      dir,
    };
  }

  /** Absolute-or-relative folder of a version id (`<strategy>/<symbol>_<timeframe>_v<N>`). */
  dirOf(id: string): string {
    const [strategy, name, ...rest] = id.split('/');
    if (!strategy || !name || rest.length > 0 || !VERSION_DIR.test(name)) {
      throw new InvalidParameterError('id', id, 'expected <strategy>/<symbol>_<timeframe>_v<N>');
    }
    const dir = join(this.root, strategy, name);
    if (!existsSync(join(dir, MANIFEST_FILE))) throw new StoreError(`model ${id} not found under ${this.root}`);
    return dir;
  }

  /**
   * Moves a model to another lifecycle stage. The move must be an allowed transition, and every
   * gate configured for the target stage must pass over the model's stored metrics merged with
   * `metrics` (e.g. paper-trading results). A refused promotion changes nothing and says why.
   */
  promote(
    id: string,
    to: Stage,
    options: { metrics?: Readonly<Record<string, number>>; reason?: string; at?: Date } = {},
  ): PromotionResult {
    const dir = this.dirOf(id);
    return this.withLock(dir, () => {
      const manifest = this.readManifest(dir);
      const from = manifest.stage;
      if (!canTransition(from, to)) {
        const allowed = allowedTransitions(from).join(', ') || 'none';
        return {
          promoted: false,
          from,
          to,
          gates: [],
          reason: `cannot move from ${from} to ${to} (allowed: ${allowed})`,
        };
      }
      const metrics = { ...this.readMetrics(id), ...options.metrics };
      const report = evaluateGates(this.gates[to] ?? [], metrics);
      const gates: GateOutcome[] = report.results.map((r) => ({
        expression: r.expression,
        passed: r.passed,
        actual: r.actual ?? null,
        reason: r.reason,
      }));
      if (!report.passed) {
        const failed = gates.filter((g) => !g.passed).map((g) => g.reason);
        return { promoted: false, from, to, gates, reason: `gates for ${to} failed: ${failed.join('; ')}` };
      }
      const change: StageChange = {
        from,
        to,
        at: (options.at ?? new Date()).toISOString(),
        reason: options.reason ?? (gates.length > 0 ? `passed ${gates.length} gate(s)` : 'no gates configured'),
        gates,
      };
      const updated: Manifest = { ...manifest, stage: to, stageHistory: [...manifest.stageHistory, change] };
      const temp = join(dir, `.${MANIFEST_FILE}.${process.pid}.tmp`);
      writeFileSync(temp, `${JSON.stringify(updated, null, 2)}\n`);
      renameSync(temp, join(dir, MANIFEST_FILE));
      return { promoted: true, from, to, gates, reason: change.reason };
    });
  }

  private readMetrics(id: string): Record<string, number> {
    return readJson(join(this.dirOf(id), METRICS_FILE)) as Record<string, number>;
  }

  private readManifest(dir: string): Manifest {
    const parsed = ManifestSchema.safeParse(readJson(join(dir, MANIFEST_FILE)));
    if (!parsed.success) {
      throw new ModelFormatError(
        `${join(dir, MANIFEST_FILE)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    return parsed.data;
  }

  private nextVersion(strategyDir: string, prefix: string): number {
    let max = 0;
    for (const name of readdirSync(strategyDir)) {
      const match = VERSION_DIR.exec(name);
      if (match && match[1] === prefix) max = Math.max(max, Number(match[2]));
    }
    return max + 1;
  }

  /** Runs `fn` holding an exclusive lock on a version folder (an atomic `mkdir`), across processes. */
  private withLock<T>(dir: string, fn: () => T): T {
    const lock = join(dir, '.lock');
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (Date.now() > deadline)
          throw new StoreError(`timed out waiting for the lock ${lock} (remove it if no writer is running)`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
    try {
      return fn();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function checkName(parameter: string, value: string): void {
  if (!NAME_PATTERN.test(value))
    throw new InvalidParameterError(parameter, value, 'use letters, digits, ".", "_" or "-" (no slashes)');
}

function readJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON`, { cause: error });
  }
}
