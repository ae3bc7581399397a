export { type CoverageOptions, checkCoverage, type FuzzyWarning } from './checkCoverage.js';
export { FuzzyEngine, type FuzzyEngineOptions } from './FuzzyEngine.js';
export {
  type FuzzyConfig,
  type FuzzyConfigInput,
  FuzzyConfigSchema,
  type FuzzyInput,
  FuzzyInputSchema,
  fuzzyConfigJsonSchema,
  GaussianSpecSchema,
  GeneralizedBellSpecSchema,
  type MembershipSpec,
  MembershipSpecSchema,
  type MembershipType,
  parseFuzzyConfig,
  SigmoidSpecSchema,
  safeParseFuzzyConfig,
  TrapezoidalSpecSchema,
  TriangularSpecSchema,
} from './fuzzyConfig.js';
export { gaussian, gaussianAt } from './gaussian.js';
export { generalizedBell, generalizedBellAt } from './generalizedBell.js';
export { membership, membershipAt } from './membership.js';
export { sigmoid, sigmoidAt } from './sigmoid.js';
export { trapezoidal, trapezoidalAt } from './trapezoidal.js';
export { triangular, triangularAt } from './triangular.js';
