import { InvalidParameterError } from '@candlelab/core';
import { ksTwoSample, populationStabilityIndex, sortedFinite } from './driftStatistics.js';
import type { ServeConfig } from './serveConfig.js';

export type DriftOptions = ServeConfig['drift'];

/** One feature column's drift. */
export interface ColumnDrift {
  name: string;
  psi: number;
  ksStatistic: number;
  ksPValue: number;
  /** The PSI this column must reach: max(`psiThreshold`, margin × the largest PSI of a training window). */
  psiLimit: number;
  /** The KS statistic it must reach: margin × the largest KS statistic of a training window. */
  ksLimit: number;
  /** PSI ≥ `psiLimit`, KS statistic ≥ `ksLimit` and KS p-value ≤ `ksPValue`. */
  drifted: boolean;
}

export interface DriftReport {
  /** Live rows compared. */
  rows: number;
  columns: ColumnDrift[];
  /** Share of columns that drifted. */
  driftedFraction: number;
  /** `driftedFraction ≥ maxDriftedFraction`. */
  drifting: boolean;
}

/**
 * Feature drift of one model: the live feature rows of the last `windowBars` bars against the
 * training distribution, column by column, with the population stability index over the
 * reference's quantile bins and a two-sample Kolmogorov–Smirnov test.
 *
 * Hourly features are strongly autocorrelated, so a window of a few hundred bars covers only part
 * of a slow feature's range and fixed PSI/KS thresholds flag most columns on ordinary data (on
 * real BTC/USDT 1h, a quarter to half of the standard set's columns at PSI ≥ 0.25, p ≤ 0.01).
 * Each column's limits are therefore calibrated on the training rows themselves: the largest PSI
 * and KS statistic of any half-overlapping `windowBars` window of the training period against the
 * whole of it, times `calibrationMargin`. A live window drifts where no training window did.
 */
export class DriftMonitor {
  readonly names: readonly string[];
  readonly #reference: Float64Array[];
  readonly #limits: Array<{ psi: number; ks: number }>;
  readonly #window: Float64Array;
  readonly #options: DriftOptions;
  #rows = 0;

  /** `reference[j]` holds column j of the training rows (NaN rows of the warm-up are ignored). */
  constructor(names: readonly string[], reference: readonly ArrayLike<number>[], options: DriftOptions) {
    if (reference.length !== names.length)
      throw new InvalidParameterError('reference', reference.length, `one column per feature (${names.length})`);
    this.names = names;
    this.#reference = reference.map(sortedFinite);
    this.#options = options;
    this.#limits = reference.map((column, j) => this.#calibrate(column, this.#reference[j]!));
    this.#window = new Float64Array(options.windowBars * names.length);
  }

  /** The largest PSI and KS statistic of the training period's own windows (time order) against the whole, times the margin. */
  #calibrate(column: ArrayLike<number>, sorted: Float64Array): { psi: number; ks: number } {
    const { windowBars, bins, psiThreshold, calibrationMargin } = this.#options;
    let psi = 0;
    let ks = 0;
    const window = new Float64Array(windowBars);
    const step = Math.max(1, Math.floor(windowBars / 2));
    for (let start = 0; start + windowBars <= column.length; start += step) {
      for (let r = 0; r < windowBars; r++) window[r] = column[start + r]!;
      const live = sortedFinite(window);
      if (live.length < windowBars / 2) continue; // warm-up rows
      psi = Math.max(psi, populationStabilityIndex(sorted, live, bins));
      ks = Math.max(ks, ksTwoSample(sorted, live).statistic);
    }
    return { psi: Math.max(psiThreshold, calibrationMargin * psi), ks: calibrationMargin * ks };
  }

  /** Live rows held (at most `windowBars`). */
  get rows(): number {
    return Math.min(this.#rows, this.#options.windowBars);
  }

  /** Forgets the live rows (a restarted stream replays them). */
  reset(): void {
    this.#rows = 0;
  }

  /** Adds the newest live feature row (a ring buffer of `windowBars` rows). */
  push(row: ArrayLike<number>): void {
    const d = this.names.length;
    this.#window.set(row, (this.#rows % this.#options.windowBars) * d);
    this.#rows++;
  }

  /**
   * The drift of every column, or undefined until the window is full (a shorter window would be
   * judged against limits calibrated on `windowBars` rows).
   */
  check(): DriftReport | undefined {
    const rows = this.rows;
    if (rows < this.#options.windowBars) return undefined;
    const d = this.names.length;
    const column = new Float64Array(rows);
    const columns = this.names.map((name, j): ColumnDrift => {
      for (let r = 0; r < rows; r++) column[r] = this.#window[r * d + j]!;
      const live = sortedFinite(column);
      const reference = this.#reference[j]!;
      const psi = populationStabilityIndex(reference, live, this.#options.bins);
      const ks = ksTwoSample(reference, live);
      const limit = this.#limits[j]!;
      const drifted = psi >= limit.psi && ks.statistic >= limit.ks && ks.pValue <= this.#options.ksPValue;
      return {
        name,
        psi,
        ksStatistic: ks.statistic,
        ksPValue: ks.pValue,
        psiLimit: limit.psi,
        ksLimit: limit.ks,
        drifted,
      };
    });
    const driftedFraction = columns.filter((c) => c.drifted).length / Math.max(1, d);
    return { rows, columns, driftedFraction, drifting: driftedFraction >= this.#options.maxDriftedFraction };
  }
}
