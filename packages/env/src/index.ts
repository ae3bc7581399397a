export { CartPole, type CartPoleOptions, cartPoleV1 } from './CartPole.js';
export type { RowRange } from './episodeBounds.js';
export { NormalizeObservation, type NormalizeObservationOptions, type RunningMeanStd } from './NormalizeObservation.js';
export { PortfolioEnv, type PortfolioEnvOptions, type PortfolioInfo, softmax } from './PortfolioEnv.js';
export { type EpisodeStatistics, RecordEpisodeStatistics } from './RecordEpisodeStatistics.js';
export { flatSize, SyncVectorEnv } from './SyncVectorEnv.js';
export { TimeLimit } from './TimeLimit.js';
export {
  type ActionScheme,
  type ClosedTrade,
  TradingEnv,
  type TradingEnvOptions,
  type TradingInfo,
  type TradingReward,
} from './TradingEnv.js';
