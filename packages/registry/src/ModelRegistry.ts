import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ConfigError, InvalidParameterError, ModelFormatError, StoreError, zodIssues } from '@candlelab/core';
import { QualityGateSchema } from '@candlelab/validation';
import { z } from 'zod';
import { currentUser, decidePromotion } from './decidePromotion.js';
import { decodeMetrics, decodeModel } from './decodeModel.js';
import { sha256Hex } from './fingerprint.js';
import {
  type BestOptions,
  compareManifests,
  type GateInput,
  type LoadedModel,
  type ModelFilter,
  type ModelStore,
  matchesFilter,
  newestManifest,
  type PromoteOptions,
  type PromotionResult,
  type RegisterInput,
  type RegistryProblem,
  type ScanResult,
  warnProblem,
} from './ModelStore.js';
import {
  type Artifact,
  LegacyManifestSchema,
  MANIFEST_FORMAT_VERSION,
  type Manifest,
  parseManifest,
  type StoredGates,
} from './manifest.js';
import { checkManifestSeal, inspectManifestSeal, SEAL_FIELD, sealedManifestText } from './manifestSeal.js';
import {
  MANIFEST_FILE,
  normalizeGates,
  type PreparedRegistration,
  prepareRegistration,
} from './prepareRegistration.js';
import { type Stage, StageSchema } from './stages.js';

/** Options of a file registry. */
export const RegistryOptionsSchema = z.object({
  /** Folder holding `<strategy>/<symbol>_<timeframe>_v<N>/`. Default `models`. */
  root: z.string().min(1).default('models'),
  /**
   * Registry-level gates per target stage (strings like `sharpe > 1.5`), evaluated on every
   * promotion in addition to the gates stored with each model. Default `{}`.
   */
  gates: z.partialRecord(StageSchema, z.array(QualityGateSchema)).default({}),
  /** How long a stage change waits for another writer's lock on the same version (ms). Default 10,000. */
  lockTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * Age (ms) after which a staging folder, a lock or a temporary manifest is taken for the
   * leftover of a killed writer and removed. Default 900,000 (15 minutes).
   */
  staleAfterMs: z.number().int().nonnegative().default(900_000),
  /** Remove stale leftovers when the registry is opened (see `cleanup`). Default true. */
  cleanupOnOpen: z.boolean().default(true),
  /**
   * Refuse manifests without a seal (written before manifests were sealed, or whose seal was
   * removed) instead of reading them with a warning. Default false; set it once every version has
   * been resealed (`reseal`), so that deleting a seal is no way around it.
   */
  requireSeal: z.boolean().default(false),
});
export type RegistryOptions = Omit<z.input<typeof RegistryOptionsSchema>, 'gates'> & {
  /** See {@link RegistryOptionsSchema}: registry-level gates per target stage. Default `{}`. */
  gates?: Readonly<Partial<Record<Stage, readonly GateInput[]>>>;
  /**
   * Called for each unreadable entry that `list`, `latest` and `best` skip. Default: a process
   * warning (`CandlelabRegistryWarning`) naming the entry and the error.
   */
  onProblem?: (problem: RegistryProblem) => void;
};

/** A loaded version of the file registry, with its folder. */
export type StoredModel = LoadedModel & { dir: string };

const VERSION_DIR = /^(.+)_v(\d+)$/;
const STAGING_PREFIX = '.staging-';
const LOCK_DIR = '.lock';
/** Per-strategy folder of registration keys (one sub-folder per key hash holding the registered id). */
const REGISTRATIONS_DIR = '.registrations';
const TEMP_MANIFEST = /^\.manifest\.json\.\d+\.tmp$/;

