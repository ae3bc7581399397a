export {
  type AggregatedSignal,
  type AggregateOptions,
  aggregateSignals,
  type ExecutionThresholds,
  shouldExecute,
} from './aggregateSignals.js';
export {
  type AlertReader,
  type AlertReaderOptions,
  alertReplayKey,
  createAlertReader,
  type ReadAlert,
  type WebhookAuth,
} from './createAlertReader.js';
export { createWebhookHandler, type WebhookHandlerOptions } from './createWebhookHandler.js';
export { createWebhookServer, type WebhookServerOptions } from './createWebhookServer.js';
export { directionLoss, type HedgeOptions, HedgeWeights, type SourceLoss } from './HedgeWeights.js';
export {
  type IdempotencyStore,
  MemoryIdempotencyStore,
  type MemoryIdempotencyStoreOptions,
} from './IdempotencyStore.js';
export { SignalAggregator, type SignalAggregatorOptions } from './SignalAggregator.js';
export { constantTimeEqual, signBody } from './signBody.js';
export {
  type AlertToSignalOptions,
  alertTime,
  alertToSignal,
  type TradingViewAlert,
  TradingViewAlertSchema,
} from './tradingViewAlert.js';
export { WEBHOOK_REJECTION_STATUS, WebhookRejectedError, type WebhookRejection } from './WebhookRejectedError.js';
