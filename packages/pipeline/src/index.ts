export {
  type BacktestMetrics,
  type BuyAndHoldMetrics,
  backtestOutOfSample,
  type StrategyBacktest,
  type SymbolBacktest,
  type SymbolSignals,
  strategyCalendar,
} from './backtestStage.js';
export { checkStrategy, strategyIssues } from './checkStrategy.js';
export { loadStrategyBars, openStore, type SymbolBars, sourcePath } from './loadStrategyBars.js';
export { createModel, loadModel, prepareModelRuntime } from './modelStage.js';
export { PREDICTIONS_FILE, predictionsCsv } from './predictionsCsv.js';
export { type LatestPrediction, predictLatest } from './predictLatest.js';
export { modelSymbols, type PredictedSignal, type PredictSignalOptions, predictSignal } from './predictSignal.js';
export { isPostgresLocation, registryLocation } from './registryLocation.js';
export {
  type ReportCandles,
  type ReportGate,
  type ReportImportance,
  type ReportInput,
  type ReportSection,
  type ReportTradeMarker,
  renderReport,
} from './renderReport.js';
export { type RetrainOptions, type RetrainResult, type RetrainRow, retrainUniverse } from './retrainUniverse.js';
export {
  SHADOW_METRICS,
  SHADOW_TABLES,
  type ShadowConfig,
  ShadowConfigSchema,
  type ShadowMetricName,
  type ShadowPattern,
  type ShadowReport,
  type ShadowTradeRecord,
  shadowMetrics,
  shadowStage,
  shadowTradesCsv,
  writeShadowTables,
} from './shadowStage.js';
export {
  BacktestConfigSchema,
  DataConfigSchema,
  LabelsConfigSchema,
  type LoadedStrategy,
  loadStrategy,
  ModelConfigSchema,
  parseStrategy,
  type StrategyConfig,
  type StrategyConfigInput,
  StrategyConfigSchema,
  strategyJsonSchema,
  ValidationConfigSchema,
} from './strategyConfig.js';
export { buildStrategyDataset, type StrategyDataset, strategyBars, strategyFeatureSet } from './strategyDataset.js';
export { STRATEGY_METRIC_NAMES, STRATEGY_METRICS, type StrategyMetricName } from './strategyMetrics.js';
export { strategySplits } from './strategySplits.js';
export { type SymbolJobResult, tasks } from './tasks.js';
export {
  type FoldSummary,
  type ImportanceRow,
  SHADOW_FILE,
  SHADOW_TRADES_FILE,
  type SymbolData,
  type SymbolResult,
  type TrainOptions,
  type TrainResult,
  type TrainResultJson,
  trainResultJson,
  trainStrategy,
} from './trainStrategy.js';
export { classificationMetrics, runStrategyFolds, type StrategyFolds } from './walkForwardStage.js';
export { workerModule } from './workerModule.js';
