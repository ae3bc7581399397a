export {
  BUNDLED_BTC_HOURLY,
  DATA_USAGE,
  type DataFile,
  type LoadDataOptions,
  loadDataFile,
  parseDataArgs,
  runExampleCli,
} from './exampleData.js';
