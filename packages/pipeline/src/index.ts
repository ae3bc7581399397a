export { EXIT, main } from './cli/main.js';
export { type ClassLabels, computeClassLabels } from './labelStage.js';
export { loadStrategyBars, openStore, type SymbolBars, sourcePath } from './loadStrategyBars.js';
export { createModel, loadModel, prepareModelRuntime } from './modelStage.js';
export {
  type ReportGate,
  type ReportImportance,
  type ReportInput,
  type ReportTradeMarker,
  renderReport,
} from './renderReport.js';
export { type RetrainOptions, type RetrainResult, type RetrainRow, retrainUniverse } from './retrainUniverse.js';
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
export { type SymbolJobResult, tasks } from './tasks.js';
export {
  type ImportanceRow,
  type SymbolData,
  type TrainOptions,
  type TrainResult,
  trainStrategy,
} from './trainStrategy.js';
