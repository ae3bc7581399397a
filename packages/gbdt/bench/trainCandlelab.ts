/**
 * Trains candlelab's Gbdt on one benchmark file and prints one JSON line (run in its own
 * process so that peak memory is this run's). Usage: trainCandlelab.ts <file> <trees> <exact|quantized> [threads]
 */
import { Gbdt } from '@candlelab/gbdt';
import { rocAuc } from '@candlelab/metrics';
import { readBenchData } from './datasets.js';

const [file, treesArg, variant, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 1);
const quantizedGradients = variant === 'quantized';
const trees = Number(treesArg ?? 100);
const data = readBenchData(file!);
const { nTrain, nTest, d } = data;
const Xtrain = Float64Array.from(data.X.subarray(0, nTrain * d));
const ytrain = Float64Array.from(data.y.subarray(0, nTrain));
const Xtest = Float64Array.from(data.X.subarray(nTrain * d));
const ytest = Float64Array.from(data.y.subarray(nTrain));
const featureNames = Array.from({ length: d }, (_, f) => `f${f}`);

// XGBoost-equivalent settings: lossguide with 255 leaves, lambda 1, min_child_weight 1, no min_data constraint.
const model = new Gbdt({
  objective: 'binary',
  growPolicy: 'leafwise',
  numLeaves: 255,
  maxBins: 255,
  learningRate: 0.1,
  nEstimators: trees,
  lambdaL2: 1,
  minSumHessianInLeaf: 1,
  minDataInLeaf: 1,
  quantizedGradients,
  threads,
});
const started = performance.now();
const cpuStarted = process.cpuUsage();
model.fit({ X: Xtrain, y: ytrain, featureNames, time: new Float64Array(nTrain) });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const raw = model.predictRaw({ data: Xtest, rows: nTest, cols: d });
console.log(
  JSON.stringify({
    name: quantizedGradients ? 'candlelab (quantizedGradients)' : 'candlelab',
    threads,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    secondsPerTree: seconds / trees,
    auc: rocAuc(ytest, raw),
    peakMB: process.resourceUsage().maxRSS / 1024,
  }),
);
