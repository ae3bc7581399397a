/**
 * Compares every metric with values computed independently by numpy / scipy / scikit-learn in
 * `reference/generate.py` (committed output: `reference/expected.json`). Inputs are derived from the
 * real fixtures by the same formulas as in the script (see `derive_*` there) or stored in the JSON.
 */
import { readFileSync } from 'node:fs';
import type { Bars } from '@candlelab/core';
import { btcHourly, expectClose, loadFixtureBars } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  annualizedReturn,
  cagr,
  calmarRatio,
  classificationReport,
  confusionMatrix,
  deflatedSharpeRatio,
  equityFromReturns,
  expectancy,
  expectedMaxSharpe,
  exposure,
  logLoss,
  mae,
  maxDrawdown,
  mse,
  normalCdf,
  normalQuantile,
  pearson,
  probabilisticSharpeRatio,
  profitFactor,
  r2,
  rmse,
  rocAuc,
  type SharpeOptions,
  type SortinoOptions,
  sharpeRatio,
  sortinoRatio,
  spearman,
  type TradeRecord,
  totalReturn,
  tradeListMetrics,
  tradingMetrics,
  volatility,
  winRate,
} from './index.js';
import type { MaxDrawdown } from './maxDrawdown.js';

interface ExpectedTrading {
  totalReturn: number;
  annualizedReturn: number;
  cagr: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  maxDrawdown: MaxDrawdown;
  calmar: number;
  winRate: number;
  profitFactor: number;
  expectancy: number;
  exposure: number;
  probabilisticSharpe: number;
  'psrBenchmark0.01': number;
}
interface PRF {
  precision: number;
  recall: number;
  f1: number;
}
interface ExpectedClassification {
  accuracy: number;
  confusion: number[][];
  perClass: (PRF & { support: number })[];
  macro: PRF;
  weighted: PRF;
}
interface ExpectedRegression {
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}
interface Reference {
  btc1h: {
    buyAndHold: { options: SharpeOptions; expected: ExpectedTrading };
    momentum24: { options: SortinoOptions; expected: ExpectedTrading };
    deflated: { numTrials: number; sharpeVariance: number; expectedMaxSharpe: number; dsr: number };
  };
  btc4hEquity: { options: SharpeOptions; expected: ExpectedTrading };
  btcPrediction: {
    classification: ExpectedClassification;
    logLoss: number;
    rocAuc: number;
    rocAucCoarse: number;
    regression: ExpectedRegression;
    correlation: { pearson: number; spearman: number };
    correlationCoarse: { pearson: number; spearman: number };
  };
  syntheticReturns: { returns: number[]; options: SharpeOptions & SortinoOptions; expected: ExpectedTrading };
  syntheticClassification: {
    numClasses: number;
    yTrue: number[];
    yPred: number[];
    proba: number[];
    expected: ExpectedClassification;
    logLoss: number;
    binary: { yTrue: number[]; scores: number[]; rocAuc: number };
  };
  syntheticRegression: {
    x: number[];
    y: number[];
    expected: ExpectedRegression & { pearson: number; spearman: number };
  };
  syntheticTrades: { trades: TradeRecord[]; expected: Record<string, number> };
  normal: { cdf: [number, number][]; quantile: [number, number][]; expectedMaxSharpe: [number, number, number][] };
}

const ref = JSON.parse(readFileSync(new URL('../reference/expected.json', import.meta.url), 'utf8')) as Reference;
const REL = 1e-9;

/** derive_returns: close[i+1]/close[i] - 1. */
function returnsOf(bars: Bars): Float64Array {
  const c = bars.close;
  const r = new Float64Array(c.length - 1);
  for (let i = 0; i < r.length; i++) r[i] = c[i + 1]! / c[i]! - 1;
  return r;
}

/** derive_momentum: long while close[i] > close[i - lookback]. */
function momentum(bars: Bars, lookback: number): { positions: Float64Array; returns: Float64Array } {
  const c = bars.close;
  const r = returnsOf(bars);
  const positions = new Float64Array(r.length);
  const returns = new Float64Array(r.length);
  for (let i = lookback; i < r.length; i++) positions[i] = c[i]! > c[i - lookback]! ? 1 : 0;
  for (let i = 0; i < r.length; i++) returns[i] = positions[i]! * r[i]!;
  return { positions, returns };
}

/** derive_class: 0 down (< -0.002), 1 flat, 2 up (> 0.002). */
function classOf(values: Float64Array): Float64Array {
  return values.map((x) => (x < -0.002 ? 0 : x > 0.002 ? 2 : 1));
}

