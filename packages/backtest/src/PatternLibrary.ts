import { InvalidParameterError, NotEnoughDataError, NotFittedError, Rng, type Seed } from '@candlelab/core';
import { type GroupStats, groupStats } from './shadowAnalysis.js';
import type { ShadowTrade } from './shadowTrades.js';

export interface PatternLibraryOptions {
  /** Number of clusters. Default 8 (reduced to the number of trades when fewer). */
  k?: number;
  /** Lloyd iterations at most. Default 100. */
  maxIterations?: number;
  /** Seed of the k-means++ initialisation. Default 0. */
  seed?: Seed;
}

export interface Pattern extends GroupStats {
  /** Cluster centre in the original (unstandardized) feature units. */
  centroid: Float64Array;
}

export interface PatternMatch {
  cluster: number;
  /** Euclidean distance in standardized units. */
  distance: number;
  pattern: Pattern;
}

/**
 * A pattern library over shadow-trade entry features: k-means (k-means++ seeding, Lloyd
 * iterations) on z-scored feature vectors, with win rate and mean return per cluster, and a
 * nearest-pattern lookup for a new setup. Trades with a NaN feature are left out.
 */
export class PatternLibrary {
  private centres: Float64Array | undefined;
  private mean = new Float64Array(0);
  private scale = new Float64Array(0);
  private dims = 0;
  patterns: Pattern[] = [];

  fit(trades: readonly ShadowTrade[], options: PatternLibraryOptions = {}): this {
    const rows = trades.filter((t) => t.features.length > 0 && t.features.every((v) => !Number.isNaN(v)));
    if (rows.length === 0) throw new NotEnoughDataError('PatternLibrary.fit: trades with finite features', 1, 0);
    const d = rows[0]!.features.length;
    const kWanted = options.k ?? 8;
    if (!Number.isInteger(kWanted) || kWanted < 1)
      throw new InvalidParameterError('k', kWanted, 'expected an integer >= 1');
    const maxIterations = options.maxIterations ?? 100;
    const k = Math.min(kWanted, rows.length);
    const n = rows.length;
    this.dims = d;
    this.mean = new Float64Array(d);
    this.scale = new Float64Array(d);
    for (const r of rows) for (let j = 0; j < d; j++) this.mean[j]! += r.features[j]! / n;
    for (const r of rows) for (let j = 0; j < d; j++) this.scale[j]! += (r.features[j]! - this.mean[j]!) ** 2 / n;
    for (let j = 0; j < d; j++) this.scale[j] = Math.sqrt(this.scale[j]!) || 1;
    const x = new Float64Array(n * d);
    rows.forEach((r, i) => {
      for (let j = 0; j < d; j++) x[i * d + j] = (r.features[j]! - this.mean[j]!) / this.scale[j]!;
    });
    const rng = new Rng(options.seed ?? 0);
    const centres = new Float64Array(k * d);
    const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    let chosen = rng.int(n);
    for (let c = 0; c < k; c++) {
      centres.set(x.subarray(chosen * d, chosen * d + d), c * d);
      let total = 0;
      for (let i = 0; i < n; i++) {
        dist[i] = Math.min(dist[i]!, squaredDistance(x, i * d, centres, c * d, d));
        total += dist[i]!;
      }
      let u = rng.float() * total;
      chosen = n - 1;
      for (let i = 0; i < n; i++) {
        u -= dist[i]!;
        if (u < 0) {
          chosen = i;
          break;
        }
      }
    }
    const assign = new Int32Array(n).fill(-1);
    for (let iter = 0; iter < maxIterations; iter++) {
      let changed = false;
      for (let i = 0; i < n; i++) {
        const c = nearestCentre(x, i * d, centres, k, d).cluster;
        if (c !== assign[i]) {
          assign[i] = c;
          changed = true;
        }
      }
      if (!changed) break;
      const sums = new Float64Array(k * d);
      const counts = new Uint32Array(k);
      for (let i = 0; i < n; i++) {
        const c = assign[i]!;
        counts[c]!++;
        for (let j = 0; j < d; j++) sums[c * d + j]! += x[i * d + j]!;
      }
      for (let c = 0; c < k; c++) {
        if (counts[c] === 0) continue;
        for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j]! / counts[c]!;
      }
    }
    this.centres = centres;
    this.patterns = [];
    for (let c = 0; c < k; c++) {
      const members: number[] = [];
      for (let i = 0; i < n; i++) if (assign[i] === c) members.push(i);
      const centroid = new Float64Array(d);
      for (let j = 0; j < d; j++) centroid[j] = centres[c * d + j]! * this.scale[j]! + this.mean[j]!;
      this.patterns.push({ centroid, ...groupStats(rows, members) });
    }
    return this;
  }

  /** The cluster whose centre is nearest to a new setup's feature vector. */
  nearest(features: ArrayLike<number>): PatternMatch {
    const centres = this.centres;
    if (centres === undefined) throw new NotFittedError('PatternLibrary');
    const d = this.dims;
    if (features.length !== d) throw new InvalidParameterError('features', features.length, `expected ${d} values`);
    const z = new Float64Array(d);
    for (let j = 0; j < d; j++) z[j] = (features[j]! - this.mean[j]!) / this.scale[j]!;
    const { cluster, d2 } = nearestCentre(z, 0, centres, this.patterns.length, d);
    return { cluster, distance: Math.sqrt(d2), pattern: this.patterns[cluster]! };
  }
}

function squaredDistance(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const diff = a[ao + j]! - b[bo + j]!;
    s += diff * diff;
  }
  return s;
}

function nearestCentre(
  x: Float64Array,
  offset: number,
  centres: Float64Array,
  k: number,
  d: number,
): { cluster: number; d2: number } {
  let cluster = 0;
  let d2 = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const s = squaredDistance(x, offset, centres, c * d, d);
    if (s < d2) {
      d2 = s;
      cluster = c;
    }
  }
  return { cluster, d2 };
}
