import { fileURLToPath } from 'node:url';
import { type Dataset, type Timeframe, timeframeToMs } from '@candlelab/core';
import { BUNDLED_BTC_HOURLY, type DataFile, loadDataFile, runExampleCli } from '@candlelab/example-data';
import { buildDataset, type RowReport, standardFeatureSet } from '@candlelab/features';
import { GbdtEnsemble } from '@candlelab/gbdt';
import { forwardReturnLabels } from '@candlelab/labels';
import { logLoss } from '@candlelab/metrics';
import { purgedKFold, runWalkForward, type Split, standardMetrics, timeSeriesSplit } from '@candlelab/validation';

export interface GbdtCvExampleOptions {
  /** The candle file. Default: the bundled Binance BTC/USDT 1h fixture. */
  data?: DataFile;
  /** The most recent bars of the file used. Default 8,760 (one year of hourly bars). */
  bars?: number;
  /** Label horizon in bars: "does the close rise more than `upper` over the next `horizon` bars?". Default 4. */
  horizon?: number;
  /** Return threshold of the up class. Default 0.002. */
  upper?: number;
  /** Folds of both cross-validations. Default 5. */
  folds?: number;
  /** Boosting rounds of each ensemble member. Default 60. */
  nEstimators?: number;
  /** Learning rate of each member. Default 0.05. */
  learningRate?: number;
  /** Seed of both members. Default 42. */
  seed?: number;
}

export interface CvFold {
  fold: number;
  trainRows: number;
  testRows: number;
  testStart: number;
  testEnd: number;
  metrics: Record<string, number>;
}

export interface CvSummary {
  method: 'timeSeriesSplit' | 'purgedKFold';
  folds: CvFold[];
  /** Metrics over every out-of-sample row. */
  metrics: Record<string, number>;
  testedRows: number;
  ms: number;
}

export interface GbdtCvExampleResult {
  symbol: string;
  timeframe: Timeframe;
  bars: number;
  rows: RowReport;
  features: number;
  /** Share of rows labelled "up" and the log-loss of always predicting that share (the no-skill baseline). */
  baseRate: number;
  baselineLogLoss: number;
  timeSeries: CvSummary;
  purged: CvSummary;
}

/** The standard set's context timeframes (4h, 1d) that are whole multiples of the bars' timeframe. */
function higherTimeframesOf(timeframe: Timeframe): Timeframe[] {
  const base = timeframeToMs(timeframe);
  return (['4h', '1d'] as const).filter((higher) => timeframeToMs(higher) > base && timeframeToMs(higher) % base === 0);
}

const CV_METRICS = {
  accuracy: standardMetrics.accuracy,
  logLoss: standardMetrics.logLoss,
  rocAuc: standardMetrics.rocAuc,
};

async function crossValidate(
  method: CvSummary['method'],
  dataset: Dataset,
  splits: readonly Split[],
  createEnsemble: () => GbdtEnsemble,
): Promise<CvSummary> {
  const started = performance.now();
  const result = await runWalkForward(dataset, splits, { createEstimator: createEnsemble, metrics: CV_METRICS });
  return {
    method,
    folds: result.folds.map((f) => ({
      fold: f.fold,
      trainRows: f.trainRows,
      testRows: f.testRows,
      testStart: f.testStart,
      testEnd: f.testEnd,
      metrics: f.metrics,
    })),
    metrics: result.metrics,
    testedRows: result.testedRows.length,
    ms: performance.now() - started,
  };
}

/**
 * The seeds' XGBoost + LightGBM ensemble (`GbdtEnsemble.xgboostLightgbmPair`: a depth-wise and a
 * leaf-wise GBDT averaged by probability) on the standard feature set of real candles (the bundled
 * BTC/USDT hourly fixture, or `data`), labelled "up more than 0.2% over the next 4 hours", evaluated two ways: expanding-window
 * time-series CV (every test fold after its training data, `gap` = label horizon) and purged k-fold
 * with embargo (every row tested once; training rows whose label window overlaps the test fold are
 * purged). Only out-of-sample numbers are reported, next to the no-skill baseline.
 */
export async function run(options: GbdtCvExampleOptions = {}): Promise<GbdtCvExampleResult> {
  const horizon = options.horizon ?? 4;
  const folds = options.folds ?? 5;
  const bars = await loadDataFile(options.data ?? BUNDLED_BTC_HOURLY, { lastBars: options.bars ?? 8760 });
  const labels = forwardReturnLabels(bars, { horizon, target: 'binary', upper: options.upper ?? 0.002 });
  const { dataset, report } = buildDataset(
    bars,
    standardFeatureSet({ higherTimeframes: higherTimeframesOf(bars.timeframe) }),
    labels,
  );
  const n = dataset.y.length;

  let ups = 0;
  for (let i = 0; i < n; i++) ups += dataset.y[i]!;
  const baseRate = ups / n;
  const constant = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    constant[2 * i] = 1 - baseRate;
    constant[2 * i + 1] = baseRate;
  }

  const createEnsemble = () =>
    GbdtEnsemble.xgboostLightgbmPair({
      objective: 'binary',
      nEstimators: options.nEstimators ?? 60,
      learningRate: options.learningRate ?? 0.05,
      minDataInLeaf: 100,
      subsample: 0.8,
      colsampleByTree: 0.8,
      seed: options.seed ?? 42,
    });
  const timeSeries = await crossValidate(
    'timeSeriesSplit',
    dataset,
    timeSeriesSplit(n, { nSplits: folds, gap: horizon }),
    createEnsemble,
  );
  const purged = await crossValidate(
    'purgedKFold',
    dataset,
    purgedKFold({ time: dataset.time, labelEnd: dataset.labelEnd }, { nSplits: folds, embargo: horizon }),
    createEnsemble,
  );
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    bars: bars.time.length,
    rows: report,
    features: dataset.featureNames.length,
    baseRate,
    baselineLogLoss: logLoss(dataset.y, constant, 2),
    timeSeries,
    purged,
  };
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const fmt = (m: Record<string, number>): string =>
  `accuracy ${m.accuracy!.toFixed(4)}  logLoss ${m.logLoss!.toFixed(4)}  rocAuc ${m.rocAuc!.toFixed(4)}`;

/** A readable summary of both cross-validations. */
export function formatResult(r: GbdtCvExampleResult): string {
  const lines = [
    `${r.symbol} ${r.timeframe}: ${r.bars} bars → ${r.rows.kept} rows × ${r.features} features (dropped ${r.rows.dropped}: warm-up ${r.rows.droppedBy.warmup}, unlabeled ${r.rows.droppedBy.unlabeledTail + r.rows.droppedBy.unlabeled}, missing ${r.rows.droppedBy.missingFeature})`,
    `up-class base rate ${(r.baseRate * 100).toFixed(1)}%, no-skill logLoss ${r.baselineLogLoss.toFixed(4)}`,
  ];
  for (const cv of [r.timeSeries, r.purged]) {
    lines.push(
      `${cv.method}: ${cv.testedRows} out-of-sample rows in ${(cv.ms / 1000).toFixed(1)} s — ${fmt(cv.metrics)}`,
    );
    for (const f of cv.folds)
      lines.push(
        `  fold ${f.fold}: train ${String(f.trainRows).padStart(5)}  test ${f.testRows} (${day(f.testStart)} → ${day(f.testEnd)})  ${fmt(f.metrics)}`,
      );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runExampleCli(async (data) => formatResult(await run({ data })));
}
