export { Adam, type AdamOptions, clipGradNorm } from './Adam.js';
export {
  DENSE_MLP_ACTIVATIONS,
  DenseMlp,
  type DenseMlpActivation,
  type DenseMlpSpec,
} from './DenseMlp.js';
export {
  activeBackend,
  BACKEND_NAMES,
  BackendError,
  type BackendName,
  type InitBackendOptions,
  initBackend,
  type WasmBinary,
} from './initBackend.js';
export {
  checkSchedule,
  type LearningRateSchedule,
  LearningRateScheduleSchema,
  learningRateAt,
} from './learningRateAt.js';
export type { MlpMetadata } from './Mlp.js';
export { MLP_CLASSIFIER_KIND, MLP_CLASSIFIER_VERSION, MlpClassifier } from './MlpClassifier.js';
export {
  type EarlyStoppingOptions,
  EarlyStoppingSchema,
  type MlpClassifierOptionsInput,
  MlpClassifierOptionsSchema,
  type MlpOptionsInput,
  MlpOptionsSchema,
  type ResolvedEarlyStopping,
  type ResolvedMlpClassifierOptions,
  type ResolvedMlpOptions,
  resolveMlpClassifierOptions,
  resolveMlpOptions,
} from './MlpOptionsSchema.js';
export { MLP_REGRESSOR_KIND, MLP_REGRESSOR_VERSION, MlpRegressor } from './MlpRegressor.js';
export { ACTIVATIONS, type Activation } from './network.js';
export { loadModel, MODEL_FILE, saveModel, WEIGHTS_FILE } from './saveModel.js';
export type { Loss, TrainingHistory } from './trainNetwork.js';
