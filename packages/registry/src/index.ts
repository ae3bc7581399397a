export {
  canonicalJson,
  computeFingerprint,
  type Fingerprint,
  type FingerprintInputs,
  hashBars,
  sha256Hex,
} from './fingerprint.js';
export {
  CONFIG_FILE,
  IMPORTANCE_FILE,
  type LoadedModel,
  MANIFEST_FILE,
  METRICS_FILE,
  MODEL_FILE,
  type ModelFilter,
  ModelRegistry,
  type PromotionResult,
  type RegisterInput,
  type RegistryOptions,
  RegistryOptionsSchema,
  symbolFolder,
} from './ModelRegistry.js';
export { type GateOutcome, type Manifest, ManifestSchema, type StageChange } from './manifest.js';
export { allowedTransitions, canTransition, STAGES, type Stage, StageSchema } from './stages.js';
