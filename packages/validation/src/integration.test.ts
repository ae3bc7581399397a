import type { Dataset } from '@candlelab/core';
import { Gbdt } from '@candlelab/gbdt';
import { tripleBarrierLabels } from '@candlelab/labels';
import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { expectPurgedAndEmbargoed } from '../test/splitProperties.js';
import { permutationImportanceCV } from './permutationImportance.js';
import { purgedKFold } from './purgedKFold.js';
import { runWalkForward } from './runWalkForward.js';
import { standardMetrics } from './standardMetrics.js';
import { walkForwardSplit } from './walkForwardSplit.js';

/** Real BTC/USDT 1h bars → causal return features and triple-barrier labels with their end times. */
function btcDataset(withLeak: boolean): Dataset {
  const bars = btcHourly({ last: 2500 });
  const labels = tripleBarrierLabels(bars, { maxHolding: 24 });
  const close = bars.close;
  const names = ['ret1', 'ret4', 'ret24', ...(withLeak ? ['leak'] : [])];
  const d = names.length;
  const rows: number[] = [];
  for (let t = 24; t < close.length; t++) if (Number.isFinite(labels.label[t]!)) rows.push(t);
  const X = new Float64Array(rows.length * d);
  const y = new Float64Array(rows.length);
  const time = new Float64Array(rows.length);
  const labelEnd = new Float64Array(rows.length);
  rows.forEach((t, i) => {
    X[i * d] = close[t]! / close[t - 1]! - 1;
    X[i * d + 1] = close[t]! / close[t - 4]! - 1;
    X[i * d + 2] = close[t]! / close[t - 24]! - 1;
    // The realised label return: information from the future, which no honest feature has.
    if (withLeak) X[i * d + 3] = labels.ret[t]!;
    y[i] = labels.label[t]! > 0 ? 1 : 0;
    time[i] = bars.time[t]!;
    labelEnd[i] = labels.labelEnd[t]!;
  });
  return { X, y, featureNames: names, time, labelEnd };
}

const gbdt = () => new Gbdt({ objective: 'binary', nEstimators: 20, numLeaves: 7, seed: 1 });

describe('validation with gbdt and triple-barrier labels on real BTC data', () => {
  it('purged k-fold: every row predicted once out of sample, purge holds, no edge from past returns alone', async () => {
    const data = btcDataset(false);
    const splits = purgedKFold({ time: data.time, labelEnd: data.labelEnd! }, { nSplits: 5, embargo: 24 });
    for (const split of splits) expectPurgedAndEmbargoed({ time: data.time, labelEnd: data.labelEnd! }, split, 24);
    const result = await runWalkForward(data, splits, {
      createEstimator: gbdt,
      metrics: { accuracy: standardMetrics.accuracy, rocAuc: standardMetrics.rocAuc },
    });
    expect(result.testedRows).toHaveLength(data.y.length);
    expect(result.numClasses).toBe(2);
    // Honest out-of-sample scores of lagged returns on hourly BTC hover around chance.
    expect(result.metrics.rocAuc).toBeGreaterThan(0.4);
    expect(result.metrics.rocAuc).toBeLessThan(0.6);
    expect(result.folds.map((f) => f.metrics.accuracy!).every((a) => a > 0.35 && a < 0.65)).toBe(true);
  });

  it('permutation importance under purged CV singles out a leaking feature', async () => {
    const data = btcDataset(true);
    const splits = purgedKFold({ time: data.time, labelEnd: data.labelEnd! }, { nSplits: 3, embargo: 24 });
    const imp = await permutationImportanceCV(data, splits, {
      createEstimator: gbdt,
      metric: standardMetrics.accuracy,
      nRepeats: 2,
      seed: 3,
    });
    expect(imp.baseline).toBeGreaterThan(0.9);
    expect(imp.mean[3]).toBeGreaterThan(0.3);
    for (let c = 0; c < 3; c++) expect(imp.mean[3]).toBeGreaterThan(10 * Math.abs(imp.mean[c]!));
  });

  it('walk-forward with a retrain step reports only out-of-sample rows', async () => {
    const data = btcDataset(false);
    const splits = walkForwardSplit(data.y.length, { trainSize: 1000, testSize: 250, gap: 24, validationSize: 200 });
    const result = await runWalkForward(data, splits, {
      createEstimator: gbdt,
      metrics: { accuracy: standardMetrics.accuracy },
    });
    expect(result.testedRows[0]).toBe(1024);
    expect(result.folds.every((f) => f.validationRows === 200 && f.trainRows === 800)).toBe(true);
  });
});
