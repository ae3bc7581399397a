export { annualizedReturn, cagr, totalReturn } from './annualizedReturn.js';
export { averageRanks } from './averageRanks.js';
export {
  accuracy,
  type ClassificationReport,
  type ClassScores,
  classificationReport,
  confusionMatrix,
  type PrecisionRecallF1,
} from './classificationReport.js';
export { equityFromReturns, returnsFromEquity } from './equityFromReturns.js';
export { logLoss } from './logLoss.js';
export { type MaxDrawdown, maxDrawdown } from './maxDrawdown.js';
export { normalCdf, normalPdf, normalQuantile } from './normalCdf.js';
export { pearson, spearman } from './pearson.js';
export { type AnnualizationOptions, DEFAULT_PERIODS_PER_YEAR, periodsPerYear } from './periodsPerYear.js';
export {
  type DeflatedSharpeOptions,
  deflatedSharpeRatio,
  expectedMaxSharpe,
  probabilisticSharpeRatio,
} from './probabilisticSharpeRatio.js';
export { expectancy, exposure, profitFactor, winRate } from './profitFactor.js';
export { mae, mse, r2, rmse } from './r2.js';
export { rocAuc } from './rocAuc.js';
export {
  calmarRatio,
  type SharpeOptions,
  type SortinoOptions,
  sharpeRatio,
  sortinoRatio,
  volatility,
} from './sharpeRatio.js';
export { type TradeListMetrics, type TradeRecord, tradeListMetrics } from './tradeListMetrics.js';
export { type TradingMetrics, type TradingMetricsOptions, tradingMetrics } from './tradingMetrics.js';
