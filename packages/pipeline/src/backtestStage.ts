import {
  type BacktestReport,
  backtestReport,
  mergePortfolio,
  type Portfolio,
  type PositionTrade,
  positionsFromProbabilities,
  positionTrades,
  vectorizedBacktest,
} from '@candlelab/backtest';
import { type Bars, inferCalendar, lowerBound, type MarketCalendar, sliceBars } from '@candlelab/core';
import { equityFromReturns, tradingMetrics } from '@candlelab/metrics';
import type { WalkForwardResult } from '@candlelab/validation';
import type { StrategyConfig } from './strategyConfig.js';
import type { StrategyDataset } from './strategyDataset.js';
import { classificationMetrics } from './walkForwardStage.js';

/** The out-of-sample signals of one symbol: one entry per scored bar, in time order. */
export interface SymbolSignals {
  symbol: string;
  /** Bar times of the scored bars. */
  time: Float64Array;
  /** Row-major `bars × numClasses` class probabilities from the fold model that scored each bar. */
  proba: Float64Array;
  /** Target position from the one rule (`decidePosition`): −1, 0 or 1. */
  positions: Float64Array;
  /** Fold whose model scored each bar. */
  fold: Int32Array;
  /** Close of each scored bar. */
  close: Float64Array;
}

/** Metrics of a backtest as the tables, the JSON output and the gates show them. */
export interface BacktestMetrics extends Record<string, number> {
  sharpe: number;
  sortino: number;
  totalReturn: number;
  cagr: number;
  maxDrawdown: number;
  calmar: number;
  exposure: number;
  trades: number;
  winRate: number;
  profitFactor: number;
  expectancy: number;
  avgHoldBars: number;
}

export interface BuyAndHoldMetrics extends Record<string, number> {
  sharpe: number;
  totalReturn: number;
  maxDrawdown: number;
}

/** One symbol's backtest over its out-of-sample bars (plus the bar its last decision fills on). */
export interface SymbolBacktest {
  symbol: string;
  /** The backtested bars. */
  bars: Bars;
  /** Target position per backtested bar (decided at the close, filled at the next open). */
  positions: Float64Array;
  /** Units held at each bar's close (the target of the bar before, once filled). */
  units: Float64Array;
  returns: Float64Array;
  holdReturns: Float64Array;
  /** Strategy and buy-and-hold equity, starting at 1 before the first bar, one point per bar. */
  equity: Float64Array;
  holdEquity: Float64Array;
  trades: PositionTrade[];
  backtest: BacktestMetrics;
  buyAndHold: BuyAndHoldMetrics;
}

export interface StrategyBacktest extends PositionsBacktest {
  calendar: MarketCalendar;
  signals: SymbolSignals[];
  /** Classification metrics of each symbol's out-of-sample rows (classifier strategies). */
  oosBySymbol: Map<string, Record<string, number>>;
}

export function backtestMetrics(report: BacktestReport): BacktestMetrics {
  return {
    sharpe: report.sharpe,
    sortino: report.sortino,
    totalReturn: report.totalReturn,
    cagr: report.cagr,
    maxDrawdown: report.maxDrawdown,
    calmar: report.calmar,
    exposure: report.exposure,
    trades: report.numberOfTrades,
    winRate: report.winRate,
    profitFactor: report.profitFactor,
    expectancy: report.expectancy,
    avgHoldBars: report.numberOfTrades > 0 ? report.avgHoldBars : 0,
  };
}

export function buyAndHoldMetrics(
  holdReturns: Float64Array,
  equity: Float64Array,
  annualization: object,
): BuyAndHoldMetrics {
  const metrics = tradingMetrics(holdReturns, annualization);
  return { sharpe: metrics.sharpe, totalReturn: equity[equity.length - 1]! - 1, maxDrawdown: metrics.maxDrawdown };
}

/** The calendar the strategy annualises with: configured, or read from the bars (weekends → crypto). */
export function strategyCalendar(config: StrategyConfig, bars: readonly Bars[]): MarketCalendar {
  if (config.backtest.calendar !== 'auto') return config.backtest.calendar;
  return bars.some((b) => inferCalendar(b.time) === 'crypto') ? 'crypto' : 'equity';
}

/** Target positions of one symbol at some of its bars (decided at those bars' closes). */
export interface PositionSeries {
  bars: Bars;
  /** Bar indices of the decisions, ascending. */
  barIndex: ArrayLike<number>;
  /** Target position (−1, 0 or 1) decided at each of those bars. */
  positions: ArrayLike<number>;
}

/** What a backtest of position series gives: each symbol's own and their equal-weight portfolio. */
export interface PositionsBacktest {
  symbols: SymbolBacktest[];
  portfolio: Portfolio;
  portfolioBacktest: BacktestMetrics;
  portfolioBuyAndHold: BuyAndHoldMetrics;
  trades: PositionTrade[];
}

/**
 * Backtests position series the one way every strategy kind is backtested: each symbol over its
 * decided bars (plus the bar its last decision fills on) with the vectorized engine (next-open
 * fills, the strategy's fees and slippage), then the symbols' equal-weight portfolio. Symbols
 * without decisions are left out.
 */
