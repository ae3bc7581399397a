// `@candlelab/signals/aggregate`: signal aggregation with learned weights and nothing of the webhook
// intake, whose server imports `node:http` (so this entry bundles for the browser).
export {
  type AggregatedSignal,
  type AggregateOptions,
  aggregateSignals,
  type ExecutionThresholds,
  shouldExecute,
} from './aggregateSignals.js';
export { directionLoss, type HedgeOptions, HedgeWeights, type SourceLoss } from './HedgeWeights.js';
export { SignalAggregator, type SignalAggregatorOptions } from './SignalAggregator.js';
