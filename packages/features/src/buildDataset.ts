import {
  type Bars,
  checkBars,
  type Dataset,
  InvalidParameterError,
  NotEnoughDataError,
  ValidationError,
  type ValidationIssue,
} from '@candlelab/core';
import { type FeatureColumns, featureColumns } from './computeFeatures.js';
import { FeatureChunks } from './FeatureChunks.js';
import { type FeatureSetInput, parseFeatureSet } from './featureSetSchema.js';

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
  /**
   * Element type of `X` (default `'float64'`). `'float32'` halves the matrix (10M bars × 124
   * features: 5 GB instead of 10 GB) and is what GPU/NN training uses anyway. Features are
   * computed in float64 and rounded once when stored; float32 keeps ~7 significant digits, which
   * is plenty for the standard set's scale-free columns (returns, oscillators, ratios, positions)
   * but not for raw price levels or volumes (a price of 60,000 is stored to ~0.004) or for tiny
   * differences of large numbers. A value that overflows float32 counts as a missing feature.
   */
  dtype?: 'float64' | 'float32';
  /**
   * Bars per chunk when features are computed straight into `X` (default 8,192): the feature set
   * runs chunk by chunk (O(chunk × features) working memory, no full-length column per feature),
   * with the same values as {@link computeFeatures}. Any size ≥ 1 gives the same bits.
   */
  chunkRows?: number;
}

/** {@link BuiltDataset} with a float32 `X` (`dtype: 'float32'`); other fields as in {@link Dataset}. */
export type Float32Dataset = Omit<Dataset, 'X'> & { X: Float32Array };

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

export interface BuiltDataset<D extends Dataset | Float32Dataset = Dataset> {
  dataset: D;
  report: RowReport;
  /** Bar index of each dataset row. */
  rows: Int32Array;
}

/** Rows per block when moving between column arrays and the row-major matrix. */
const BLOCK_ROWS = 64;
/** Default bars per chunk for {@link buildDataset}: the chunk's feature columns stay in cache. */
const DEFAULT_CHUNK_ROWS = 8192;

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
 * Builds a supervised {@link Dataset} from bars, a feature set and per-bar labels: each bar
 * becomes a row unless it falls in the warm-up, is an invalid bar, is unlabeled, or has a missing
 * feature, each counted in the {@link RowReport}. Features are computed causally, chunk by chunk,
 * straight into the row-major `X` (values bit-identical to {@link computeFeatures}; peak memory
 * ≈ `X` plus the bars). Throws `NotEnoughDataError` when the bars do not outlast the warm-up.
 */
export function buildDataset(
  bars: Bars,
  featureSet: FeatureSetInput,
  labels: DatasetLabels,
  options: BuildDatasetOptions & { dtype: 'float32' },
): BuiltDataset<Float32Dataset>;
export function buildDataset(
  bars: Bars,
  featureSet: FeatureSetInput,
  labels: DatasetLabels,
  options?: BuildDatasetOptions & { dtype?: 'float64' },
): BuiltDataset;
export function buildDataset(
  bars: Bars,
  featureSet: FeatureSetInput,
  labels: DatasetLabels,
  options?: BuildDatasetOptions,
): BuiltDataset<Dataset | Float32Dataset>;
export function buildDataset(
  bars: Bars,
  featureSet: FeatureSetInput,
  labels: DatasetLabels,
  options: BuildDatasetOptions = {},
): BuiltDataset<Dataset | Float32Dataset> {
  const set = parseFeatureSet(featureSet);
  const info = featureColumns(set, bars.timeframe);
  const names = info.map((column) => column.name);
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!Number.isInteger(chunkRows) || chunkRows < 1)
    throw new InvalidParameterError('chunkRows', chunkRows, 'must be an integer >= 1');
  const plan = planRows(
    bars,
    names,
    info.map((column) => column.warmup),
    labels,
  );
  const n = bars.time.length;
  const d = names.length;
  const X = options.dtype === 'float32' ? new Float32Array(plan.candidates * d) : new Float64Array(plan.candidates * d);
  const rowMissing = new Uint8Array(plan.candidates);
  const missing = new Float64Array(d);
  const chunks = new FeatureChunks(bars, set, Math.min(chunkRows, Math.max(1, n)));
  const { columns } = chunks;
  const { state } = plan;
  const picks = new Int32Array(Math.min(chunkRows, Math.max(1, n)));
  let r = 0;
  for (let from = 0; from < n; from += chunkRows) {
    const to = Math.min(n, from + chunkRows);
    chunks.compute(from, to);
    r = storeChunk(X, r, columns, state, Math.max(from, plan.warmup), to, from, picks, missing, rowMissing);
  }
  return finishDataset(bars, names, labels, options, plan, X, rowMissing, missing);
}

