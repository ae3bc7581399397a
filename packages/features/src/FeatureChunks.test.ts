import { copyBars, sliceBars } from '@candlelab/core';
import { forwardReturnLabels } from '@candlelab/labels';
import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { assembleDataset, buildDataset } from './buildDataset.js';
import { computeFeatures } from './computeFeatures.js';
import { standardFeatureSet } from './standardFeatureSet.js';

/** Index of the first element whose bits differ, or -1. */
function firstBitDifference(a: Float64Array | Float32Array, b: Float64Array | Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('buildDataset computes features chunk by chunk straight into X', () => {
  // Real BTC/USDT hours from the start of the series (exchange outages = gaps), with one flat
  // stretch (valid bars, zero range) so that rows with missing features exist (e.g. %B of a band
  // of zero width).
  const bars = copyBars(btcHourly({ first: 3000 }));
  for (let i = 1000; i < 1040; i++) {
    const price = bars.close[999]!;
    bars.open[i] = bars.high[i] = bars.low[i] = bars.close[i] = price;
  }
  const labels = forwardReturnLabels(bars, { horizon: 3 });
  const set = standardFeatureSet();
  const reference = assembleDataset(bars, computeFeatures(bars, set), labels);
  const referenceKept = assembleDataset(bars, computeFeatures(bars, set), labels, { keepMissing: true });

  it.each([1, 7, 777, 8192])('chunkRows %i: the same rows, report and bits as computeFeatures', (chunkRows) => {
    const built = buildDataset(bars, set, labels, { chunkRows });
    expect(firstBitDifference(built.dataset.X, reference.dataset.X)).toBe(-1);
    expect(built.rows).toEqual(reference.rows);
    expect(built.report).toEqual(reference.report);
    expect(built.dataset.y).toEqual(reference.dataset.y);
    const kept = buildDataset(bars, set, labels, { chunkRows, keepMissing: true });
    expect(firstBitDifference(kept.dataset.X, referenceKept.dataset.X)).toBe(-1);
    expect(kept.report).toEqual(referenceKept.report);
  });

  it('the broken bars really produce missing features (so the comparison covers dropping)', () => {
    expect(reference.report.droppedBy.missingFeature).toBeGreaterThan(0);
    expect(referenceKept.report.keptWithMissing).toBe(reference.report.droppedBy.missingFeature);
  });

  it("dtype 'float32' stores each float64 value rounded once", () => {
    const built = buildDataset(bars, set, labels, { dtype: 'float32', keepMissing: true });
    expect(built.dataset.X).toBeInstanceOf(Float32Array);
    expect(firstBitDifference(built.dataset.X, Float32Array.from(referenceKept.dataset.X))).toBe(-1);
    expect(built.report).toEqual(referenceKept.report);
    const assembled = assembleDataset(bars, computeFeatures(bars, set), labels, { dtype: 'float32' });
    expect(firstBitDifference(assembled.dataset.X, Float32Array.from(reference.dataset.X))).toBe(-1);
  });

  it('a value overflowing float32 counts as missing', () => {
    const huge = copyBars(sliceBars(bars, 0, 300));
    huge.volume[298] = 1e300; // finite in float64, Infinity in float32
    const lagged = { features: [{ kind: 'lag' as const, of: 'volume', lag: 1 }] };
    const y = { label: new Float64Array(300).fill(1) };
    expect(buildDataset(huge, lagged, y).report.droppedBy.missingFeature).toBe(0);
    const f32 = buildDataset(huge, lagged, y, { dtype: 'float32' });
    expect(f32.report.droppedBy.missingFeature).toBe(1);
    expect(f32.report.missingByFeature).toEqual({ volume_lag1: 1 });
    expect(f32.rows).not.toContain(299);
  });

  it('refuses a bad chunk size', () => {
    expect(() => buildDataset(bars, set, labels, { chunkRows: 0 })).toThrow(/chunkRows/);
    expect(() => buildDataset(bars, set, labels, { chunkRows: 2.5 })).toThrow(/chunkRows/);
  });
});
