export { argsort, columnsToRowMajor, countNaN, firstValidIndex, outputBuffer, toFloat64 } from './arrays.js';
export {
  type Bars,
  type BarsValidationOptions,
  type BarsValidationReport,
  barsBetween,
  barsLength,
  barsToCandles,
  barsToOhlcv,
  type Candle,
  candleAt,
  candlesToBars,
  checkBars,
  concatBars,
  copyBars,
  emptyBars,
  lowerBound,
  OHLCV_FIELDS,
  type OhlcvField,
  type OhlcvRow,
  ohlcvToBars,
  sliceBars,
  validateBars,
} from './bars.js';
export { canonicalJson } from './canonicalJson.js';
export {
  type DatasetCheckOptions,
  datasetRows,
  sliceRows,
  takeRows,
  validateDataset,
  validateMatrix,
} from './dataset.js';
export type { Env, ResetOptions, ResetResult, StepResult, ValueOf, VectorEnv, VectorStepResult } from './env.js';
export {
  CancelledError,
  CandlelabError,
  type CandlelabErrorOptions,
  ConfigError,
  DataSourceError,
  type ErrorCode,
  InvalidParameterError,
  JobFailedError,
  ModelFormatError,
  NotEnoughDataError,
  NotFittedError,
  type Result,
  StoreError,
  toResult,
  toResultAsync,
  ValidationError,
  type ValidationIssue,
} from './errors.js';
export {
  type Classifier,
  type Dataset,
  datasetMatrix,
  type Estimator,
  type EstimatorClass,
  type FitOptions,
  type Matrix,
  type ModelJson,
  type ProgressCallback,
  type ProgressEvent,
} from './estimator.js';
export { checkModelJson } from './modelJson.js';
export { nodeBuiltin, requireNodeBuiltin } from './nodeBuiltin.js';
export { Rng, type Seed, toRng } from './rng.js';
export { CandleSchema, SeriesIdSchema, TimeframeSchema } from './schemas.js';
export { type Action, ActionSchema, type Signal, SignalSchema } from './signal.js';
export { Box, Discrete, type Space } from './spaces.js';
export { didYouMean, suggestNames } from './suggestNames.js';
export {
  alignTime,
  barsPerYear,
  inferCalendar,
  isAligned,
  isTimeframe,
  type MarketCalendar,
  type ParsedTimeframe,
  parseTimeframe,
  type Timeframe,
  type TimeframeUnit,
  timeframeGrid,
  timeframeToMs,
} from './timeframe.js';
export { zodIssues } from './zodIssues.js';
