export {
  type BacktestReport,
  type BacktestReportOptions,
  backtestReport,
  type ReportInput,
  type ReportTrade,
} from './backtestReport.js';
export { BRACKET_NONE, BRACKET_STOP, BRACKET_TARGET, bracketExit, bracketFillPrice } from './bracketExit.js';
export {
  type EventBacktestOptions,
  type EventBacktestResult,
  type ExitReason,
  type Fill,
  type OpenPosition,
  type OrderRequest,
  type OrderSide,
  type OrderType,
  type PositionSide,
  runEventBacktest,
  type Sizing,
  type Strategy,
  type StrategyContext,
  type Trade,
} from './eventBacktest.js';
export { type MaCrossoverStrategyOptions, maCrossoverStrategy } from './maCrossoverStrategy.js';
export { mergePortfolio, type Portfolio, type PortfolioPart } from './mergePortfolio.js';
export { type Pattern, PatternLibrary, type PatternLibraryOptions, type PatternMatch } from './PatternLibrary.js';
export {
  type ClassMeaning,
  decidePosition,
  type PositionDecision,
  type PositionRule,
  type PositionRuleInput,
  PositionRuleSchema,
  positionFromPredictedReturn,
  positionRule,
  positionsFromProbabilities,
} from './positionRule.js';
export { type PositionTrade, positionTrades } from './positionTrades.js';
export { SeriesView } from './SeriesView.js';
export {
  attributeByFeature,
  attributeBySetup,
  type BucketStats,
  bestHoldingPeriod,
  type GroupStats,
  groupStats,
  type HoldingPeriodCurve,
  type SetupStats,
} from './shadowAnalysis.js';
export {
  type EntryRule,
  type ShadowExitReason,
  type ShadowOptions,
  type ShadowOutcome,
  type ShadowResult,
  type ShadowTrade,
  shadowTrades,
} from './shadowTrades.js';
export {
  type FillTiming,
  type MaCrossoverGridOptions,
  type MaCrossoverGridResult,
  maCrossoverGrid,
  type PriceColumns,
  type VectorizedEquityResult,
  type VectorizedGridOptions,
  type VectorizedGridResult,
  type VectorizedOptions,
  type VectorizedResult,
  vectorizedBacktest,
  vectorizedEquity,
  vectorizedGrid,
} from './vectorized.js';
export { type WeightsBacktestOptions, type WeightsBacktestResult, weightsBacktest } from './weightsBacktest.js';
