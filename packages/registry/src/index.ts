export {
  computeFingerprint,
  type Fingerprint,
  type FingerprintInputs,
  hashBars,
  sha256Hex,
} from './fingerprint.js';
export {
  ModelRegistry,
  type RegistryOptions,
  RegistryOptionsSchema,
  type StoredModel,
} from './ModelRegistry.js';
export type {
  BestOptions,
  GateInput,
  GatesInput,
  LoadedModel,
  ModelFilter,
  ModelStore,
  PromoteOptions,
  PromotionResult,
  RegisterInput,
  RegistryProblem,
  ScanResult,
} from './ModelStore.js';
export {
  type Artifact,
  type GateOutcome,
  type GateSource,
  MANIFEST_FORMAT_VERSION,
  type Manifest,
  ManifestSchema,
  parseManifest,
  type StageChange,
  type StoredGates,
} from './manifest.js';
export { isPostgresLocation, type OpenModelStoreOptions, openModelStore } from './openModelStore.js';
export { PostgresModelRegistry, type PostgresRegistryOptions } from './PostgresModelRegistry.js';
export {
  CONFIG_FILE,
  IMPORTANCE_FILE,
  MANIFEST_FILE,
  METRICS_FILE,
  MODEL_FILE,
  normalizeGates,
  symbolFolder,
} from './prepareRegistration.js';
export { allowedTransitions, canTransition, STAGES, type Stage, StageSchema } from './stages.js';
