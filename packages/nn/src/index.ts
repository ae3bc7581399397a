export {
  activeBackend,
  BACKEND_NAMES,
  BackendError,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from './initBackend.js';
export { checkSchedule, type LearningRateSchedule, learningRateAt } from './learningRateAt.js';
export { type MlpMetadata, type MlpOptions, type ResolvedMlpOptions, resolveMlpOptions } from './Mlp.js';
export {
  MLP_CLASSIFIER_KIND,
  MLP_CLASSIFIER_VERSION,
  MlpClassifier,
  type MlpClassifierOptions,
} from './MlpClassifier.js';
export { MLP_REGRESSOR_KIND, MLP_REGRESSOR_VERSION, MlpRegressor } from './MlpRegressor.js';
export { ACTIVATIONS, type Activation } from './network.js';
export { loadModel, MODEL_FILE, saveModel, WEIGHTS_FILE } from './saveModel.js';
export type { EarlyStoppingOptions, Loss, TrainingHistory } from './trainNetwork.js';
