import {
  type Bars,
  checkBars,
  type Dataset,
  NotEnoughDataError,
  ValidationError,
  type ValidationIssue,
} from '@candlelab/core';
import { computeFeatures, type FeatureColumns } from './computeFeatures.js';
import type { FeatureSetInput } from './featureSetSchema.js';

/** Labels for {@link buildDataset}: any `@candlelab/labels` result fits (`label`, `labelEnd`, `weight`). */
export interface DatasetLabels {
  /** One label per bar; NaN = unlabeled. */
  label: Float64Array;
  /** Time each label is decided (for purged cross-validation); copied to `Dataset.labelEnd`. */
  labelEnd?: Float64Array;
  /** Sample weights (e.g. AFML uniqueness); copied to `Dataset.weights` unless `weights: 'none'`. */
  weight?: Float64Array;
}

export interface BuildDatasetOptions {
  /**
   * Keep rows whose features are NaN or ±Infinity after the warm-up (stored as NaN, for models
   * with missing-value handling) instead of dropping them (default false: drop and count).
   */
  keepMissing?: boolean;
  /** `'labels'` (default): use `labels.weight` when present; `'none'`: no weights. */
  weights?: 'labels' | 'none';
}

/** Why rows were dropped. Every dropped row is counted under exactly one reason, the first that applies in this order. */
export interface DroppedRows {
  /** Before the feature set's longest declared warm-up. */
  warmup: number;
  /** The bar itself is invalid (see core `checkBars`: non-finite or non-positive prices, high < low…). */
  invalidBar: number;
  /** Unlabeled bars after the last labeled bar (the label horizon running past the data). */
  unlabeledTail: number;
  /** Other unlabeled bars (unconfirmed swings, ambiguous barriers, invalid prices…). */
  unlabeled: number;
  /** A feature is NaN or ±Infinity after the warm-up (not counted when `keepMissing`). */
  missingFeature: number;
}

/** What happened to every bar on its way into the dataset: nothing is dropped silently. */
export interface RowReport {
  symbol: string;
  bars: number;
  kept: number;
  dropped: number;
  droppedBy: DroppedRows;
  /** The longest declared warm-up and the feature it belongs to. */
  warmup: { rows: number; feature: string };
  /** Declared warm-up of every feature column. */
  warmupByFeature: Record<string, number>;
  /**
   * For every feature with non-finite values after the warm-up on valid, labeled bars: how many
   * rows (overlapping: one row may miss several features).
   */
  missingByFeature: Record<string, number>;
  /** First invalid bar indices (up to 20), for the message. */
  invalidBarRows: number[];
  /** Kept rows with a NaN feature (only when `keepMissing`). */
  keptWithMissing: number;
}

export interface BuiltDataset {
  dataset: Dataset;
  report: RowReport;
  /** Bar index of each dataset row. */
  rows: Int32Array;
}

/** Rows per block when moving between column arrays and the row-major matrix. */
const BLOCK_ROWS = 64;

function checkLengths(n: number, labels: DatasetLabels): void {
  const issues: ValidationIssue[] = [];
  for (const [field, column] of [
    ['label', labels.label],
    ['labelEnd', labels.labelEnd],
    ['weight', labels.weight],
  ] as const) {
    if (column !== undefined && column.length !== n)
      issues.push({ field, reason: `has ${column.length} values, bars have ${n}` });
  }
  if (issues.length > 0) throw new ValidationError('buildDataset labels', issues);
}

/**
 * Builds a supervised {@link Dataset} from bars, a feature set and per-bar labels: features are
 * computed causally (`computeFeatures`), then each bar becomes a row unless it falls in the
 * warm-up, is an invalid bar, is unlabeled, or has a missing feature, each counted in the
 * {@link RowReport}. Throws `NotEnoughDataError` when the bars do not outlast the warm-up.
 */
export function buildDataset(
  bars: Bars,
  featureSet: FeatureSetInput,
  labels: DatasetLabels,
  options: BuildDatasetOptions = {},
): BuiltDataset {
  const features = computeFeatures(bars, featureSet);
  return assembleDataset(bars, features, labels, options);
}

