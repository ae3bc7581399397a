export { CartPole, type CartPoleOptions, cartPoleV1 } from './CartPole.js';
export type { RowRange } from './episodeBounds.js';
export { NormalizeObservation, type NormalizeObservationOptions, type RunningMeanStd } from './NormalizeObservation.js';
export {
  PortfolioEnv,
  type PortfolioEnvOptions,
  type PortfolioInfo,
  portfolioObservation,
  type RebalancePrices,
  rebalanceStep,
  softmax,
} from './PortfolioEnv.js';
export { type EpisodeStatistics, RecordEpisodeStatistics } from './RecordEpisodeStatistics.js';
export {
  SizingEnv,
  type SizingEnvOptions,
  type SizingInfo,
  sizedPosition,
  sizingObservation,
} from './SizingEnv.js';
export { flatSize, SyncVectorEnv } from './SyncVectorEnv.js';
export { TimeLimit } from './TimeLimit.js';
export {
  type ActionScheme,
  type ClosedTrade,
  positionAfterAction,
  TradingEnv,
  type TradingEnvOptions,
  type TradingInfo,
  type TradingReward,
  tradingActionNames,
  tradingEntryPrice,
  tradingObservation,
} from './TradingEnv.js';
