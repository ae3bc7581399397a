export {
  type AggregatedSignal,
  type AggregateOptions,
  aggregateSignals,
  type ExecutionThresholds,
  shouldExecute,
} from './aggregateSignals.js';
export {
  constantTimeEqual,
  createWebhookHandler,
  signBody,
  type WebhookAuth,
  type WebhookHandlerOptions,
  type WebhookRejection,
} from './createWebhookHandler.js';
export { directionLoss, type HedgeOptions, HedgeWeights, type SourceLoss } from './HedgeWeights.js';
export {
  type IdempotencyStore,
  MemoryIdempotencyStore,
  type MemoryIdempotencyStoreOptions,
} from './IdempotencyStore.js';
export { SignalAggregator, type SignalAggregatorOptions } from './SignalAggregator.js';
export {
  type AlertToSignalOptions,
  alertToSignal,
  type TradingViewAlert,
  TradingViewAlertSchema,
} from './tradingViewAlert.js';