/**
 * A versioned model store on the file system:
 * `<root>/<strategy>/<symbol>_<timeframe>_v<N>/` holds `model.json`, `metrics.json`,
 * `feature_importance.json`, `config.yaml`, any extra files, and `manifest.json` (fingerprint,
 * stored gates, the sha256 of every artifact, stage and stage history).
 *
 * Guarantees: versions are allocated atomically (a fully written staging folder is renamed into
 * place), so concurrent writers, even in different processes, never share a version and a killed
 * writer leaves no half-written version, only a staging folder that `cleanup` removes; every
 * artifact is checked against its sha256 when read, and the manifest against its seal (a hash of
 * its canonical JSON written with it), so a hand edit is refused until `reseal` accepts it; one unreadable version never hides the
 * others; a promotion evaluates the model's stored gates whichever registry object asks.
 *
 * The methods are synchronous; {@link ModelRegistry.asStore} gives the asynchronous
 * {@link ModelStore} shared with `PostgresModelRegistry`.
 */
export class ModelRegistry {
  readonly root: string;
  private readonly gates: StoredGates;
  private readonly lockTimeoutMs: number;
  private readonly staleAfterMs: number;
  private readonly onProblem: (problem: RegistryProblem) => void;
  private readonly requireSeal: boolean;
  /** Unsealed manifests already warned about (once per path per registry object). */
  private readonly warnedUnsealed = new Set<string>();

  constructor(options: RegistryOptions = {}) {
    const { onProblem, ...rest } = options;
    const parsed = RegistryOptionsSchema.safeParse(rest);
    if (!parsed.success) {
      throw new ConfigError('registry options', zodIssues(parsed.error));
    }
    this.root = parsed.data.root;
    this.gates = normalizeGates(parsed.data.gates);
    this.lockTimeoutMs = parsed.data.lockTimeoutMs;
    this.staleAfterMs = parsed.data.staleAfterMs;
    this.onProblem = onProblem ?? warnProblem;
    this.requireSeal = parsed.data.requireSeal;
    if (parsed.data.cleanupOnOpen) this.cleanup();
  }

  /** Stores a new version and returns its manifest (stage `discovery`). */
  register(input: RegisterInput): Manifest {
    const prepared = prepareRegistration(input);
    const strategyDir = join(this.root, prepared.strategy);
    mkdirSync(strategyDir, { recursive: true });
    const key = input.registrationKey;
    if (key === undefined) return this.store(prepared, strategyDir);
    // One registration per key: the claim folder is locked while the first one writes, then names its id.
    const claim = join(strategyDir, REGISTRATIONS_DIR, sha256Hex(key));
    mkdirSync(claim, { recursive: true });
    return this.withLock(claim, () => {
      const recorded = join(claim, 'id');
      if (existsSync(recorded)) return this.readManifest(this.dirOf(readFileSync(recorded, 'utf8').trim()));
      const manifest = this.store(prepared, strategyDir);
      writeFileSync(`${recorded}.tmp`, manifest.id);
      renameSync(`${recorded}.tmp`, recorded);
      return manifest;
    });
  }

