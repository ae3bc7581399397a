export {
  type ClassLabels,
  classLabels,
  type LabelClasses,
  type LabelKind,
  type LabelSpec,
  type LabelSpecInput,
  LabelSpecSchema,
  labelClasses,
} from './classLabels.js';
export { ewmVolatility } from './ewmVolatility.js';
export {
  type ForwardReturnLabels,
  type ForwardReturnOptions,
  ForwardReturnOptionsSchema,
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
  TripleBarrierOptionsSchema,
  tripleBarrierLabels,
} from './tripleBarrierLabels.js';
export {
  type LabelPrice,
  LabelPriceSchema,
  type ZigZagLabels,
  type ZigZagOptions,
  ZigZagOptionsSchema,
  zigzagLabels,
} from './zigzagLabels.js';
