import { Scaler } from './Scaler.js';

/** The `q`-quantile of sorted values with linear interpolation (numpy's default `linear` method). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/**
 * Robust scaling: `(x − median) / IQR` with the interquartile range `q75 − q25` (as
 * scikit-learn's `RobustScaler` with its defaults), insensitive to outliers.
 */
export class RobustScaler extends Scaler {
  readonly kind = 'RobustScaler' as const;

  protected statistics(values: Float64Array): { center: number; scale: number } {
    const sorted = values.slice().sort();
    return {
      center: quantileSorted(sorted, 0.5),
      scale: quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25),
    };
  }

  /** Restores a scaler saved with `toJSON`; throws `ModelFormatError` for another kind or a newer version. */
  static fromJSON(json: unknown): RobustScaler {
    return new RobustScaler().load(json);
  }
}
