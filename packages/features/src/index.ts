export {
  assembleDataset,
  type BuildDatasetOptions,
  type BuiltDataset,
  buildDataset,
  type DatasetLabels,
  type DroppedRows,
  type Float32Dataset,
  formatRowReport,
  type RowReport,
} from './buildDataset.js';
export { buildMultiSymbolDataset, type MultiSymbolDataset, type SymbolSeries } from './buildMultiSymbolDataset.js';
export {
  computeFeatures,
  type FeatureColumnInfo,
  type FeatureColumns,
  featureColumns,
  featureSetWarmup,
} from './computeFeatures.js';
export { FeatureStream, type FeatureStreamOptions } from './FeatureStream.js';
export {
  type CorrelationFilterOptions,
  correlationFilter,
  type FeatureSelection,
  type MutualInfoKBestOptions,
  type MutualInformationOptions,
  mutualInfoKBest,
  mutualInformation,
  selectFeatures,
  type VarianceThresholdOptions,
  varianceThreshold,
} from './featureSelection.js';
export { baseTimeframeIssue, type FeatureSetNeeds, featureSetNeeds } from './featureSetNeeds.js';
export {
  BAND_IDS,
  type BaseFeatureSpec,
  BaseFeatureSpecSchema,
  type FeatureKind,
  type FeatureSet,
  type FeatureSetInput,
  FeatureSetSchema,
  type FeatureSpec,
  FeatureSpecSchema,
  featureSetJsonSchema,
  PATTERN_IDS,
  parseFeatureSet,
  parseFeatureSetYaml,
  ROLLING_STATS,
  type RollingStat,
  safeParseFeatureSet,
  TIME_ENCODINGS,
  type TimeEncoding,
} from './featureSetSchema.js';
export { type CompletedBars, completedHigherTimeframe, joinCompleted, timeframeRatio } from './higherTimeframe.js';
export { MinMaxScaler } from './MinMaxScaler.js';
export { RobustScaler } from './RobustScaler.js';
export { rollingAutocorr, rollingStat } from './rollingStat.js';
export { Scaler, type ScalerJson, type ScalerKind } from './Scaler.js';
export { StandardScaler } from './StandardScaler.js';
export type { RowSelection } from './selectedRows.js';
export { type StandardFeatureSetOptions, standardFeatureSet } from './standardFeatureSet.js';
