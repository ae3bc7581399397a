import { Scaler } from './Scaler.js';

/** Min-max scaling to [0, 1] on the fitted rows: `(x − min) / (max − min)` (as scikit-learn's `MinMaxScaler`). */
export class MinMaxScaler extends Scaler {
  readonly kind = 'MinMaxScaler' as const;

  protected statistics(values: Float64Array): { center: number; scale: number } {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { center: min, scale: max - min };
  }

  /** Restores a scaler saved with `toJSON`; throws `ModelFormatError` for another kind or a newer version. */
  static fromJSON(json: unknown): MinMaxScaler {
    return new MinMaxScaler().load(json);
  }
}
