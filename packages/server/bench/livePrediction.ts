/**
 * Benchmark: the live path per closed bar, side by side with its batch reference.
 *
 * Model: the 20-tree GBDT of the test strategy (standard features without higher timeframes,
 * trained on real BTC/USDT 1h candles 2022-06-01 … 2022-09-01 from fixtures/ohlcv). Live bars: the
 * BENCH_BARS (default 500) hours that follow.
 *
 * - serve: what `candlelab serve` does per bar — `FeatureStream.update` (O(1)), `predictProba`,
 *   `decidePosition`.
 * - reference: `predictLatest` of @candlelab/pipeline (what `candlelab predict` does) on the bars
 *   up to t, recomputing every feature over the whole history each bar (O(n) per bar).
 *
 * Both give the same probabilities bit for bit (checked on every bar here; tested in
 * SeriesLoop.test.ts). Prints the time per bar of each and their ratio.
 *
 * Run: pnpm --filter @candlelab/server bench
 */
import { rmSync } from 'node:fs';
import { decidePosition } from '@candlelab/backtest';
import { candleAt, lowerBound, sliceBars } from '@candlelab/core';
import { FeatureStream } from '@candlelab/features';
import { predictLatest } from '@candlelab/pipeline';
import { openModelStore } from '@candlelab/registry';
import { loadFixtureBars } from '@candlelab/test-utils';
import { loadServedModel } from '../src/servedModel.js';
import { TRAIN_END, trainTestModel } from '../test/trainedModel.js';

const liveBars = Number(process.env.BENCH_BARS ?? 500);
const trained = await trainTestModel();
try {
  const model = await loadServedModel(await openModelStore(trained.registry), trained.modelId);
  if (model.kind !== 'classifier') throw new Error(`expected a classifier, got ${model.kind}`);
  const bars = loadFixtureBars('ohlcv/BTC_USDT-1h.json.gz');
  const from = lowerBound(bars.time, TRAIN_END - 1000 * 3_600_000); // 1,000 bars of history before the live bars
  const first = lowerBound(bars.time, TRAIN_END);
  const last = first + liveBars;

  const stream = new FeatureStream(model.featureSet, bars.symbol, bars.timeframe);
  const candle = (i: number) => candleAt(bars, i);
  for (let i = from; i < first; i++) stream.update(candle(i));
  const streamed: Float64Array[] = [];
  let t0 = performance.now();
  for (let i = first; i < last; i++) {
    const row = stream.update(candle(i))!;
    const proba = model.classifier.predictProba({ data: row, rows: 1, cols: row.length });
    decidePosition(proba, model.classes, model.rule);
    streamed.push(proba);
  }
  const serveMs = (performance.now() - t0) / liveBars;

  t0 = performance.now();
  for (let i = first; i < last; i++) {
    const batch = predictLatest(
      model.classifier,
      sliceBars(bars, from, i + 1),
      model.featureSet,
      model.classes,
      model.rule,
      model.id,
    );
    if (batch.probabilities.some((p, k) => p !== streamed[i - first]![k]))
      throw new Error(`bar ${i}: the streamed probabilities differ from predictLatest`);
  }
  const referenceMs = (performance.now() - t0) / liveBars;
  console.log(`live prediction per bar (${liveBars} bars after 1,000 of history, ${stream.names.length} features)`);
  console.log(`  serve (FeatureStream + predictProba + decidePosition): ${serveMs.toFixed(3)} ms`);
  console.log(`  reference predictLatest (batch over the history):      ${referenceMs.toFixed(3)} ms`);
  console.log(`  ratio reference / serve: ${(referenceMs / serveMs).toFixed(1)}×`);
} finally {
  rmSync(trained.dir, { recursive: true, force: true });
}
