export {
  ActorCritic,
  type ActorCriticSpec,
  type LossCoefficients,
  type LossStatistics,
  type Minibatch,
  type PolicyKind,
} from './ActorCritic.js';
export { collectRollout, RolloutBuffer, type RolloutEpisodes, type RolloutState } from './collectRollout.js';
export { computeGae, type GaeInput } from './computeGae.js';
export {
  type ActFunction,
  type EvaluateOptions,
  type EvaluationResult,
  evaluate,
  type TradingEvaluation,
} from './evaluate.js';
export { orthogonalInit } from './orthogonalInit.js';
export {
  type LearnCallbacks,
  type LearnOptions,
  type LearnResult,
  PPO,
  type PpoActionSpace,
  type PpoModelJson,
  type PpoOptions,
  type Prediction,
  type UpdateMetrics,
} from './PPO.js';
export { CARTPOLE_ZOO_CONFIG, DEFAULT_PPO_CONFIG, type PpoConfig, resolvePpoConfig } from './PpoConfig.js';
export { explainedVariance, ppoUpdate, type UpdateStatistics } from './ppoUpdate.js';
