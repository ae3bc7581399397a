export { type AggregateTradesOptions, aggregateTrades, type Trade, type TradeColumns } from './aggregateTrades.js';
export type {
  CandleSource,
  FetchOptions,
  FetchProgress,
  FetchRequest,
  SourceCapabilities,
  SourcePage,
} from './CandleSource.js';
export type {
  CandleStore,
  RangeQuery,
  SeriesKey,
  StoreWriteOptions,
  StoreWriteResult,
  TimeRange,
} from './CandleStore.js';
export { type CcxtExchange, CcxtSource, type CcxtSourceOptions } from './CcxtSource.js';
export { DuckDbStore, type DuckDbStoreOptions } from './DuckDbStore.js';
export { FileSource, type FileSourceOptions } from './FileSource.js';
export {
  type BarGap,
  type DuplicateReport,
  findDuplicates,
  findGaps,
  type SeriesReport,
  seriesReport,
} from './findGaps.js';
export { generateSyntheticBars, type Regime, type SyntheticOptions } from './generateSyntheticBars.js';
export {
  type GapReason,
  type LoadGap,
  type LoadOptions,
  type LoadReport,
  type LoadRequest,
  type LoadResult,
  loadBars,
} from './loadBars.js';
export { MemoryStore } from './MemoryStore.js';
export { type PostgresPoolOptions, PostgresStore, type PostgresStoreOptions } from './PostgresStore.js';
export { type CandleFileOptions, parseCandleFile } from './parseCandleFile.js';
export { type ParseBarsOptions, type ParseCsvOptions, parseCsvBars } from './parseCsvBars.js';
export { parseJsonBars } from './parseJsonBars.js';
export { parseDecimal, parseTimestamp, TIME_UNITS, type TimeUnit } from './parseTimestamp.js';
export type {
  RecordColumnType,
  RecordFilter,
  RecordRow,
  RecordRowInput,
  RecordStore,
  RecordValue,
  WriteRecordsOptions,
  WriteRecordsResult,
} from './RecordStore.js';
export { mergeRanges, subtractRanges } from './ranges.js';
export { type ResampleOptions, type ResampleResult, resample } from './resample.js';
export { SyntheticSource, type SyntheticSourceOptions } from './SyntheticSource.js';
