/**
 * Benchmark: the standard feature set over 1,000,000 synthetic hourly bars.
 *
 * Data (synthetic, core `Rng`, seed 'features-bench'): geometric Brownian motion with log-returns
 * N(0, 0.01) per bar plus a weak mean reversion of the log price to ln 100 (θ = 1e-4 per bar, an
 * exponential Ornstein–Uhlenbeck process) so the price stays in a realistic range over 10^6 bars
 * (a pure GBM wanders to 1e-7 and beyond, where running-sum band indicators lose all precision);
 * open = previous close, high/low = max/min(open, close) widened by a half-normal wick,
 * log-normal volume. Reference: one batch SMA(20) pass over the same closes
 * (the cheapest indicator), so "× SMA" says how many SMA passes the whole set costs.
 * Memory: peak RSS from `process.resourceUsage().maxRSS` (the OS high-water mark, so it includes
 * everything before), plus RSS/heap/array-buffer bytes sampled after each stage.
 *
 * Run: pnpm --filter @candlelab/features bench   (optional: BENCH_BARS=200000)
 */
import { type Bars, emptyBars, Rng } from '@candlelab/core';
import { sma } from '@candlelab/indicators';
import { forwardReturnLabels } from '@candlelab/labels';
import { assembleDataset, computeFeatures, featureSetWarmup, standardFeatureSet } from '../src/index.js';

const N = Number(process.env.BENCH_BARS ?? 1_000_000);
const MB = 1024 * 1024;

function gbmBars(n: number, seed: string): Bars {
  const rng = new Rng(seed);
  const bars = emptyBars('GBM/USD', '1h', n);
  const start = Date.UTC(2015, 0, 1);
  const level = Math.log(100);
  let logPrice = level;
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    logPrice += -1e-4 * (logPrice - level) + rng.normal(0, 0.01);
    price = Math.exp(logPrice);
    const wick = () => Math.exp(Math.abs(rng.normal(0, 0.004)));
    bars.time[i] = start + i * 3_600_000;
    bars.open[i] = open;
    bars.close[i] = price;
    bars.high[i] = Math.max(open, price) * wick();
    bars.low[i] = Math.min(open, price) / wick();
    bars.volume[i] = Math.exp(rng.normal(3, 0.8));
  }
  return bars;
}

function memory(): string {
  const m = process.memoryUsage();
  return `rss ${(m.rss / MB).toFixed(0)} MB, heap ${(m.heapUsed / MB).toFixed(0)} MB, array buffers ${(m.arrayBuffers / MB).toFixed(0)} MB`;
}

function time<T>(run: () => T): [T, number] {
  const t0 = performance.now();
  const result = run();
  return [result, performance.now() - t0];
}

const [bars, genMs] = time(() => gbmBars(N, 'features-bench'));
const baseRss = process.resourceUsage().maxRSS / 1024;
console.log(`data: ${N.toLocaleString()} synthetic GBM 1h bars in ${genMs.toFixed(0)} ms; ${memory()}`);

const set = standardFeatureSet();
const longest = featureSetWarmup(set, '1h');
sma.batch(bars.close.subarray(0, 10_000), { period: 20 }); // warm the JIT
// The reference is short, so take the median of 7 runs.
const smaRuns = Array.from({ length: 7 }, () => time(() => sma.batch(bars.close, { period: 20 }))[1]).sort(
  (a, b) => a - b,
);
const smaMs = smaRuns[3]!;
const [features, featureMs] = time(() => computeFeatures(bars, set));
const afterFeatures = memory();
const [labels, labelMs] = time(() => forwardReturnLabels(bars, { horizon: 4 }));
const [built, datasetMs] = time(() => assembleDataset(bars, features, labels));
const peakRss = process.resourceUsage().maxRSS / 1024;
const d = features.names.length;
const total = featureMs + labelMs + datasetMs;

const rows: [string, string, string, string][] = [
  ['stage', 'time (ms)', 'bars/s', '× SMA(20)'],
  ['SMA(20) reference', smaMs.toFixed(0), (N / (smaMs / 1000)).toExponential(2), '1'],
  [
    `computeFeatures (${d} columns)`,
    featureMs.toFixed(0),
    (N / (featureMs / 1000)).toExponential(2),
    (featureMs / smaMs).toFixed(0),
  ],
  ['forwardReturnLabels', labelMs.toFixed(0), (N / (labelMs / 1000)).toExponential(2), (labelMs / smaMs).toFixed(1)],
  [
    'assembleDataset (X + report)',
    datasetMs.toFixed(0),
    (N / (datasetMs / 1000)).toExponential(2),
    (datasetMs / smaMs).toFixed(1),
  ],
  ['total', total.toFixed(0), (N / (total / 1000)).toExponential(2), (total / smaMs).toFixed(0)],
];
for (const row of rows)
  console.log(`${row[0].padEnd(34)} ${row[1].padStart(10)} ${row[2].padStart(10)} ${row[3].padStart(10)}`);
console.log(`per column: ${(featureMs / d).toFixed(1)} ms = ${(featureMs / d / smaMs).toFixed(2)} × SMA(20)`);
console.log(`after features: ${afterFeatures}`);
console.log(`after dataset:  ${memory()}`);
console.log(
  `peak RSS: ${peakRss.toFixed(0)} MB (${(peakRss - baseRss).toFixed(0)} MB above the bars); columns ${((d * N * 8) / MB).toFixed(0)} MB + X ${(built.dataset.X.byteLength / MB).toFixed(0)} MB`,
);
console.log(
  `dataset: ${built.report.kept.toLocaleString()} rows × ${d}; dropped ${built.report.dropped} (warm-up ${longest.warmup} by ${longest.name}, tail ${built.report.droppedBy.unlabeledTail}, missing ${built.report.droppedBy.missingFeature})`,
);
