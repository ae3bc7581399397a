/**
 * Every metric a strategy's gates may name, with what it measures. The trainer produces exactly
 * these (a test checks both ways), so a misspelt gate is refused when the strategy is parsed,
 * never at the end of a training run.
 */
export const STRATEGY_METRICS = {
  sharpe: 'annualised Sharpe ratio of the out-of-sample portfolio backtest',
  sortino: 'annualised Sortino ratio of the out-of-sample portfolio backtest',
  totalReturn: 'total return of the out-of-sample portfolio backtest (0.1 = +10%)',
  cagr: 'compound annual growth rate of the out-of-sample portfolio backtest',
  maxDrawdown: 'largest peak-to-trough fall of portfolio equity (positive fraction)',
  calmar: 'CAGR ÷ max drawdown',
  exposure: 'fraction of bars with a position',
  trades: 'number of round-trip trades over all symbols',
  winRate: 'fraction of trades with a positive return after costs',
  profitFactor: 'gross profit ÷ gross loss of the trades',
  expectancy: 'mean return per trade after costs',
  avgHoldBars: 'mean bars held per trade',
  buyAndHoldReturn: 'total return of holding the symbols equal-weighted over the same bars',
  excessReturn: 'totalReturn − buyAndHoldReturn',
  oosAccuracy: 'out-of-sample accuracy of the stitched walk-forward predictions',
  oosF1Macro: 'out-of-sample macro-averaged F1',
  oosLogLoss: 'out-of-sample log-loss',
  oosAuc: 'out-of-sample one-vs-rest ROC-AUC of the "up" class',
  oosRows: 'dataset rows scored out of sample',
  folds: 'number of validation folds',
} as const;

export type StrategyMetricName = keyof typeof STRATEGY_METRICS;
export const STRATEGY_METRIC_NAMES = Object.keys(STRATEGY_METRICS) as StrategyMetricName[];
