export {
  AlertNotifier,
  type AlertNotifierOptions,
  type AlertNotifierStats,
  alertBody,
  type HealthAlert,
  type HealthAlertKind,
} from './AlertNotifier.js';
export { type CandlelabServer, createServer, DASHBOARD_PATH, startServer, WEBHOOK_PATH } from './createServer.js';
export { type ColumnDrift, DriftMonitor, type DriftOptions, type DriftReport } from './DriftMonitor.js';
export { dashboardPage } from './dashboardPage.js';
export { type KsTest, ksTwoSample, populationStabilityIndex, sortedFinite } from './driftStatistics.js';
export {
  type DecideOptions,
  decideWithWeights,
  learnedWeightsAt,
  learnFromOutcome,
  learningOrder,
} from './learnedWeights.js';
export {
  backtestTradeReturns,
  compareLivePerformance,
  type PerformanceOptions,
  type PerformanceReport,
} from './livePerformance.js';
export type {
  AggregateInput,
  CommitResult,
  LogBatch,
  LogKind,
  LogQuery,
  LogRecord,
  Outcome,
  PredictionLog,
} from './PredictionLog.js';
export { type PaperResult, paperTrades, targetOf } from './paperTrades.js';
export {
  binomialCdf,
  logGamma,
  meanBelow,
  type OneSidedTest,
  regularizedBeta,
  studentTCdf,
  wilsonInterval,
  winRateBelow,
} from './performanceTests.js';
export { type RetrainedModel, RetrainScheduler, type TrainingJob } from './RetrainScheduler.js';
export {
  AGGREGATE_SOURCE,
  type AggregatorSettings,
  type FormingView,
  type LatestFeatures,
  SeriesLoop,
  type SeriesLoopOptions,
  type TickReport,
} from './SeriesLoop.js';
export {
  type HealthReport,
  type ModelHealth,
  openCandleStore,
  openPredictionLog,
  type SeriesHealth,
  type ServeEvent,
  type ServeOptions,
  ServeRuntime,
} from './ServeRuntime.js';
export {
  type DuckDbPredictionLogOptions,
  openDuckDbPredictionLog,
  openPostgresPredictionLog,
  type PostgresPredictionLogOptions,
} from './SqlPredictionLog.js';
export {
  loadServeConfig,
  parseServeConfig,
  type ServeConfig,
  type ServeConfigInput,
  ServeConfigSchema,
} from './serveConfig.js';
export {
  labelHorizonBars,
  loadServedModel,
  probabilityNames,
  type ServedAllocator,
  type ServedClassifier,
  type ServedModel,
  type ServedPpoTrader,
  servedKind,
  servingMismatch,
} from './servedModel.js';
export { type ServeMainIo, serveMain } from './serveMain.js';
