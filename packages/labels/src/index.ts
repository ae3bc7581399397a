export { ewmVolatility } from './ewmVolatility.js';
export {
  type ForwardReturnLabels,
  type ForwardReturnOptions,
  type ForwardReturnTarget,
  forwardReturnLabels,
} from './forwardReturnLabels.js';
export {
  type LabelBars,
  type LabelColumns,
  UNLABELED_REASONS,
  type UnlabeledReason,
  type UnlabeledReport,
} from './labelColumns.js';
export { metaLabels } from './metaLabels.js';
export { labelConcurrency, sampleUniqueness } from './sampleUniqueness.js';
export {
  Barrier,
  type TripleBarrierLabels,
  type TripleBarrierOptions,
  tripleBarrierLabels,
} from './tripleBarrierLabels.js';
export { wilderAtr } from './wilderAtr.js';
export { type LabelPrice, type ZigZagLabels, type ZigZagOptions, zigzagLabels } from './zigzagLabels.js';
