import type { ModelJson, Timeframe } from '@candlelab/core';
import type { QualityGate } from '@candlelab/validation';
import type { Fingerprint, FingerprintInputs } from './fingerprint.js';
import type { GateOutcome, Manifest } from './manifest.js';
import type { Stage } from './stages.js';

/** One gate: text such as `sharpe > 1.5` or `{ metric, op, threshold }`. */
export type GateInput = QualityGate | string;

/**
 * Gates a model must pass to be promoted. Either per target stage
 * (`{ validation: ['sharpe > 1.5'], paper: ['trades >= 30'] }`), or a plain list, which is the gate
 * set for leaving discovery and so means `{ validation: list }`.
 */
export type GatesInput = readonly GateInput[] | Readonly<Partial<Record<Stage, readonly GateInput[]>>>;

export interface RegisterInput {
  strategy: string;
  symbol: string;
  timeframe: Timeframe;
  /** The model's `toJSON()`. Stored as `model.json`; the same model gives the same bytes. */
  model: ModelJson;
  /** Out-of-sample metrics (stored as `metrics.json`, used by gates and `best`). */
  metrics: Readonly<Record<string, number>>;
  /** Feature importance, any JSON (e.g. permutation importance rows). Default `null`. */
  featureImportance?: unknown;
  /** The exact resolved config: YAML text kept verbatim, or an object serialised to YAML. */
  config: string | object;
  /** Fingerprint inputs (hashed here) or an already computed fingerprint. */
  fingerprint: FingerprintInputs | Fingerprint;
  /**
   * The gates the model was trained with. Stored in the manifest and evaluated by every later
   * `promote` to that stage, whichever registry object or command asks. Default none.
   */
  gates?: GatesInput;
  /** More files to store beside the model (e.g. `report.html`, weight files): name → content. */
  extraFiles?: Readonly<Record<string, string | Uint8Array>>;
  /** Creation time. Default now. */
  createdAt?: Date;
  /**
   * Makes registration idempotent: a second `register` with the same strategy and key (e.g. a
   * retried job, keyed by its job id) stores nothing and returns the first one's manifest.
   * Default none (every call stores a new version).
   */
  registrationKey?: string;
}

/** Which models to list; every given field must match exactly. */
export interface ModelFilter {
  strategy?: string;
  /** The real symbol as registered (`BTC/USDT`), not its folder form. */
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
  /** The `extraFiles` given at registration, byte for byte (verified like the rest). */
  extraFiles: Record<string, Uint8Array>;
}

export interface PromoteOptions {
  /** Metrics merged over the stored ones for the gates (e.g. paper-trading results); recorded in the history. */
  metrics?: Readonly<Record<string, number>>;
  /** Why; recorded in the stage history. Required with `force`. Default: a summary of the gates. */
  reason?: string;
  /** Who asks (user or service), recorded in the history. Default the OS user name. */
  by?: string;
  /**
   * Promote even when gates fail (never past a forbidden transition). Needs `reason`; the change is
   * recorded with `forced: true`, `by`, `reason` and the failed gates. Default false.
   */
  force?: boolean;
  /** Time of the change. Default now. */
  at?: Date;
}

export interface PromotionResult {
  promoted: boolean;
  from: Stage;
  to: Stage;
  /** Every gate evaluated, stored (`source: 'model'`) and registry-level (`source: 'registry'`). */
  gates: GateOutcome[];
  /** Expressions of the gates that passed. */
  passed: string[];
  /** Expressions of the gates that failed (overridden when `forced`). */
  failed: string[];
  /** True when failing gates were overridden with `force`. */
  forced: boolean;
  reason: string;
}

/** An entry that could not be read; `list` skips it and reports it instead of failing for every model. */
export interface RegistryProblem {
  /** The version id when it could be told, else undefined. */
  id: string | undefined;
  /** The file, folder or table row at fault. */
  location: string;
  error: Error;
}

export interface ScanResult {
  models: Manifest[];
  problems: RegistryProblem[];
}

export interface BestOptions extends ModelFilter {
  /** `max` (default) or `min`. */
  direction?: 'max' | 'min';
}

/**
 * The asynchronous model store that the pipeline, the CLI and the server program against; the
 * file registry (`ModelRegistry#asStore()`) and `PostgresModelRegistry` both satisfy it with the
 * same semantics: atomic versions, verified artifacts, stored gates enforced on every promotion.
 */
export interface ModelStore {
  /** Where the models live: a folder, or `postgres://…/schema.prefix` (password removed). */
  readonly location: string;
  /** Stores a new version (stage `discovery`) and returns its manifest. */
  register(input: RegisterInput): Promise<Manifest>;
  /** Manifests matching the filter; unreadable entries are skipped and passed to `onProblem`. */
  list(filter?: ModelFilter): Promise<Manifest[]>;
  /** Like `list`, returning the unreadable entries too. */
  scan(filter?: ModelFilter): Promise<ScanResult>;
  /** The newest model matching the filter (latest `createdAt`, then highest version), or undefined. */
  latest(filter?: ModelFilter): Promise<Manifest | undefined>;
  /** The model with the best finite value of `metric`; models lacking it are skipped. */
  best(metric: string, options?: BestOptions): Promise<Manifest | undefined>;
  /** Everything stored for one version, every artifact checked against its sha256. */
  load(id: string): Promise<LoadedModel>;
  /** Moves a model to another stage through its stored gates and the registry's gates. */
  promote(id: string, to: Stage, options?: PromoteOptions): Promise<PromotionResult>;
  /** Releases connections (a no-op for the file store). */
  close(): Promise<void>;
}

/** Whether a manifest matches every field the filter gives. */
export function matchesFilter(manifest: Manifest, filter: ModelFilter): boolean {
  return (
    (filter.strategy === undefined || manifest.strategy === filter.strategy) &&
    (filter.symbol === undefined || manifest.symbol === filter.symbol) &&
    (filter.timeframe === undefined || manifest.timeframe === filter.timeframe) &&
    (filter.stage === undefined || manifest.stage === filter.stage)
  );
}

/** The order of `list`: strategy, symbol, timeframe, version. */
export function compareManifests(a: Manifest, b: Manifest): number {
  return (
    a.strategy.localeCompare(b.strategy) ||
    a.symbol.localeCompare(b.symbol) ||
    a.timeframe.localeCompare(b.timeframe) ||
    a.version - b.version
  );
}

/** The newest manifest: latest `createdAt`, ties broken by the highest version. */
export function newestManifest(manifests: readonly Manifest[]): Manifest | undefined {
  return manifests.reduce<Manifest | undefined>(
    (best, m) =>
      best === undefined || m.createdAt > best.createdAt || (m.createdAt === best.createdAt && m.version > best.version)
        ? m
        : best,
    undefined,
  );
}

/** The default `onProblem`: a process warning (`CandlelabRegistryWarning`) naming the skipped entry and why. */
export function warnProblem(problem: RegistryProblem): void {
  process.emitWarning(
    `skipped ${problem.id ?? problem.location}: ${problem.error.message}`,
    'CandlelabRegistryWarning',
  );
}