/** {@link buildDataset} from already computed feature columns (e.g. to reuse them with several label sets). */
export function assembleDataset(
  bars: Bars,
  features: FeatureColumns,
  labels: DatasetLabels,
  options: BuildDatasetOptions & { dtype: 'float32' },
): BuiltDataset<Float32Dataset>;
export function assembleDataset(
  bars: Bars,
  features: FeatureColumns,
  labels: DatasetLabels,
  options?: BuildDatasetOptions & { dtype?: 'float64' },
): BuiltDataset;
export function assembleDataset(
  bars: Bars,
  features: FeatureColumns,
  labels: DatasetLabels,
  options?: BuildDatasetOptions,
): BuiltDataset<Dataset | Float32Dataset>;
export function assembleDataset(
  bars: Bars,
  features: FeatureColumns,
  labels: DatasetLabels,
  options: BuildDatasetOptions = {},
): BuiltDataset<Dataset | Float32Dataset> {
  const { names, columns, warmups } = features;
  const plan = planRows(bars, names, warmups, labels);
  const d = names.length;
  const n = bars.time.length;
  const candidateRows = new Int32Array(plan.candidates);
  let c = 0;
  for (let i = plan.warmup; i < n; i++) if (plan.state[i] !== 0) candidateRows[c++] = i;
  const X = options.dtype === 'float32' ? new Float32Array(plan.candidates * d) : new Float64Array(plan.candidates * d);
  const rowMissing = new Uint8Array(plan.candidates);
  const missing = new Float64Array(d);
  // Blocks of rows, column by column within a block: reading all columns at one row would hit the
  // same cache set in every column (equal page offsets) and thrash; a block of X stays in cache.
  for (let start = 0; start < plan.candidates; start += BLOCK_ROWS) {
    const end = Math.min(plan.candidates, start + BLOCK_ROWS);
    for (let k = 0; k < d; k++) {
      const column = columns[k]!;
      let count = 0;
      for (let j = start; j < end; j++) {
        const at = j * d + k;
        X[at] = column[candidateRows[j]!]!;
        if (!Number.isFinite(X[at]!)) {
          X[at] = Number.NaN;
          rowMissing[j] = 1;
          count++;
        }
      }
      missing[k] = missing[k]! + count;
    }
  }
  return finishDataset(bars, names, labels, options, plan, X, rowMissing, missing);
}

/**
 * Copies the candidate bars `[start, to)` of a chunk (whose row 0 is bar `from`) into `X` from row
 * `r` on, marking non-finite values (after rounding, for float32) as missing; returns the next
 * row. Works in blocks of rows, column by column within a block: reading all columns at one row
 * would hit the same cache set in every column buffer (equal offsets) and thrash, while a block
 * of `X` stays in cache. A function of its own, called once per chunk, so V8 optimises it whole
 * instead of compiling the hot loop mid-run inside a long function (see `defineIndicator`).
 */
function storeChunk(
  X: Float64Array | Float32Array,
  r: number,
  columns: readonly Float64Array[],
  state: Uint8Array,
  start: number,
  to: number,
  from: number,
  picks: Int32Array,
  missing: Float64Array,
  rowMissing: Uint8Array,
): number {
  const d = columns.length;
  let m = 0;
  for (let i = start; i < to; i++) if (state[i] !== 0) picks[m++] = i - from;
  for (let b0 = 0; b0 < m; b0 += BLOCK_ROWS) {
    const b1 = Math.min(m, b0 + BLOCK_ROWS);
    for (let k = 0; k < d; k++) {
      const column = columns[k]!;
      let count = 0;
      for (let b = b0; b < b1; b++) {
        const at = (r + b) * d + k;
        X[at] = column[picks[b]!]!;
        // Checked after storing: a finite float64 may overflow float32.
        if (!Number.isFinite(X[at]!)) {
          X[at] = Number.NaN;
          rowMissing[r + b] = 1;
          count++;
        }
      }
      missing[k] = missing[k]! + count;
    }
  }
  return r + m;
}