export function backtestPositions(
  config: StrategyConfig,
  series: readonly PositionSeries[],
  calendar: MarketCalendar,
): PositionsBacktest {
  const annualization = { timeframe: config.data.resample ?? config.data.timeframe, calendar };
  const cost = config.backtest.feesBps + config.backtest.slippageBps;
  const symbols: SymbolBacktest[] = [];
  for (const { bars, barIndex, positions: decided } of series) {
    if (barIndex.length === 0) continue;
    const first = barIndex[0]!;
    const end = Math.min(bars.time.length, barIndex[barIndex.length - 1]! + 2);
    const window = sliceBars(bars, first, end);
    const positions = new Float64Array(end - first);
    for (let j = 0; j < barIndex.length; j++) positions[barIndex[j]! - first] = decided[j]!;
    const run = vectorizedBacktest(window, positions, {
      feesBps: config.backtest.feesBps,
      slippageBps: config.backtest.slippageBps,
    });
    const holdReturns = window.close.map((c, i) => (i === 0 ? 0 : c / window.close[i - 1]! - 1));
    const holdEquity = equityFromReturns(holdReturns).subarray(1);
    const trades = positionTrades(window, positions, cost);
    const report = backtestReport(
      { initialCash: run.initialCash, equity: run.equity, returns: run.returns, units: run.units, trades },
      annualization,
    );
    symbols.push({
      symbol: bars.symbol,
      bars: window,
      positions,
      units: run.units,
      returns: run.returns,
      holdReturns,
      equity: run.equity,
      holdEquity,
      trades,
      backtest: backtestMetrics(report),
      buyAndHold: buyAndHoldMetrics(holdReturns, holdEquity, annualization),
    });
  }
  const portfolio = mergePortfolio(
    symbols.map((s) => ({
      time: s.bars.time,
      returns: s.returns,
      holdReturns: s.holdReturns,
      positions: s.units,
      equity: s.equity,
      holdEquity: s.holdEquity,
    })),
  );
  const trades = symbols.flatMap((s) => s.trades);
  const portfolioReport = backtestReport(
    { initialCash: 1, equity: portfolio.equity, returns: portfolio.returns, exposure: portfolio.exposure, trades },
    annualization,
  );
  return {
    symbols,
    portfolio,
    portfolioBacktest: backtestMetrics(portfolioReport),
    portfolioBuyAndHold: buyAndHoldMetrics(portfolio.holdReturns, portfolio.holdEquity, annualization),
    trades,
  };
}

/** Positions at bar indices from a symbol's signals (signals are a subset of its bars, in time order). */
export function signalSeries(bars: Bars, signals: SymbolSignals): PositionSeries {
  const barIndex = new Int32Array(signals.time.length);
  for (let i = 0; i < signals.time.length; i++) barIndex[i] = lowerBound(bars.time, signals.time[i]!);
  return { bars, barIndex, positions: signals.positions };
}

/**
 * Turns the stitched out-of-sample probabilities into positions with the one rule
 * (`positionsFromProbabilities`, the same code `predict` and `serve` use), backtests them with
 * `backtestPositions`, and scores each symbol's out-of-sample rows. Every table number comes
 * from the same arrays the charts draw.
 */
export function backtestOutOfSample(
  config: StrategyConfig,
  data: StrategyDataset,
  walkForward: WalkForwardResult<unknown>,
): StrategyBacktest {
  const { dataset, barIndex, labels } = data;
  const k = labels.numClasses;
  const proba = walkForward.proba!;
  const calendar = strategyCalendar(config, data.bars);
  const metrics = classificationMetrics(k, labels.upClass);
  const symbolRows = data.bars.map(() => [] as number[]);
  for (const row of walkForward.testedRows) symbolRows[dataset.symbolIndex?.[row] ?? 0]!.push(row);

  const signals: SymbolSignals[] = [];
  const oosBySymbol = new Map<string, Record<string, number>>();
  data.bars.forEach((bars, s) => {
    const rows = symbolRows[s]!;
    if (rows.length === 0) return;
    const rowProba = new Float64Array(rows.length * k);
    rows.forEach((row, j) => {
      rowProba.set(proba.subarray(row * k, row * k + k), j * k);
    });
    const at = Int32Array.from(rows, (row) => barIndex[row]!);
    signals.push({
      symbol: bars.symbol,
      time: Float64Array.from(at, (i) => bars.time[i]!),
      proba: rowProba,
      positions: positionsFromProbabilities(rowProba, labels, config.backtest),
      fold: Int32Array.from(rows, (row) => walkForward.rowFold[row]!),
      close: Float64Array.from(at, (i) => bars.close[i]!),
    });
    const y = Float64Array.from(rows, (row) => dataset.y[row]!);
    const predicted = Float64Array.from(rows, (row) => walkForward.predictions[row]!);
    oosBySymbol.set(
      bars.symbol,
      Object.fromEntries(
        Object.entries(metrics).map(([name, metric]) => [
          name,
          metric.fn(y, metric.input === 'proba' ? rowProba : predicted, k),
        ]),
      ),
    );
  });
  const bySymbol = new Map(data.bars.map((bars) => [bars.symbol, bars]));
  const backtest = backtestPositions(
    config,
    signals.map((x) => signalSeries(bySymbol.get(x.symbol)!, x)),
    calendar,
  );
  return { calendar, ...backtest, signals, oosBySymbol };
}
