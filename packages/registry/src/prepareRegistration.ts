import { InvalidParameterError, timeframeToMs } from '@candlelab/core';
import { formatGate, QualityGateSchema } from '@candlelab/validation';
import { stringify as toYaml } from 'yaml';
import { computeFingerprint, sha256Hex } from './fingerprint.js';
import type { GateInput, GatesInput, RegisterInput } from './ModelStore.js';
import {
  type Artifact,
  MANIFEST_FORMAT_VERSION,
  type Manifest,
  type StoredGates,
  StoredGatesSchema,
} from './manifest.js';
import { type Stage, StageSchema } from './stages.js';

/** Files every version holds, besides `manifest.json`. */
export const MODEL_FILE = 'model.json';
export const METRICS_FILE = 'metrics.json';
export const IMPORTANCE_FILE = 'feature_importance.json';
export const CONFIG_FILE = 'config.yaml';
export const MANIFEST_FILE = 'manifest.json';
const RESERVED_FILES = [MODEL_FILE, METRICS_FILE, IMPORTANCE_FILE, CONFIG_FILE, MANIFEST_FILE];

/** Strategy names and extra file names: no slashes, no leading dot. */
export const NAME_PATTERN = /^[A-Za-z0-9][\w.-]*$/;

/** `BTC/USDT` → `BTC-USDT`: symbols become folder-safe; the manifest keeps the real symbol. */
export function symbolFolder(symbol: string): string {
  return symbol.replace(/[^\w.-]+/g, '-');
}

/** The id of a version: `<strategy>/<symbol folder>_<timeframe>_v<N>`. */
export function versionId(strategy: string, seriesKey: string, version: number): string {
  return `${strategy}/${seriesKey}_v${version}`;
}

export function checkName(parameter: string, value: string): void {
  if (!NAME_PATTERN.test(value))
    throw new InvalidParameterError(parameter, value, 'use letters, digits, ".", "_" or "-" (no slashes)');
}

/** A registration checked and turned into bytes, waiting for its version number. */
export interface PreparedRegistration {
  strategy: string;
  /** `<symbol folder>_<timeframe>`: versions are numbered per strategy and key. */
  seriesKey: string;
  /** Every artifact's bytes, by file name. */
  files: Record<string, Uint8Array>;
  /** The manifest of the version numbered `version`. */
  manifestFor(version: number): Manifest;
}

/**
 * Checks a registration and serialises its artifacts, hashing each. Both stores call this, so a
 * model gets the same bytes, hashes and manifest whichever store keeps it.
 */
export function prepareRegistration(input: RegisterInput): PreparedRegistration {
  checkName('strategy', input.strategy);
  if (!input.symbol) throw new InvalidParameterError('symbol', input.symbol, 'must not be empty');
  timeframeToMs(input.timeframe);
  for (const name of Object.keys(input.extraFiles ?? {})) {
    if (!NAME_PATTERN.test(name) || RESERVED_FILES.includes(name)) {
      throw new InvalidParameterError('extraFiles', name, 'must be a plain file name not used by the registry');
    }
  }
  const gates = normalizeGates(input.gates);
  const fingerprint = 'hash' in input.fingerprint ? input.fingerprint : computeFingerprint(input.fingerprint);
  const seed = 'seed' in input.fingerprint ? input.fingerprint.seed : '';
  const packageVersions = 'packageVersions' in input.fingerprint ? { ...input.fingerprint.packageVersions } : {};
  const createdAt = (input.createdAt ?? new Date()).toISOString();
  const encoder = new TextEncoder();
  const bytes = (content: string | Uint8Array) => (typeof content === 'string' ? encoder.encode(content) : content);
  const files: Record<string, Uint8Array> = {
    [MODEL_FILE]: bytes(`${JSON.stringify(input.model, null, 1)}\n`),
    [METRICS_FILE]: bytes(`${JSON.stringify(input.metrics, null, 2)}\n`),
    [IMPORTANCE_FILE]: bytes(`${JSON.stringify(input.featureImportance ?? null, null, 2)}\n`),
    [CONFIG_FILE]: bytes(typeof input.config === 'string' ? input.config : toYaml(input.config)),
  };
  for (const [name, content] of Object.entries(input.extraFiles ?? {})) files[name] = bytes(content);
  const artifacts: Record<string, Artifact> = {};
  for (const name of Object.keys(files).sort()) {
    const content = files[name]!;
    artifacts[name] = { sha256: sha256Hex(content), bytes: content.byteLength };
  }
  const seriesKey = `${symbolFolder(input.symbol)}_${input.timeframe}`;
  return {
    strategy: input.strategy,
    seriesKey,
    files,
    manifestFor: (version) => ({
      formatVersion: MANIFEST_FORMAT_VERSION,
      id: versionId(input.strategy, seriesKey, version),
      strategy: input.strategy,
      symbol: input.symbol,
      timeframe: input.timeframe,
      version,
      createdAt,
      modelKind: input.model.kind,
      fingerprint,
      seed,
      packageVersions,
      gates,
      stage: 'discovery',
      stageHistory: [{ from: null, to: 'discovery', at: createdAt, reason: 'registered' }],
      files: artifacts,
    }),
  };
}

/**
 * Gates in their stored form: per stage, each gate as text. A plain list is the gate set for
 * leaving discovery (`{ validation: list }`). Throws {@link InvalidParameterError} naming the bad gate.
 */
export function normalizeGates(gates: GatesInput | undefined, parameter = 'gates'): StoredGates {
  if (gates === undefined) return {};
  const perStage: Readonly<Partial<Record<string, readonly GateInput[]>>> = isGateList(gates)
    ? { validation: gates }
    : gates;
  const out: StoredGates = {};
  for (const [stage, list] of Object.entries(perStage)) {
    if (list === undefined) continue;
    const target = StageSchema.safeParse(stage);
    if (!target.success) {
      throw new InvalidParameterError(
        parameter,
        stage,
        `unknown stage; expected one of ${StageSchema.options.join(', ')}`,
      );
    }
    out[target.data as Stage] = list.map((gate, i) => {
      const parsed = QualityGateSchema.safeParse(gate);
      if (!parsed.success) {
        throw new InvalidParameterError(
          `${parameter}.${stage}.${i}`,
          gate,
          parsed.error.issues.map((issue) => issue.message).join('; '),
        );
      }
      return formatGate(parsed.data);
    });
  }
  return StoredGatesSchema.parse(out);
}

function isGateList(gates: GatesInput): gates is readonly GateInput[] {
  return Array.isArray(gates);
}
