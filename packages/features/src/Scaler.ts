import {
  checkModelJson,
  type Dataset,
  datasetMatrix,
  InvalidParameterError,
  type Matrix,
  ModelFormatError,
  NotFittedError,
  validateMatrix,
} from '@candlelab/core';
import { z } from 'zod';
import { type RowSelection, selectedRows } from './selectedRows.js';

/** The scaler kinds, as written in their JSON `kind` field. */
export type ScalerKind = 'StandardScaler' | 'MinMaxScaler' | 'RobustScaler';

const SCALER_VERSION = 1;
const ScalerJsonSchema = z.object({
  kind: z.enum(['StandardScaler', 'MinMaxScaler', 'RobustScaler']),
  version: z.number(),
  featureNames: z.array(z.string()).nullable(),
  center: z.array(z.number()),
  scale: z.array(z.number().positive()),
});
/** The serialised form of every scaler. */
export type ScalerJson = z.infer<typeof ScalerJsonSchema>;

function toMatrix(X: Matrix | Dataset): Matrix {
  return 'data' in X ? X : datasetMatrix(X);
}

/**
 * An affine per-feature scaler `x' = (x − center) / scale`, fitted on chosen rows only (the
 * training slice: fitting on all rows leaks the future into the past). NaN values are ignored
 * when fitting and stay NaN when transforming. A constant feature gets scale 1 (as scikit-learn).
 */
export abstract class Scaler {
  abstract readonly kind: ScalerKind;
  #center: Float64Array | undefined;
  #scale: Float64Array | undefined;
  #featureNames: readonly string[] | null = null;

  /** Per-feature statistics from the given column values (NaN removed, at least one value). */
  protected abstract statistics(values: Float64Array): { center: number; scale: number };

  /** Fits on rows `rows` of `X` (default all). Returns `this`. */
  fit(X: Matrix | Dataset, rows?: RowSelection): this {
    const matrix = toMatrix(X);
    const indices = selectedRows(rows, matrix.rows);
    const center = new Float64Array(matrix.cols);
    const scale = new Float64Array(matrix.cols);
    const values = new Float64Array(indices.length);
    for (let c = 0; c < matrix.cols; c++) {
      let m = 0;
      for (let j = 0; j < indices.length; j++) {
        const v = matrix.data[indices[j]! * matrix.cols + c]!;
        if (!Number.isNaN(v)) values[m++] = v;
      }
      if (m === 0) {
        center[c] = 0;
        scale[c] = 1;
        continue;
      }
      const stats = this.statistics(values.subarray(0, m));
      center[c] = stats.center;
      scale[c] = stats.scale > 0 && Number.isFinite(stats.scale) ? stats.scale : 1;
    }
    this.#center = center;
    this.#scale = scale;
    this.#featureNames = 'featureNames' in X ? [...X.featureNames] : null;
    return this;
  }

  /** Scaled copy of `X` (or into `out`). Throws `NotFittedError` before `fit`. */
  transform(X: Matrix, out?: Float64Array): Matrix {
    const { center, scale } = this.#fitted();
    validateMatrix(X, center.length, `${this.kind}.transform`, true);
    const data = out ?? new Float64Array(X.data.length);
    if (data.length !== X.data.length)
      throw new InvalidParameterError('out', data.length, `expected ${X.data.length} values`);
    const d = X.cols;
    for (let r = 0; r < X.rows; r++) {
      for (let c = 0; c < d; c++) data[r * d + c] = (X.data[r * d + c]! - center[c]!) / scale[c]!;
    }
    return { data, rows: X.rows, cols: d };
  }

  /** A copy of `dataset` with `X` scaled. */
  transformDataset(dataset: Dataset): Dataset {
    return { ...dataset, X: this.transform(datasetMatrix(dataset)).data };
  }

  /** Undoes {@link transform}. */
  inverseTransform(X: Matrix): Matrix {
    const { center, scale } = this.#fitted();
    validateMatrix(X, center.length, `${this.kind}.inverseTransform`, true);
    const data = new Float64Array(X.data.length);
    const d = X.cols;
    for (let r = 0; r < X.rows; r++) {
      for (let c = 0; c < d; c++) data[r * d + c] = X.data[r * d + c]! * scale[c]! + center[c]!;
    }
    return { data, rows: X.rows, cols: d };
  }

  /** Fitted centers (copy). */
  get center(): Float64Array {
    return this.#fitted().center.slice();
  }

  /** Fitted scales (copy). */
  get scale(): Float64Array {
    return this.#fitted().scale.slice();
  }

  toJSON(): ScalerJson {
    const { center, scale } = this.#fitted();
    return {
      kind: this.kind,
      version: SCALER_VERSION,
      featureNames: this.#featureNames === null ? null : [...this.#featureNames],
      center: [...center],
      scale: [...scale],
    };
  }

  /** Restores fitted state from {@link toJSON} output (used by each subclass's `fromJSON`). */
  protected load(json: unknown): this {
    checkModelJson(json, this.kind, SCALER_VERSION);
    const parsed = ScalerJsonSchema.safeParse(json);
    if (!parsed.success) {
      throw new ModelFormatError(
        `${this.kind}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const { center, scale, featureNames } = parsed.data;
    if (center.length !== scale.length || (featureNames !== null && featureNames.length !== center.length)) {
      throw new ModelFormatError(`${this.kind}: center, scale and featureNames must have the same length`);
    }
    this.#center = Float64Array.from(center);
    this.#scale = Float64Array.from(scale);
    this.#featureNames = featureNames;
    return this;
  }

  #fitted(): { center: Float64Array; scale: Float64Array } {
    if (this.#center === undefined || this.#scale === undefined) throw new NotFittedError(this.kind);
    return { center: this.#center, scale: this.#scale };
  }
}
