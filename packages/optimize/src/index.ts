export {
  type Objective,
  type ObjectiveResult,
  type OptimizeOptions,
  optimize,
  pickBest,
  type SamplerName,
  type StudyResult,
  type Trial,
  type TrialContext,
} from './optimize.js';
export {
  CategoricalParamSchema,
  FloatParamSchema,
  gridPoints,
  IntParamSchema,
  isActive,
  LogFloatParamSchema,
  type ParamSpec,
  ParamSpecSchema,
  type Params,
  type ParamValue,
  parseSearchSpace,
  type SearchSpace,
  type SearchSpaceInput,
  SearchSpaceSchema,
  sampleRandom,
} from './searchSpace.js';
export { type Observation, suggestTpe, type TpeOptions } from './tpe.js';
export { type WalkForwardObjectiveOptions, walkForwardObjective } from './walkForwardObjective.js';
