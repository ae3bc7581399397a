import { Scaler } from './Scaler.js';

/** Z-score scaling: `(x − mean) / std` with the population standard deviation (as scikit-learn's `StandardScaler`). */
export class StandardScaler extends Scaler {
  readonly kind = 'StandardScaler' as const;

  protected statistics(values: Float64Array): { center: number; scale: number } {
    let mean = 0;
    for (let i = 0; i < values.length; i++) mean += values[i]!;
    mean /= values.length;
    let ss = 0;
    for (let i = 0; i < values.length; i++) ss += (values[i]! - mean) ** 2;
    return { center: mean, scale: Math.sqrt(ss / values.length) };
  }

  /** Restores a scaler saved with `toJSON`; throws `ModelFormatError` for another kind or a newer version. */
  static fromJSON(json: unknown): StandardScaler {
    return new StandardScaler().load(json);
  }
}