/** {@link buildDataset} from already computed feature columns (e.g. to reuse them with several label sets). */
export function assembleDataset(
  bars: Bars,
  features: FeatureColumns,
  labels: DatasetLabels,
  options: BuildDatasetOptions = {},
): BuiltDataset {
  const n = bars.time.length;
  checkLengths(n, labels);
  const keepMissing = options.keepMissing ?? false;
  const useWeights = (options.weights ?? 'labels') === 'labels' && labels.weight !== undefined;
  const { names, columns, warmups } = features;
  const d = names.length;
  let warmup = 0;
  let warmupFeature = '';
  const warmupByFeature: Record<string, number> = {};
  names.forEach((name, k) => {
    warmupByFeature[name] = warmups[k]!;
    if (warmups[k]! > warmup || warmupFeature === '') {
      warmup = warmups[k]!;
      warmupFeature = name;
    }
  });
  if (warmup >= n)
    throw new NotEnoughDataError(`buildDataset: '${warmupFeature}' warm-up on ${bars.symbol}`, warmup + 1, n);

  const invalid = new Uint8Array(n);
  const barCheck = checkBars(bars, { maxIssues: Number.MAX_SAFE_INTEGER });
  const invalidBarRows: number[] = [];
  for (const issue of barCheck.issues) {
    if (issue.row !== undefined && !invalid[issue.row]) {
      invalid[issue.row] = 1;
      if (invalidBarRows.length < 20) invalidBarRows.push(issue.row);
    }
  }
  let lastLabeled = -1;
  for (let i = n - 1; i >= 0; i--) {
    if (!Number.isNaN(labels.label[i]!)) {
      lastLabeled = i;
      break;
    }
  }

  const droppedBy: DroppedRows = { warmup, invalidBar: 0, unlabeledTail: 0, unlabeled: 0, missingFeature: 0 };
  // 0 = dropped before the feature check, 1 = candidate, 2 = candidate with a missing feature.
  const state = new Uint8Array(n);
  for (let i = warmup; i < n; i++) {
    if (invalid[i]) droppedBy.invalidBar++;
    else if (!Number.isFinite(labels.label[i]!)) {
      if (i > lastLabeled) droppedBy.unlabeledTail++;
      else droppedBy.unlabeled++;
    } else state[i] = 1;
  }
  // Scan the features in blocks of rows, column by column within a block: reading all columns
  // at one row would hit the same cache set in every column (equal page offsets) and thrash.
  const missing = new Float64Array(d);
  for (let start = warmup; start < n; start += BLOCK_ROWS) {
    const end = Math.min(n, start + BLOCK_ROWS);
    for (let k = 0; k < d; k++) {
      const column = columns[k]!;
      let count = 0;
      for (let i = start; i < end; i++) {
        if (state[i] !== 0 && !Number.isFinite(column[i]!)) {
          state[i] = 2;
          count++;
        }
      }
      missing[k] = missing[k]! + count;
    }
  }
  let keptWithMissing = 0;
  let kept = 0;
  for (let i = warmup; i < n; i++) {
    if (state[i] === 2) {
      if (keepMissing) keptWithMissing++;
      else {
        droppedBy.missingFeature++;
        state[i] = 0;
      }
    }
    if (state[i] !== 0) kept++;
  }

  const rows = new Int32Array(kept);
  const X = new Float64Array(kept * d);
  const y = new Float64Array(kept);
  const time = new Float64Array(kept);
  const labelEnd = labels.labelEnd ? new Float64Array(kept) : undefined;
  const weights = useWeights ? new Float64Array(kept) : undefined;
  let r = 0;
  for (let i = warmup; i < n; i++) {
    if (state[i] === 0) continue;
    rows[r] = i;
    y[r] = labels.label[i]!;
    time[r] = bars.time[i]!;
    if (labelEnd) labelEnd[r] = labels.labelEnd![i]!;
    if (weights) weights[r] = labels.weight![i]!;
    r++;
  }
  // Blocks of rows, column by column (see the scan above); a block of X stays in cache.
  for (let start = 0; start < kept; start += BLOCK_ROWS) {
    const end = Math.min(kept, start + BLOCK_ROWS);
    for (let k = 0; k < d; k++) {
      const column = columns[k]!;
      for (let j = start; j < end; j++) {
        const v = column[rows[j]!]!;
        X[j * d + k] = Number.isFinite(v) ? v : Number.NaN;
      }
    }
  }
  const dataset: Dataset = { X, y, featureNames: [...names], time };
  if (labelEnd) dataset.labelEnd = labelEnd;
  if (weights) dataset.weights = weights;
  const missingByFeature: Record<string, number> = {};
  names.forEach((name, k) => {
    if (missing[k]! > 0) missingByFeature[name] = missing[k]!;
  });
  const report: RowReport = {
    symbol: bars.symbol,
    bars: n,
    kept,
    dropped: n - kept,
    droppedBy,
    warmup: { rows: warmup, feature: warmupFeature },
    warmupByFeature,
    missingByFeature,
    invalidBarRows,
    keptWithMissing,
  };
  return { dataset, report, rows };
}

/** A short human-readable summary of a {@link RowReport} (one line per reason). */
export function formatRowReport(report: RowReport): string {
  const b = report.droppedBy;
  const lines = [
    `${report.symbol}: ${report.bars} bars → ${report.kept} rows kept, ${report.dropped} dropped`,
    `  warm-up         ${b.warmup} (longest: ${report.warmup.feature})`,
    `  invalid bars    ${b.invalidBar}${report.invalidBarRows.length > 0 ? ` (first: ${report.invalidBarRows.slice(0, 5).join(', ')})` : ''}`,
    `  unlabeled tail  ${b.unlabeledTail}`,
    `  unlabeled       ${b.unlabeled}`,
    `  missing feature ${b.missingFeature}`,
  ];
  const worst = Object.entries(report.missingByFeature)
    .sort((a, c) => c[1] - a[1])
    .slice(0, 5);
  if (worst.length > 0) lines.push(`  most missing: ${worst.map(([name, count]) => `${name} (${count})`).join(', ')}`);
  if (report.keptWithMissing > 0) lines.push(`  kept with missing features: ${report.keptWithMissing}`);
  return lines.join('\n');
}
