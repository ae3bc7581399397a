import { fileURLToPath } from 'node:url';
import { parseDataArgs } from '@candlelab/example-data';
import { describe, expect, it } from 'vitest';
import { formatResult, run } from './main.js';

/** Daily GOOG candles from a CSV with naive dates (see fixtures/README.md). */
const GOOG_DAILY = fileURLToPath(new URL('../../../fixtures/csv/GOOG.csv', import.meta.url));

describe('GBDT ensemble with time-series CV example', () => {
  it('evaluates the ensemble out of sample with expanding-window CV and purged k-fold', async () => {
    const horizon = 4;
    const r = await run({ bars: 1500, folds: 3, nEstimators: 8, horizon });
    expect(r.bars).toBe(1500);
    expect(r.rows.kept + r.rows.dropped).toBe(1500);
    expect(r.rows.droppedBy.unlabeledTail).toBe(horizon);
    expect(r.features).toBeGreaterThan(100);
    expect(r.baseRate).toBeGreaterThan(0.2);
    expect(r.baseRate).toBeLessThan(0.6);

    const ts = r.timeSeries;
    expect(ts.folds).toHaveLength(3);
    for (const [k, f] of ts.folds.entries()) {
      // Expanding window: every fold trains on more rows than the last, and always tests later data.
      if (k > 0) {
        expect(f.trainRows).toBeGreaterThan(ts.folds[k - 1]!.trainRows);
        expect(f.testStart).toBeGreaterThan(ts.folds[k - 1]!.testEnd);
      }
      expect(f.metrics.rocAuc).toBeGreaterThan(0);
      expect(f.metrics.rocAuc).toBeLessThan(1);
    }
    expect(ts.testedRows).toBe(ts.folds.reduce((s, f) => s + f.testRows, 0));
    expect(ts.testedRows).toBeLessThan(r.rows.kept);

    // Purged k-fold tests every row exactly once, and purging + embargo remove training rows.
    const pk = r.purged;
    expect(pk.testedRows).toBe(r.rows.kept);
    for (const f of pk.folds) expect(f.trainRows).toBeLessThan(r.rows.kept - f.testRows);
    for (const cv of [ts, pk]) {
      expect(cv.metrics.accuracy).toBeGreaterThan(0.3);
      expect(cv.metrics.logLoss).toBeGreaterThan(0);
      expect(Number.isFinite(cv.metrics.rocAuc)).toBe(true);
    }
    expect(formatResult(r)).toContain('purgedKFold');
  });

  it('cross-validates on the CSV file given by --data', async () => {
    const data = parseDataArgs(['--data', GOOG_DAILY, '--symbol', 'GOOG', '--timeframe', '1d']);
    const r = await run({ data, bars: 1500, folds: 2, nEstimators: 4, upper: 0.01 });
    expect(r).toMatchObject({ symbol: 'GOOG', timeframe: '1d', bars: 1500 });
    // The last test fold ends just before the file's last bar (2013-03-01): its last 4 rows have no label yet.
    const lastTest = r.timeSeries.folds[1]!.testEnd;
    expect(lastTest).toBeLessThan(Date.UTC(2013, 2, 1));
    expect(lastTest).toBeGreaterThan(Date.UTC(2013, 1, 20));
    expect(r.purged.testedRows).toBe(r.rows.kept);
    expect(formatResult(r)).toMatch(/^GOOG 1d: 1500 bars/);
  });
});