function expectTrading(
  returns: ArrayLike<number>,
  options: SharpeOptions & SortinoOptions,
  e: ExpectedTrading,
  positions?: ArrayLike<number>,
) {
  expectClose(totalReturn(returns), e.totalReturn, { rel: REL }, 'totalReturn');
  expectClose(annualizedReturn(returns, options), e.annualizedReturn, { rel: REL }, 'annualizedReturn');
  expectClose(cagr(equityFromReturns(returns), options), e.cagr, { rel: REL }, 'cagr');
  expectClose(volatility(returns, options), e.volatility, { rel: REL }, 'volatility');
  expectClose(sharpeRatio(returns, options), e.sharpe, { rel: REL }, 'sharpe');
  expectClose(sortinoRatio(returns, options), e.sortino, { rel: REL }, 'sortino');
  const dd = maxDrawdown(equityFromReturns(returns));
  const { maxDrawdown: depth, ...where } = dd;
  const { maxDrawdown: expectedDepth, ...expectedWhere } = e.maxDrawdown;
  expectClose(depth, expectedDepth, { rel: REL }, 'maxDrawdown');
  expect(where).toEqual(expectedWhere);
  expectClose(calmarRatio(returns, options), e.calmar, { rel: REL }, 'calmar');
  expectClose(winRate(returns), e.winRate, { rel: 1e-12 }, 'winRate');
  expectClose(profitFactor(returns), e.profitFactor, { rel: REL }, 'profitFactor');
  expectClose(expectancy(returns), e.expectancy, { rel: REL }, 'expectancy');
  expectClose(exposure(positions ?? returns), e.exposure, { rel: 1e-12 }, 'exposure');
  expectClose(probabilisticSharpeRatio(returns), e.probabilisticSharpe, { rel: REL }, 'PSR');
  expectClose(probabilisticSharpeRatio(returns, 0.01), e['psrBenchmark0.01'], { rel: REL }, 'PSR vs 0.01');

  const all = tradingMetrics(returns, { ...options, ...(positions ? { positions } : {}) });
  expect(all.bars).toBe(returns.length);
  expectClose(all.sharpe, e.sharpe, { rel: REL }, 'tradingMetrics.sharpe');
  expectClose(all.sortino, e.sortino, { rel: REL }, 'tradingMetrics.sortino');
  expectClose(all.cagr, e.cagr, { rel: REL }, 'tradingMetrics.cagr');
  expectClose(all.calmar, e.calmar, { rel: REL }, 'tradingMetrics.calmar');
  expectClose(all.maxDrawdown, e.maxDrawdown.maxDrawdown, { rel: REL }, 'tradingMetrics.maxDrawdown');
  expect(all.maxDrawdownDuration).toBe(e.maxDrawdown.durationBars);
  expect(all.longestDrawdownDuration).toBe(e.maxDrawdown.longestDurationBars);
  expectClose(all.exposure, e.exposure, { rel: 1e-12 }, 'tradingMetrics.exposure');
  expectClose(all.probabilisticSharpe, e.probabilisticSharpe, { rel: REL }, 'tradingMetrics.PSR');
}

function expectClassification(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
  e: ExpectedClassification,
) {
  expectClose(accuracy(yTrue, yPred), e.accuracy, { rel: 1e-12 }, 'accuracy');
  expect(confusionMatrix(yTrue, yPred, k)).toEqual(e.confusion);
  const report = classificationReport(yTrue, yPred, k);
  expectClose(report.accuracy, e.accuracy, { rel: 1e-12 }, 'report.accuracy');
  report.perClass.forEach((scores, c) => {
    const expected = e.perClass[c]!;
    expect(scores.support).toBe(expected.support);
    for (const key of ['precision', 'recall', 'f1'] as const) {
      expectClose(scores[key], expected[key], { rel: 1e-12 }, `class ${c} ${key}`);
    }
  });
  for (const key of ['precision', 'recall', 'f1'] as const) {
    expectClose(report.macro[key], e.macro[key], { rel: 1e-12 }, `macro ${key}`);
    expectClose(report.weighted[key], e.weighted[key], { rel: 1e-12 }, `weighted ${key}`);
  }
}

function expectRegression(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, e: ExpectedRegression) {
  expectClose(mse(yTrue, yPred), e.mse, { rel: REL }, 'mse');
  expectClose(rmse(yTrue, yPred), e.rmse, { rel: REL }, 'rmse');
  expectClose(mae(yTrue, yPred), e.mae, { rel: REL }, 'mae');
  expectClose(r2(yTrue, yPred), e.r2, { rel: REL }, 'r2');
}

