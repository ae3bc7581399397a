import { type Bars, type Dataset, InvalidParameterError } from '@candlelab/core';
import {
  type BuildDatasetOptions,
  buildDataset,
  type DatasetLabels,
  type Float32Dataset,
  type RowReport,
} from './buildDataset.js';
import type { FeatureSetInput } from './featureSetSchema.js';

/** One symbol's bars and labels. */
export interface SymbolSeries {
  bars: Bars;
  labels: DatasetLabels;
}

export interface MultiSymbolDataset<D extends Dataset | Float32Dataset = Dataset> {
  /** Rows of every symbol, ordered by time then by symbol index; `symbolIndex`/`symbols` say whose each row is. */
  dataset: D;
  /** One row report per symbol, in input order. */
  reports: RowReport[];
  /** Bar index (in that symbol's bars) of each dataset row. */
  rows: Int32Array;
}

/**
 * Builds one dataset per symbol with the same feature set (features never mix symbols) and
 * stacks them for cross-asset training, interleaved by time (ties ordered by symbol index) so
 * that chronological splits and purging by `labelEnd` work across symbols. Symbols must be unique.
 */
export function buildMultiSymbolDataset(
  series: readonly SymbolSeries[],
  featureSet: FeatureSetInput,
  options: BuildDatasetOptions & { dtype: 'float32' },
): MultiSymbolDataset<Float32Dataset>;
export function buildMultiSymbolDataset(
  series: readonly SymbolSeries[],
  featureSet: FeatureSetInput,
  options?: BuildDatasetOptions & { dtype?: 'float64' },
): MultiSymbolDataset;
export function buildMultiSymbolDataset(
  series: readonly SymbolSeries[],
  featureSet: FeatureSetInput,
  options?: BuildDatasetOptions,
): MultiSymbolDataset<Dataset | Float32Dataset>;
export function buildMultiSymbolDataset(
  series: readonly SymbolSeries[],
  featureSet: FeatureSetInput,
  options: BuildDatasetOptions = {},
): MultiSymbolDataset<Dataset | Float32Dataset> {
  if (series.length === 0) throw new InvalidParameterError('series', series, 'need at least one symbol');
  if (series.length > 65_535) throw new InvalidParameterError('series', series.length, 'at most 65,535 symbols');
  const symbols = series.map((s) => s.bars.symbol);
  const seen = new Set<string>();
  for (const symbol of symbols) {
    if (seen.has(symbol)) throw new InvalidParameterError('series', symbol, `symbol '${symbol}' appears twice`);
    seen.add(symbol);
  }
  const parts = series.map((s) => buildDataset(s.bars, featureSet, s.labels, options));
  const first = parts[0]!.dataset;
  const d = first.featureNames.length;
  const total = parts.reduce((sum, part) => sum + part.dataset.y.length, 0);
  const withLabelEnd = parts.every((part) => part.dataset.labelEnd !== undefined);
  const withWeights = parts.every((part) => part.dataset.weights !== undefined);
  const X = options.dtype === 'float32' ? new Float32Array(total * d) : new Float64Array(total * d);
  const y = new Float64Array(total);
  const time = new Float64Array(total);
  const symbolIndex = new Uint16Array(total);
  const rows = new Int32Array(total);
  const labelEnd = withLabelEnd ? new Float64Array(total) : undefined;
  const weights = withWeights ? new Float64Array(total) : undefined;
  // k-way merge by time (each part is already sorted by time); ties go to the lower symbol index.
  const cursor = new Int32Array(parts.length);
  for (let r = 0; r < total; r++) {
    let best = -1;
    let bestTime = Number.POSITIVE_INFINITY;
    for (let s = 0; s < parts.length; s++) {
      const part = parts[s]!.dataset;
      const c = cursor[s]!;
      if (c < part.y.length && part.time[c]! < bestTime) {
        best = s;
        bestTime = part.time[c]!;
      }
    }
    const part = parts[best]!;
    const c = cursor[best]!;
    cursor[best] = c + 1;
    X.set(part.dataset.X.subarray(c * d, c * d + d), r * d);
    y[r] = part.dataset.y[c]!;
    time[r] = bestTime;
    symbolIndex[r] = best;
    rows[r] = part.rows[c]!;
    if (labelEnd) labelEnd[r] = part.dataset.labelEnd![c]!;
    if (weights) weights[r] = part.dataset.weights![c]!;
  }
  const dataset = { X, y, featureNames: first.featureNames, time, symbolIndex, symbols } as Dataset | Float32Dataset;
  if (labelEnd) dataset.labelEnd = labelEnd;
  if (weights) dataset.weights = weights;
  return { dataset, reports: parts.map((part) => part.report), rows };
}
