/**
 * A supervised dataset: `X` is row-major `n × d`, one row per sample, aligned with `y` and
 * `time` (the time the sample's features are known). `labelEnd` (when the label's information
 * ends) and `weights` are optional.
 */
export interface Dataset {
  X: Float64Array;
  y: Float64Array;
  featureNames: readonly string[];
  time: Float64Array;
  weights?: Float64Array;
  /** Time each label's outcome is fully known; used to purge cross-validation folds. */
  labelEnd?: Float64Array;
  /** Symbol per row, for multi-symbol datasets (index into `symbols`). */
  symbolIndex?: Uint16Array;
  symbols?: readonly string[];
}

/** A matrix of features for prediction: row-major `rows × cols`. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Progress of long work, reported through `onProgress` callbacks everywhere. */
export interface ProgressEvent {
  /** Which stage is running (e.g. `fetch`, `train`, `fold 3/5`). */
  phase: string;
  done: number;
  total: number;
  /** Stage-specific detail (e.g. current loss). */
  detail?: Readonly<Record<string, number | string>>;
}

export type ProgressCallback = (event: ProgressEvent) => void;

export interface FitOptions {
  /** Held-out data for early stopping; never used to fit parameters. */
  validation?: Dataset;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** A serialized model: every model file names its kind and format version. */
export interface ModelJson {
  kind: string;
  version: number;
  [key: string]: unknown;
}

/** The supervised model contract shared by gbdt, nn and ensembles. */
export interface Estimator<FitResult = unknown> {
  fit(dataset: Dataset, options?: FitOptions): FitResult | Promise<FitResult>;
  /** Regression value, or the most likely class index for classifiers. One value per row. */
  predict(X: Matrix): Float64Array;
  toJSON(): ModelJson;
}

/** A classifier also gives class probabilities: row-major `rows × numClasses`. */
export interface Classifier<FitResult = unknown> extends Estimator<FitResult> {
  readonly numClasses: number;
  predictProba(X: Matrix): Float64Array;
}

/** Constructor side of the contract: `fromJSON` checks kind and version before loading. */
export interface EstimatorClass<E extends Estimator> {
  fromJSON(json: unknown): E;
}

/** The rows of a dataset as a {@link Matrix}. */
export function datasetMatrix(dataset: Dataset): Matrix {
  const cols = dataset.featureNames.length;
  return { data: dataset.X, rows: cols === 0 ? 0 : dataset.X.length / cols, cols };
}
