import { copyBars, NotEnoughDataError, sliceBars, ValidationError, validateDataset } from '@candlelab/core';
import { forwardReturnLabels } from '@candlelab/labels';
import { btcHourly, loadFixtureBars } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDataset, formatRowReport, type RowReport } from './buildDataset.js';
import { buildMultiSymbolDataset } from './buildMultiSymbolDataset.js';
import { computeFeatures, featureSetWarmup } from './computeFeatures.js';
import type { FeatureSetInput } from './featureSetSchema.js';
import { standardFeatureSet } from './standardFeatureSet.js';

const bars = btcHourly({ last: 1200 });
const standard = standardFeatureSet();

function droppedSum(report: RowReport): number {
  const b = report.droppedBy;
  return b.warmup + b.invalidBar + b.unlabeledTail + b.unlabeled + b.missingFeature;
}

describe('buildDataset', () => {
  it('builds a valid dataset with the standard set and accounts for every dropped row', () => {
    const labels = forwardReturnLabels(bars, { horizon: 4 });
    const { dataset, report, rows } = buildDataset(bars, standard, labels);
    validateDataset(dataset, 'standard dataset');
    const longest = featureSetWarmup(standard, '1h');
    expect(report.warmup).toEqual({ rows: longest.warmup, feature: longest.name });
    expect(report.droppedBy).toEqual({
      warmup: longest.warmup,
      invalidBar: 0,
      unlabeledTail: 4,
      unlabeled: 0,
      missingFeature: 0,
    });
    expect(report.kept + report.dropped).toBe(bars.time.length);
    expect(droppedSum(report)).toBe(report.dropped);
    expect(dataset.featureNames.length).toBeGreaterThanOrEqual(100);
    expect(dataset.y.length).toBe(report.kept);
    // Rows map back to bars: time, label, label end and uniqueness weights line up.
    for (let j = 0; j < rows.length; j += 97) {
      const i = rows[j]!;
      expect(dataset.time[j]).toBe(bars.time[i]);
      expect(dataset.y[j]).toBe(labels.label[i]);
      expect(dataset.labelEnd![j]).toBe(labels.labelEnd[i]);
      expect(dataset.weights![j]).toBe(labels.weight[i]);
    }
    expect(formatRowReport(report)).toContain('unlabeled tail  4');
  });

  it('puts the right feature value in each cell (row-major)', () => {
    const set: FeatureSetInput = {
      features: [
        { kind: 'returns', period: 1 },
        { kind: 'indicator', id: 'rsi', params: { period: 5 } },
      ],
    };
    const labels = forwardReturnLabels(bars, { horizon: 2, target: 'binary' });
    const { dataset, rows } = buildDataset(bars, set, labels);
    const { columns } = computeFeatures(bars, set);
    for (let j = 0; j < rows.length; j++) {
      expect(dataset.X[j * 2]).toBe(columns[0]![rows[j]!]);
      expect(dataset.X[j * 2 + 1]).toBe(columns[1]![rows[j]!]);
    }
  });

  it('counts invalid bars, interior unlabeled bars and missing features separately', () => {
    const broken = copyBars(bars);
    broken.high[700] = broken.low[700]! - 1; // high < low: an invalid bar (its features stay finite)
    broken.volume.fill(0, 1050, 1056); // a 5-bar volume mean of 0 → volume ratio NaN at rows 1054, 1055
    const labels = forwardReturnLabels(broken, { horizon: 3 });
    labels.label[800] = Number.NaN; // e.g. an unconfirmed label inside the data
    const set: FeatureSetInput = {
      features: [
        { kind: 'returns', period: 1 },
        { kind: 'volumeRatio', period: 5 },
        { kind: 'lag', of: 'close', lag: 1 },
      ],
    };
    expect(computeFeatures(broken, set).names).toEqual(['ret_1', 'volume_ratio_5', 'close_lag1']);
    const withGap = broken;
    const { report } = buildDataset(withGap, set, labels);
    expect(report.droppedBy).toEqual({ warmup: 4, invalidBar: 1, unlabeledTail: 3, unlabeled: 1, missingFeature: 2 });
    expect(report.invalidBarRows).toEqual([700]);
    expect(report.missingByFeature).toEqual({ volume_ratio_5: 2 });
    expect(droppedSum(report)).toBe(report.dropped);
    const kept = buildDataset(withGap, set, labels, { keepMissing: true });
    expect(kept.report.droppedBy.missingFeature).toBe(0);
    expect(kept.report.keptWithMissing).toBe(2);
    expect(kept.dataset.y.length).toBe(report.kept + 2);
  });

  it('refuses labels of the wrong length and bars shorter than the warm-up', () => {
    const labels = forwardReturnLabels(bars, { horizon: 1 });
    expect(() => buildDataset(sliceBars(bars, 0, 100), standard, labels)).toThrow(ValidationError);
    const short = sliceBars(bars, 0, 300);
    expect(() => buildDataset(short, standard, forwardReturnLabels(short))).toThrow(NotEnoughDataError);
  });

  it('keeps exactly the valid, labeled, complete rows and counts the rest once (property)', () => {
    const small = sliceBars(bars, 0, 120);
    const set: FeatureSetInput = {
      features: [
        { kind: 'returns', period: 2 },
        { kind: 'volumeRatio', period: 3 },
      ],
    };
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 119 }), { maxLength: 30 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 119 }), { maxLength: 5 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 119 }), { maxLength: 5 }),
        (unlabeled, badBars, zeroVolume) => {
          const b = copyBars(small);
          for (const i of badBars) b.low[i] = b.high[i]! * 2;
          for (const i of zeroVolume) b.volume.fill(0, Math.max(0, i - 2), i + 1);
          const label = Float64Array.from({ length: 120 }, (_, i) => i % 3);
          for (const i of unlabeled) label[i] = Number.NaN;
          const { report, rows } = buildDataset(b, set, { label });
          const { columns } = computeFeatures(b, set);
          const expected: number[] = [];
          for (let i = 2; i < 120; i++) {
            const ok = !badBars.includes(i) && !Number.isNaN(label[i]!) && columns.every((c) => Number.isFinite(c[i]!));
            if (ok) expected.push(i);
          }
          expect([...rows]).toEqual(expected);
          expect(droppedSum(report)).toBe(report.dropped);
          expect(report.kept + report.dropped).toBe(120);
        },
      ),
      { numRuns: 100, seed: 11 },
    );
  });

  it("omits weights with weights: 'none'", () => {
    const { dataset } = buildDataset(bars, { features: [{ kind: 'returns', period: 1 }] }, forwardReturnLabels(bars), {
      weights: 'none',
    });
    expect(dataset.weights).toBeUndefined();
  });
});

