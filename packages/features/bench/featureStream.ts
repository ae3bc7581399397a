/**
 * Benchmark: live update cost of the standard feature set (124 columns, higher timeframes 4h and
 * 1d) with `FeatureStream`, on real BTC/USDT 1h bars (the repo fixture, 45,024 bars), in µs per
 * bar for `update` (a closed bar) and for `replace` (a revision of the forming bar). Reference:
 * the batch `computeFeatures` over the same bars, per bar (what a stream must beat to be worth
 * having), and one batch recomputation over 1,000 bars of history (what `FeatureStream` did per
 * bar before it became O(1)).
 *
 * Run: pnpm --filter @candlelab/features bench:stream
 */
import { candleAt, sliceBars } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import { computeFeatures, FeatureStream, standardFeatureSet } from '../src/index.js';

const bars = btcHourly();
const n = bars.time.length;
const set = standardFeatureSet();
const candles = Array.from({ length: n }, (_, i) => candleAt(bars, i));

function time(run: () => void): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

// Warm the JIT on a short replay, then time full replays (best of 3: least disturbed by other load).
const warm = new FeatureStream(set, bars.symbol, bars.timeframe);
for (let i = 0; i < 3000; i++) warm.update(candles[i]!);
let updateMs = Number.POSITIVE_INFINITY;
let replaceMs = Number.POSITIVE_INFINITY;
for (let r = 0; r < 3; r++) {
  const stream = new FeatureStream(set, bars.symbol, bars.timeframe);
  updateMs = Math.min(
    updateMs,
    time(() => {
      for (let i = 0; i < n; i++) stream.update(candles[i]!);
    }),
  );
  const revised = new FeatureStream(set, bars.symbol, bars.timeframe);
  for (let i = 0; i < n / 2; i++) revised.update(candles[i]!);
  const last = candles[n / 2 - 1]!;
  const forming = { ...last };
  replaceMs = Math.min(
    replaceMs,
    time(() => {
      for (let i = 0; i < n / 2; i++) {
        forming.close = last.close * (1 + (i % 7) * 1e-4);
        revised.replace(forming);
      }
    }),
  );
}
const batchMs = Math.min(...Array.from({ length: 3 }, () => time(() => computeFeatures(bars, set))));
const history = sliceBars(bars, n - 1000, n);
const recomputeMs = Math.min(...Array.from({ length: 5 }, () => time(() => computeFeatures(history, set))));

const us = (ms: number, count: number) => (ms * 1000) / count;
const rows: [string, number][] = [
  ['FeatureStream.update (closed bar)', us(updateMs, n)],
  ['FeatureStream.replace (forming bar)', us(replaceMs, n / 2)],
  ['computeFeatures batch, per bar', us(batchMs, n)],
  ['recompute over 1,000 bars (old stream)', recomputeMs * 1000],
];
console.log(
  `standard feature set (124 columns) on ${n.toLocaleString('en')} BTC/USDT 1h bars; node ${process.version}`,
);
for (const [name, value] of rows) console.log(`${name.padEnd(40)} ${value.toFixed(1).padStart(9)} µs/bar`);
console.log(
  `update / batch per bar: ${(us(updateMs, n) / us(batchMs, n)).toFixed(2)}x; old stream / update: ${((recomputeMs * 1000) / us(updateMs, n)).toFixed(0)}x (target: update ≤ 50 µs/bar)`,
);