describe('reference values from numpy/scipy/scikit-learn (reference/generate.py)', () => {
  const btc = btcHourly();
  const r = returnsOf(btc);

  it('buy-and-hold BTC/USDT 1h, crypto calendar from the timeframe, 2% risk-free', () => {
    const { expected, options } = ref.btc1h.buyAndHold;
    expect(r.length).toBe(45_023);
    expectTrading(r, { timeframe: options.timeframe, riskFreeRate: options.riskFreeRate }, expected);
  });

  it('24h momentum strategy on BTC/USDT 1h, with positions and a Sortino target', () => {
    const { expected, options } = ref.btc1h.momentum24;
    const { positions, returns } = momentum(btc, 24);
    expectTrading(returns, { timeframe: options.timeframe, target: options.target }, expected, positions);
  });

  it('deflated Sharpe ratio of the momentum strategy against 50 lookbacks', () => {
    const { numTrials, sharpeVariance, expectedMaxSharpe: sr0, dsr } = ref.btc1h.deflated;
    const { returns } = momentum(btc, 24);
    expectClose(expectedMaxSharpe(numTrials, sharpeVariance), sr0, { rel: REL }, 'expectedMaxSharpe');
    expectClose(deflatedSharpeRatio(returns, { numTrials, sharpeVariance }), dsr, { rel: REL }, 'DSR');
  });

  it('buy-and-hold BTC/USDT 4h on the equity calendar (409.5 bars per year)', () => {
    const { expected, options } = ref.btc4hEquity;
    const r4 = returnsOf(loadFixtureBars('ohlcv/BTC_USDT-4h.json.gz'));
    expectTrading(r4, { timeframe: options.timeframe, calendar: options.calendar }, expected);
  });

  it('seeded Student-t returns with periodsPerYear 252', () => {
    const { expected, options, returns } = ref.syntheticReturns;
    expectTrading(returns, options, expected);
  });

  it('predicting the next hourly BTC return from the current one', () => {
    const e = ref.btcPrediction;
    const cur = r.subarray(0, r.length - 1);
    const next = r.subarray(1);
    expectClassification(classOf(next), classOf(cur), 3, e.classification);
    const proba = new Float64Array(cur.length * 3);
    cur.forEach((x, i) => {
      const z = x * 200;
      const sum = Math.exp(-z) + 1 + Math.exp(z);
      proba.set([Math.exp(-z) / sum, 1 / sum, Math.exp(z) / sum], i * 3);
    });
    expectClose(logLoss(classOf(next), proba, 3), e.logLoss, { rel: REL }, 'logLoss');
    const up = next.map((x) => (x > 0 ? 1 : 0));
    const coarse = cur.map((x) => Math.floor(x * 1000));
    expectClose(rocAuc(up, cur), e.rocAuc, { rel: REL }, 'rocAuc');
    expectClose(rocAuc(up, coarse), e.rocAucCoarse, { rel: REL }, 'rocAuc with ties');
    expectRegression(
      next,
      cur.map((x) => -0.05 * x),
      e.regression,
    );
    expectClose(pearson(cur, next), e.correlation.pearson, { rel: REL }, 'pearson');
    expectClose(spearman(cur, next), e.correlation.spearman, { rel: REL }, 'spearman');
    expectClose(pearson(coarse, next), e.correlationCoarse.pearson, { rel: REL }, 'pearson coarse');
    expectClose(spearman(coarse, next), e.correlationCoarse.spearman, { rel: REL }, 'spearman with ties');
  });

  it('seeded multiclass labels with an absent class and a never-predicted class (zero_division=0)', () => {
    const e = ref.syntheticClassification;
    expectClassification(e.yTrue, e.yPred, e.numClasses, e.expected);
    expectClose(logLoss(e.yTrue, e.proba, e.numClasses), e.logLoss, { rel: REL }, 'logLoss');
    expectClose(rocAuc(e.binary.yTrue, e.binary.scores), e.binary.rocAuc, { rel: 1e-12 }, 'rocAuc');
  });

  it('seeded linear regression data', () => {
    const { x, y, expected } = ref.syntheticRegression;
    expectRegression(
      y,
      x.map((v) => 2 * v),
      expected,
    );
    expectClose(pearson(x, y), expected.pearson, { rel: REL }, 'pearson');
    expectClose(spearman(x, y), expected.spearman, { rel: REL }, 'spearman');
  });

  it('seeded trade list', () => {
    const { trades, expected } = ref.syntheticTrades;
    const actual = tradeListMetrics(trades);
    for (const [key, value] of Object.entries(expected)) {
      expectClose(actual[key as keyof typeof actual], value, { rel: 1e-12 }, key);
    }
  });

  it('normal CDF, quantile and expected maximum Sharpe match scipy.stats.norm', () => {
    for (const [z, p] of ref.normal.cdf) expectClose(normalCdf(z), p, { rel: 1e-12 }, `Φ(${z})`);
    for (const [p, z] of ref.normal.quantile)
      expectClose(normalQuantile(p), z, { rel: 1e-12, abs: 1e-300 }, `Φ⁻¹(${p})`);
    for (const [n, v, sr0] of ref.normal.expectedMaxSharpe) {
      expectClose(expectedMaxSharpe(n, v), sr0, { rel: 1e-12 }, `E[max SR](${n}, ${v})`);
    }
  });
});
