export { type BinMapper, binMatrix, fitBinMapper, quantileUpperBounds } from './binning.js';
export { evaluateMetric, higherIsBetter } from './evalMetric.js';
export {
  Gbdt,
  type GbdtFitResult,
  type GbdtHistory,
  type GbdtJson,
  type ImportanceType,
  type PredictOptions,
} from './Gbdt.js';
export { GbdtEnsemble } from './GbdtEnsemble.js';
export { prepareGbdtThreads, releaseGbdtThreads } from './kernelThreads.js';
export {
  defaultMetric,
  EVAL_METRICS,
  type EvalMetric,
  type GbdtParams,
  type GbdtParamsInput,
  GbdtParamsSchema,
  GROW_POLICIES,
  type GrowPolicy,
  OBJECTIVES,
  type Objective,
  parseGbdtParams,
} from './params.js';
export type { Tree, TreeJson } from './Tree.js';
