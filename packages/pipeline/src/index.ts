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
export {
  entryProbabilityColumns,
  type HybridDecision,
  hybridDecision,
  loadSizingAllocator,
  PpoSizingConfigSchema,
  predictHybrid,
  SIZING_FILE,
  type SizingAllocator,
  type SizingConfig,
  SizingConfigSchema,
  type SizingSpec,
  sizingColumns,
} from './hybridSizing.js';
export { type HybridFolds, runHybridFolds, trainFinalSizing } from './hybridStage.js';
export { loadStrategyBars, openStore, type SymbolBars, sourcePath } from './loadStrategyBars.js';
export {
  type ClassifierStrategyModel,
  loadStrategyModel,
  type PpoStrategyModel,
  type StrategyModel,
} from './loadStrategyModel.js';
export { createModel, loadModel, prepareModelRuntime } from './modelStage.js';
export {
  loadSearchSpace,
  type OptimizeStrategyOptions,
  optimizeStrategy,
  strategyWithParams,
} from './optimizeStrategy.js';
export {
  commonTimeBars,
  PortfolioAllocator,
  type PortfolioDecisions,
  type PortfolioEnvSpec,
  type PortfolioFoldResult,
  type PortfolioFolds,
  parsePortfolioEnvSpec,
  portfolioColumns,
  portfolioDecisions,
  predictPortfolio,
  runPortfolioFolds,
  trainFinalPortfolio,
} from './portfolioStage.js';
export {
  type PpoPositionState,
  type PpoPrediction,
  PpoTrader,
  predictPpo,
  replayPpo,
} from './ppoPredict.js';
export type { MetricSpread, PpoMetricSpread, PpoPolicyMetrics } from './ppoStage.js';
export { PREDICTIONS_FILE, predictionsCsv } from './predictionsCsv.js';
export { type LatestPrediction, predictLatest } from './predictLatest.js';
export { modelSymbols, type PredictedSignal, type PredictSignalOptions, predictSignal } from './predictSignal.js';
export { registryLocation } from './registryLocation.js';
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
  readConfigFile,
  type StrategyConfig,
  type StrategyConfigInput,
  StrategyConfigSchema,
  strategyJsonSchema,
  ValidationConfigSchema,
} from './strategyConfig.js';
export { buildStrategyDataset, type StrategyDataset, strategyBars, strategyFeatureSet } from './strategyDataset.js';
export { STRATEGY_METRIC_NAMES, STRATEGY_METRICS, type StrategyMetricName } from './strategyMetrics.js';
export { strategySplits } from './strategySplits.js';
export { type StrategyByValue, type SymbolJobResult, type TrainSymbolPayload, tasks } from './tasks.js';
export {
  type AllocatorSummary,
  type FoldSummary,
  type ImportanceRow,
  type PpoSummary,
  SHADOW_FILE,
  SHADOW_TRADES_FILE,
  type SizingSummary,
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
