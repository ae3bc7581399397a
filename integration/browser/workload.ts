// The computation run twice — in Node on the packages' sources and in headless Chromium from one
// esbuild bundle — whose every output must agree bit for bit. Only browser-safe packages: no
// @candlelab/data (files, databases), and signals' browser-safe subpath `@candlelab/signals/aggregate`.
import { backtestReport, positionRule, positionsFromProbabilities, vectorizedBacktest } from '@candlelab/backtest';
import { type Bars, type Signal, sliceRows } from '@candlelab/core';
import { buildDataset, computeFeatures, standardFeatureSet } from '@candlelab/features';
import { FuzzyEngine } from '@candlelab/fuzzy';
import { Gbdt } from '@candlelab/gbdt';
import { atr, bbands, macd, rsi } from '@candlelab/indicators';
import { forwardReturnLabels, tripleBarrierLabels, zigzagLabels } from '@candlelab/labels';
import { maxDrawdown, rocAuc, sharpeRatio } from '@candlelab/metrics';
import { aggregateSignals } from '@candlelab/signals/aggregate';
import { purgedKFold, runWalkForward, standardMetrics, timeSeriesSplit } from '@candlelab/validation';

/** Named numeric outputs: every value compared bit for bit. */
export type WorkloadResult = Record<string, Float64Array>;

export async function workload(bars: Bars): Promise<WorkloadResult> {
  const out: WorkloadResult = {};
  out.rsi = rsi.batch(bars.close, { period: 14 });
  out.macdHistogram = macd.batch(bars.close, {}).histogram;
  out.bbPercentB = bbands.batch(bars, { period: 20, stdDev: 2 }).percentB;
  out.atr = atr.batch(bars, { period: 14 });

  const fuzzy = FuzzyEngine.fromConfig({
    rsi: {
      range: [0, 100],
      sets: {
        low: { type: 'trapezoidal', parameters: [0, 0, 25, 40] },
        mid: { type: 'gaussian', parameters: [50, 10] },
        high: { type: 'sigmoid', parameters: [70, 0.3] },
      },
    },
  });
  for (const [name, column] of Object.entries(fuzzy.evaluate({ rsi: out.rsi }))) out[`fuzzy.${name}`] = column;

  const features = computeFeatures(bars, standardFeatureSet());
  features.names.forEach((name, j) => {
    out[`feature.${name}`] = features.columns[j]!;
  });
  out.zigzag = zigzagLabels(bars, { threshold: 0.02, lookahead: 24 }).label;
  out.tripleBarrier = tripleBarrierLabels(bars, { profitTake: 2, stopLoss: 1, maxHolding: 24 }).label;

  const horizon = 4;
  const { dataset, rows } = buildDataset(
    bars,
    standardFeatureSet(),
    forwardReturnLabels(bars, { horizon, target: 'binary' }),
  );
  const n = dataset.y.length;
  const trainEnd = Math.floor(n * 0.7);
  const params = {
    objective: 'binary',
    nEstimators: 30,
    numLeaves: 15,
    learningRate: 0.1,
    subsample: 0.8,
    colsampleByTree: 0.8,
    seed: 5,
  } as const;
  const model = new Gbdt(params);
  model.fit(sliceRows(dataset, 0, trainEnd - horizon));
  const test = sliceRows(dataset, trainEnd, n);
  const proba = model.predictProba({ data: test.X, rows: n - trainEnd, cols: dataset.featureNames.length });
  out.gbdtProba = proba;
  out.gbdtImportance = model.featureImportance('gain');
  out.gbdtAuc = Float64Array.of(
    rocAuc(
      test.y,
      proba.filter((_, i) => i % 2 === 1),
    ),
  );

  const cv = await runWalkForward(dataset, timeSeriesSplit(n, { nSplits: 3, gap: horizon }), {
    createEstimator: () => new Gbdt({ ...params, nEstimators: 10 }),
    metrics: { logLoss: standardMetrics.logLoss },
  });
  out.cvPredictions = cv.predictions;
  out.purgedFoldTrainRows = Float64Array.from(
    purgedKFold({ time: dataset.time, labelEnd: dataset.labelEnd }, { nSplits: 4, embargo: horizon }),
    (split) => split.train.reduce((s, r) => s + r.end - r.start, 0),
  );

  const positions = positionsFromProbabilities(
    proba,
    { numClasses: 2, upClass: 1 },
    positionRule({ entryThreshold: 0.52 }),
  );
  const target = new Float64Array(bars.time.length);
  positions.forEach((p, k) => {
    target[rows[trainEnd + k]!] = p;
  });
  const backtest = vectorizedBacktest(bars, target, { feesBps: 10, slippageBps: 5 });
  const report = backtestReport(backtest, { timeframe: bars.timeframe });
  out.equity = backtest.equity;
  out.report = Float64Array.of(report.sharpe, report.sortino, report.maxDrawdown, report.cagr, report.exposure);
  out.metrics = Float64Array.of(sharpeRatio(backtest.returns), maxDrawdown(backtest.equity).maxDrawdown);

  const signals: Signal[] = [
    { time: 1, symbol: bars.symbol, action: 'buy', confidence: proba[1]!, source: 'gbdt' },
    { time: 1, symbol: bars.symbol, action: 'sell', confidence: 0.6, source: 'rsi' },
    { time: 1, symbol: bars.symbol, action: 'buy', confidence: 0.7, source: 'macd', size: 0.5 },
  ];
  const decision = aggregateSignals(signals, { weights: { gbdt: 2, rsi: 1, macd: 1 } });
  out.aggregate = Float64Array.of(
    decision.confidence,
    decision.consensus,
    decision.positionSize,
    decision.action === 'buy' ? 1 : 0,
  );
  return out;
}