describe('buildMultiSymbolDataset', () => {
  it('stacks symbols ordered by time with a symbol column', () => {
    const eth = loadFixtureBars('ohlcv/binance-1h/ETH_USDT-1h.json.gz', { last: 600 });
    const btc = loadFixtureBars('ohlcv/binance-1h/BTC_USDT-1h.json.gz', { last: 500 });
    const set: FeatureSetInput = {
      features: [
        { kind: 'returns', period: 1 },
        { kind: 'indicator', id: 'rsi', params: { period: 14 } },
      ],
    };
    const series = [btc, eth].map((b) => ({ bars: b, labels: forwardReturnLabels(b, { horizon: 2 }) }));
    const { dataset, reports, rows } = buildMultiSymbolDataset(series, set);
    validateDataset(dataset, 'multi-symbol');
    expect(dataset.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(dataset.y.length).toBe(reports[0]!.kept + reports[1]!.kept);
    for (let r = 1; r < dataset.y.length; r++) {
      const t0 = dataset.time[r - 1]!;
      const t1 = dataset.time[r]!;
      expect(t1 > t0 || (t1 === t0 && dataset.symbolIndex![r]! > dataset.symbolIndex![r - 1]!)).toBe(true);
    }
    const r = dataset.y.length - 1;
    const own = series[dataset.symbolIndex![r]!]!;
    expect(dataset.time[r]).toBe(own.bars.time[rows[r]!]);
    expect(() => buildMultiSymbolDataset([series[0]!, series[0]!], set)).toThrow(/twice/);
  });
});
