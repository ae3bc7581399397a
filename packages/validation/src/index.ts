export { type ChronologicalSplitOptions, chronologicalSplit, type SplitFractions } from './chronologicalSplit.js';
export {
  binomial,
  type CombinatorialPurgedCV,
  type CombinatorialPurgedCVOptions,
  type CpcvSplit,
  combinatorialPurgedCV,
  cpcvPathPredictions,
} from './combinatorialPurgedCV.js';
export { type IndexRange, indicesToRanges, rangesLength, rangesToIndices, type Split } from './indexRange.js';
export { isClassifier, type Metric, metricInput, scoreModel } from './metric.js';
export {
  type PermutationImportance,
  type PermutationImportanceCVOptions,
  type PermutationImportanceOptions,
  permutationImportance,
  permutationImportanceCV,
} from './permutationImportance.js';
export { checkLabelTimes, type LabelTimes, purgeTrain } from './purge.js';
export { contiguousGroups, type PurgedKFoldOptions, purgedKFold } from './purgedKFold.js';
export {
  evaluateGates,
  formatGate,
  GATE_OPERATORS,
  type GateOperator,
  type GateReport,
  type GateResult,
  parseQualityGates,
  type QualityGate,
  QualityGateSchema,
  QualityGatesSchema,
} from './qualityGates.js';
export {
  type FoldOutput,
  type FoldResult,
  type FoldWindow,
  fitFold,
  type RunWalkForwardOptions,
  runWalkForward,
  type WalkForwardResult,
} from './runWalkForward.js';
export { type StandardMetricName, standardMetrics } from './standardMetrics.js';
export { type TimeSeriesSplitOptions, timeSeriesSplit } from './timeSeriesSplit.js';
export { type WalkForwardOptions, walkForwardSplit, walkForwardSplitByTime } from './walkForwardSplit.js';