/** Which bars can become rows before any feature is looked at. */
interface RowPlan {
  warmup: number;
  warmupFeature: string;
  warmupByFeature: Record<string, number>;
  /** Per bar: 0 = dropped (warm-up, invalid, unlabeled), 1 = candidate row. */
  state: Uint8Array;
  /** Number of candidate rows. */
  candidates: number;
  droppedBy: DroppedRows;
  invalidBarRows: number[];
}

function planRows(bars: Bars, names: readonly string[], warmups: readonly number[], labels: DatasetLabels): RowPlan {
  const n = bars.time.length;
  checkLengths(n, labels);
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
  const state = invalid; // reused: 0 = dropped, 1 = candidate
  let candidates = 0;
  for (let i = 0; i < n; i++) {
    const bad = state[i] === 1;
    state[i] = 0;
    if (i < warmup) continue;
    if (bad) droppedBy.invalidBar++;
    else if (!Number.isFinite(labels.label[i]!)) {
      if (i > lastLabeled) droppedBy.unlabeledTail++;
      else droppedBy.unlabeled++;
    } else {
      state[i] = 1;
      candidates++;
    }
  }
  return { warmup, warmupFeature, warmupByFeature, state, candidates, droppedBy, invalidBarRows };
}

/** Drops (or keeps) candidate rows with a missing feature, compacting `X` in place, and builds the report. */
function finishDataset(
  bars: Bars,
  names: readonly string[],
  labels: DatasetLabels,
  options: BuildDatasetOptions,
  plan: RowPlan,
  matrix: Float64Array | Float32Array,
  rowMissing: Uint8Array,
  missing: Float64Array,
): BuiltDataset<Dataset | Float32Dataset> {
  const keepMissing = options.keepMissing ?? false;
  const useWeights = (options.weights ?? 'labels') === 'labels' && labels.weight !== undefined;
  const d = names.length;
  const n = bars.time.length;
  const { droppedBy, state } = plan;
  let keptWithMissing = 0;
  let kept = 0;
  for (let c = 0; c < plan.candidates; c++) {
    if (rowMissing[c] === 0) kept++;
    else if (keepMissing) {
      keptWithMissing++;
      kept++;
    } else droppedBy.missingFeature++;
  }
  const rows = new Int32Array(kept);
  const y = new Float64Array(kept);
  const time = new Float64Array(kept);
  const labelEnd = labels.labelEnd ? new Float64Array(kept) : undefined;
  const weights = useWeights ? new Float64Array(kept) : undefined;
  let c = 0;
  let r = 0;
  for (let i = plan.warmup; i < n; i++) {
    if (state[i] === 0) continue;
    const candidate = c++;
    if (rowMissing[candidate] === 1 && !keepMissing) continue;
    // Rows only ever move towards the front, so copying in order never overwrites a row still needed.
    if (r !== candidate) matrix.copyWithin(r * d, candidate * d, candidate * d + d);
    rows[r] = i;
    y[r] = labels.label[i]!;
    time[r] = bars.time[i]!;
    if (labelEnd) labelEnd[r] = labels.labelEnd![i]!;
    if (weights) weights[r] = labels.weight![i]!;
    r++;
  }
  // A view when few rows went (no copy of X); a compact copy when many did, so the memory goes too.
  const X =
    kept === plan.candidates
      ? matrix
      : kept * 10 >= plan.candidates * 9
        ? matrix.subarray(0, kept * d)
        : matrix.slice(0, kept * d);
  const dataset = { X, y, featureNames: [...names], time } as Dataset | Float32Dataset;
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
    warmup: { rows: plan.warmup, feature: plan.warmupFeature },
    warmupByFeature: plan.warmupByFeature,
    missingByFeature,
    invalidBarRows: plan.invalidBarRows,
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