  private store(prepared: PreparedRegistration, strategyDir: string): Manifest {
    const staging = join(strategyDir, `${STAGING_PREFIX}${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(staging);
    try {
      for (const [name, content] of Object.entries(prepared.files)) writeFileSync(join(staging, name), content);
      for (let attempt = 0; attempt < 1000; attempt++) {
        const manifest = prepared.manifestFor(this.nextVersion(strategyDir, prepared.seriesKey));
        writeFileSync(join(staging, MANIFEST_FILE), sealedManifestText(manifest));
        try {
          // rename(2) onto an existing non-empty folder fails: the version is taken, try the next.
          renameSync(staging, join(strategyDir, `${prepared.seriesKey}_v${manifest.version}`));
          return manifest;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        }
      }
      throw new StoreError(
        `could not allocate a version for ${prepared.strategy}/${prepared.seriesKey} after 1000 attempts`,
      );
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /** Manifests matching the filter and the entries that could not be read, in `list` order. */
  scan(filter: ModelFilter = {}): ScanResult {
    const models: Manifest[] = [];
    const problems: RegistryProblem[] = [];
    for (const strategy of subfolders(this.root)) {
      if (filter.strategy !== undefined && strategy !== filter.strategy) continue;
      const strategyDir = join(this.root, strategy);
      for (const name of subfolders(strategyDir)) {
        if (!VERSION_DIR.test(name)) continue;
        const dir = join(strategyDir, name);
        try {
          const manifest = this.readManifest(dir);
          if (matchesFilter(manifest, filter)) models.push(manifest);
        } catch (error) {
          problems.push({ id: `${strategy}/${name}`, location: join(dir, MANIFEST_FILE), error: error as Error });
        }
      }
    }
    return { models: models.sort(compareManifests), problems };
  }

  /** Manifests matching the filter, ordered by strategy, symbol, timeframe and version; unreadable ones are skipped and reported to `onProblem`. */
  list(filter: ModelFilter = {}): Manifest[] {
    const { models, problems } = this.scan(filter);
    for (const problem of problems) this.onProblem(problem);
    return models;
  }

  /** The newest model matching the filter (latest `createdAt`, then highest version), or undefined. */
  latest(filter: ModelFilter = {}): Manifest | undefined {
    return newestManifest(this.list(filter));
  }

  /** The model with the best finite value of `metric` (`direction` `max` by default); models lacking it, or whose metrics fail their check, are skipped. */
  best(metric: string, options: BestOptions = {}): Manifest | undefined {
    const sign = options.direction === 'min' ? -1 : 1;
    let best: { manifest: Manifest; value: number } | undefined;
    for (const manifest of this.list(options)) {
      const dir = this.folderOf(manifest.id);
      let value: unknown;
      try {
        value = decodeMetrics(manifest, dir, (name) => readIfExists(join(dir, name)))[metric];
      } catch (error) {
        this.onProblem({ id: manifest.id, location: dir, error: error as Error });
        continue;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (best === undefined || sign * value > sign * best.value) best = { manifest, value };
    }
    return best?.manifest;
  }

  /** Everything stored for one version, every artifact checked against its sha256 ({@link ModelFormatError} naming the file otherwise). */
  load(id: string): StoredModel {
    const dir = this.dirOf(id);
    const manifest = this.readManifest(dir);
    return { ...decodeModel(manifest, dir, (name) => readIfExists(join(dir, name))), dir };
  }

  /** Folder of a version id (`<strategy>/<symbol>_<timeframe>_v<N>`), below `root`. */
  dirOf(id: string): string {
    const dir = this.folderOf(id);
    if (!existsSync(dir)) throw new StoreError(`model ${id} not found under ${this.root}`);
    if (!existsSync(join(dir, MANIFEST_FILE)))
      throw new ModelFormatError(`${join(dir, MANIFEST_FILE)}: missing, so model ${id} cannot be read`);
    return dir;
  }

  /**
   * Moves a model to another lifecycle stage: only along an allowed transition, and only when
   * the model's stored gates for the target stage and the registry's `gates` for it pass over the
   * stored metrics merged with `options.metrics`. `force` (with a `reason`) overrides failing
   * gates and is recorded as such. A refused promotion changes nothing and says why.
   */
  promote(id: string, to: Stage, options: PromoteOptions = {}): PromotionResult {
    const target = StageSchema.safeParse(to);
    if (!target.success)
      throw new InvalidParameterError('stage', to, `expected one of ${StageSchema.options.join(', ')}`);
    const dir = this.dirOf(id);
    return this.withLock(dir, () => {
      const manifest = this.readManifest(dir);
      const metrics = decodeMetrics(manifest, dir, (name) => readIfExists(join(dir, name)));
      const { result, change } = decidePromotion(manifest, metrics, this.gates, target.data, options);
      if (change) {
        this.writeManifest(dir, { ...manifest, stage: change.to, stageHistory: [...manifest.stageHistory, change] });
      }
      return result;
    });
  }

  /**
   * Removes what killed writers left behind: staging folders, locks and temporary manifests older
   * than `olderThanMs` (default the `staleAfterMs` option). Returns the removed paths.
   */
  cleanup(options: { olderThanMs?: number } = {}): string[] {
    const cutoff = Date.now() - (options.olderThanMs ?? this.staleAfterMs);
    const removed: string[] = [];
    const removeIfStale = (path: string) => {
      try {
        if (statSync(path).mtimeMs > cutoff) return;
        rmSync(path, { recursive: true, force: true });
        removed.push(path);
      } catch (error) {
        // Another process removed it first.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    };
    for (const strategy of subfolders(this.root)) {
      const strategyDir = join(this.root, strategy);
      for (const name of subfolders(strategyDir)) {
        if (name.startsWith(STAGING_PREFIX)) removeIfStale(join(strategyDir, name));
        else if (VERSION_DIR.test(name)) {
          const dir = join(strategyDir, name);
          for (const entry of readdirSync(dir)) {
            if (entry === LOCK_DIR || TEMP_MANIFEST.test(entry)) removeIfStale(join(dir, entry));
          }
        }
      }
    }
    return removed;
  }

  /**
   * Upgrades a format-1 manifest (written before artifact hashes) by recording the sha256 of its
   * files as they are now, with no stored gates. Check the files first: whatever they hold becomes
   * the reference. The upgrade is noted in the stage history (`by`, default the OS user).
   */
  upgradeLegacy(id: string, options: { by?: string; at?: Date } = {}): Manifest {
    const dir = this.dirOf(id);
    return this.withLock(dir, () => {
      const path = join(dir, MANIFEST_FILE);
      const legacy = LegacyManifestSchema.safeParse(readJson(path));
      if (!legacy.success) throw new ModelFormatError(`${path}: not a format-1 manifest, nothing to upgrade`);
      const { formatVersion: _old, files: names, ...rest } = legacy.data;
      const files: Record<string, Artifact> = {};
      for (const name of names.filter((n) => n !== MANIFEST_FILE).sort()) {
        const bytes = readIfExists(join(dir, name));
        if (bytes === undefined) throw new ModelFormatError(`${join(dir, name)}: missing (listed in ${path})`);
        files[name] = { sha256: sha256Hex(bytes), bytes: bytes.byteLength };
      }
      const at = (options.at ?? new Date()).toISOString();
      const manifest: Manifest = {
        ...rest,
        formatVersion: MANIFEST_FORMAT_VERSION,
        gates: {},
        files,
        stageHistory: [
          ...rest.stageHistory,
          {
            from: rest.stage,
            to: rest.stage,
            at,
            reason: 'upgraded from manifest format 1: recorded the sha256 of the files as found',
            ...(options.by ? { by: options.by } : {}),
          },
        ],
      };
      this.writeManifest(dir, manifest);
      return manifest;
    });
  }

  /**
   * Accepts `manifest.json` of a version as it is now, after an intended manual edit: checks that
   * it is a valid manifest of this folder whose artifacts all match their recorded sha256, notes
   * in the stage history which fields differ from the old seal (`by`, default the OS user; an
   * optional `reason`), and seals it again. Also seals a manifest written before seals existed.
   * A manifest whose seal already matches is returned unchanged.
   */
  reseal(id: string, options: { by?: string; reason?: string; at?: Date } = {}): Manifest {
    const dir = this.dirOf(id);
    return this.withLock(dir, () => {
      const path = join(dir, MANIFEST_FILE);
      const json = readJson(path);
      const inspection = inspectManifestSeal(json);
      const manifest = this.checkedManifest(json, dir);
      if (inspection.state === 'sealed') return manifest;
      decodeModel(manifest, dir, (name) => readIfExists(join(dir, name)));
      const what =
        inspection.state === 'unsealed'
          ? 'sealed a manifest written before manifests were sealed'
          : inspection.edited.length > 0
            ? `resealed after a manual edit of ${inspection.edited.join(', ')}`
            : `resealed after a manual edit of the ${SEAL_FIELD}`;
      const resealed: Manifest = {
        ...manifest,
        stageHistory: [
          ...manifest.stageHistory,
          {
            from: manifest.stage,
            to: manifest.stage,
            at: (options.at ?? new Date()).toISOString(),
            reason: options.reason ? `${what}: ${options.reason}` : what,
            by: options.by ?? currentUser(),
          },
        ],
      };
      this.writeManifest(dir, resealed);
      return resealed;
    });
  }

  /** This registry behind the asynchronous {@link ModelStore} interface. */
  asStore(): ModelStore {
    return {
      location: this.root,
      register: async (input) => this.register(input),
      list: async (filter) => this.list(filter),
      scan: async (filter) => this.scan(filter),
      latest: async (filter) => this.latest(filter),
      best: async (metric, options) => this.best(metric, options),
      load: async (id) => this.load(id),
      promote: async (id, to, options) => this.promote(id, to, options),
      close: async () => undefined,
    };
  }

  private folderOf(id: string): string {
    const [strategy, name, ...rest] = id.split('/');
    if (!strategy || !name || rest.length > 0 || !VERSION_DIR.test(name) || strategy.startsWith('.')) {
      throw new InvalidParameterError('id', id, 'expected <strategy>/<symbol>_<timeframe>_v<N>');
    }
    return join(this.root, strategy, name);
  }

  /**
   * The manifest of a version folder, trusted only when its seal matches (see `reseal`); a
   * manifest without a seal is read with a warning, or refused with `requireSeal`.
   */
  private readManifest(dir: string): Manifest {
    const path = join(dir, MANIFEST_FILE);
    const json = readJson(path);
    const id = idOfFolder(this.root, dir);
    const state = checkManifestSeal(json, path, `if the edit was intended, accept it with registry.reseal('${id}')`);
    const manifest = this.checkedManifest(json, dir);
    if (state === 'unsealed') {
      const advice = `run registry.reseal('${id}') once to seal it as it is now`;
      if (this.requireSeal)
        throw new ModelFormatError(
          `${path}: field '${SEAL_FIELD}' is missing, and the registry requires it; ${advice}`,
        );
      if (!this.warnedUnsealed.has(path)) {
        this.warnedUnsealed.add(path);
        process.emitWarning(
          `${path} has no '${SEAL_FIELD}' (written before manifests were sealed, or the seal was removed), so a hand edit of it would go unnoticed; ${advice}`,
          { type: 'CandlelabRegistryWarning', code: 'CANDLELAB_UNSEALED_MANIFEST' },
        );
      }
    }
    return manifest;
  }

  /** A valid manifest whose id is its folder's. */
  private checkedManifest(json: unknown, dir: string): Manifest {
    const path = join(dir, MANIFEST_FILE);
    const manifest = parseManifest(json, path);
    const expectedId = idOfFolder(this.root, dir);
    if (manifest.id !== expectedId) {
      throw new ModelFormatError(`${path}: manifest id ${manifest.id} does not match its folder ${expectedId}`);
    }
    return manifest;
  }

  /** Replaces `manifest.json` atomically (a sealed temporary file renamed over it). */
  private writeManifest(dir: string, manifest: Manifest): void {
    const temp = join(dir, `.${MANIFEST_FILE}.${process.pid}.tmp`);
    writeFileSync(temp, sealedManifestText(manifest));
    renameSync(temp, join(dir, MANIFEST_FILE));
  }

  private nextVersion(strategyDir: string, seriesKey: string): number {
    let max = 0;
    for (const name of readdirSync(strategyDir)) {
      const match = VERSION_DIR.exec(name);
      if (match && match[1] === seriesKey) max = Math.max(max, Number(match[2]));
    }
    return max + 1;
  }

  /**
   * Runs `fn` holding an exclusive lock on a version folder (an atomic `mkdir`), across processes.
   * A lock older than `staleAfterMs` is the leftover of a killed writer and is broken.
   */
  private withLock<T>(dir: string, fn: () => T): T {
    const lock = join(dir, LOCK_DIR);
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (this.cleanupLock(lock)) continue;
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

  private cleanupLock(lock: string): boolean {
    try {
      if (Date.now() - statSync(lock).mtimeMs <= this.staleAfterMs) return false;
    } catch {
      return true; // released meanwhile: try again
    }
    rmSync(lock, { recursive: true, force: true });
    return true;
  }
}

/** The id of a version folder below `root` (`<strategy>/<symbol>_<timeframe>_v<N>`). */
function idOfFolder(root: string, dir: string): string {
  return relative(root, dir).split(sep).join('/');
}

/** Names of the visible subfolders of `dir` (none when it does not exist), sorted. */
function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function readIfExists(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function readJson(path: string): unknown {
  const bytes = readIfExists(path);
  if (bytes === undefined) throw new ModelFormatError(`${path}: missing`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON`, { cause: error });
  }
}
