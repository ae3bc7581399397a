// A downstream application of the published packages: candles from a CSV file → indicators →
// features and labels → a GBDT → a backtest → a file registry → load → predict. Run by
// integration/tarball/run.mjs against the packed tarballs, installed with plain npm.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  backtestReport,
  decidePosition,
  positionRule,
  positionsFromProbabilities,
  vectorizedBacktest,
} from '@candlelab/backtest';
import { type Bars, datasetMatrix, sliceBars, sliceRows } from '@candlelab/core';
import { FileSource, loadBars, MemoryStore } from '@candlelab/data';
import { buildDataset, computeFeatures, type FeatureSetInput } from '@candlelab/features';
import { Gbdt } from '@candlelab/gbdt';
import { rsi } from '@candlelab/indicators';
import { forwardReturnLabels } from '@candlelab/labels';
import { rocAuc } from '@candlelab/metrics';
import { hashBars, ModelRegistry } from '@candlelab/registry';
import { chronologicalSplit } from '@candlelab/validation';

const [csvPath, symbol = 'GOOG'] = process.argv.slice(2);
if (csvPath === undefined) throw new Error('usage: node dist/app.js FILE.csv [SYMBOL]');

async function loadCsv(path: string): Promise<Bars> {
  const source = new FileSource({ path, symbol, timeframe: '1d' });
  const { bars, report } = await loadBars(
    { exchange: 'file', symbol, timeframe: '1d', start: 0, end: Date.UTC(2100, 0, 1) },
    { store: new MemoryStore(), source },
  );
  console.log(`loaded ${bars.time.length} bars (fetched ${report.fetched})`);
  return bars;
}

const bars = await loadCsv(csvPath);
const rsi14 = rsi.batch(bars.close, { period: 14 });
console.log(`RSI(14) on the last bar: ${rsi14.at(-1)?.toFixed(2)}`);

const featureSet: FeatureSetInput = {
  name: 'downstream',
  features: [
    { kind: 'indicator', id: 'rsi', params: { period: 14 } },
    { kind: 'bandPosition', id: 'bbands', params: { period: 20 } },
    { kind: 'returns', period: 1 },
    { kind: 'returns', period: 5 },
    { kind: 'volumeRatio', period: 20 },
  ],
};
const horizon = 5;
const labels = forwardReturnLabels(bars, { horizon, target: 'binary' });
const { dataset, rows } = buildDataset(bars, featureSet, labels);
const split = chronologicalSplit(dataset.y.length, { gap: horizon });
const [train, validation, test] = [split.train[0]!, split.validation![0]!, split.test[0]!];
const testSet = sliceRows(dataset, test.start, test.end);

const params = { objective: 'binary', nEstimators: 100, learningRate: 0.05, earlyStoppingRounds: 10, seed: 7 } as const;
const model = new Gbdt(params);
model.fit(sliceRows(dataset, train.start, train.end), {
  validation: sliceRows(dataset, validation.start, validation.end),
});
const proba = model.predictProba(datasetMatrix(testSet));
const auc = rocAuc(
  testSet.y,
  proba.filter((_, i) => i % 2 === 1),
);

const classes = { numClasses: 2, upClass: 1 };
const rule = positionRule({ entryThreshold: 0.5 });
const positions = positionsFromProbabilities(proba, classes, rule);
const first = rows[test.start]!;
const target = new Float64Array(rows[test.end - 1]! + 1 - first);
positions.forEach((p, k) => {
  target[rows[test.start + k]! - first] = p;
});
const testBars = sliceBars(bars, first, first + target.length);
const run = vectorizedBacktest(testBars, target, { feesBps: 5 });
const report = backtestReport(run, { timeframe: '1d', calendar: 'equity' });
console.log(`test AUC ${auc.toFixed(4)}, Sharpe ${report.sharpe.toFixed(2)}, orders ${run.orders}`);

const registry = new ModelRegistry({ root: mkdtempSync(join(tmpdir(), 'downstream-models-')) });
const manifest = registry.register({
  strategy: 'downstream',
  symbol,
  timeframe: '1d',
  model: model.toJSON(),
  metrics: { auc, sharpe: report.sharpe },
  config: { featureSet, horizon, rule },
  fingerprint: {
    data: hashBars(bars),
    featureSet,
    labels: { horizon },
    split: { gap: horizon },
    hyperparameters: params,
    packageVersions: {},
    seed: 7,
  },
});
const loaded = Gbdt.fromJSON(registry.load(manifest.id).model);
const { columns } = computeFeatures(bars, featureSet);
const latest = Float64Array.from(columns, (column) => column[bars.time.length - 1]!);
const decision = decidePosition(loaded.predictProba({ data: latest, rows: 1, cols: latest.length }), classes, rule);
const again = model.predictProba({ data: latest, rows: 1, cols: latest.length });
if (again[1] !== loaded.predictProba({ data: latest, rows: 1, cols: latest.length })[1])
  throw new Error('the loaded model predicts differently from the trained one');
console.log(`registered ${manifest.id}; latest bar: ${decision.action} (confidence ${decision.confidence.toFixed(3)})`);
console.log('DOWNSTREAM APP OK');
