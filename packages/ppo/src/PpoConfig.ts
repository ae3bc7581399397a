import { ConfigError, type ValidationIssue } from '@candlelab/core';
import type { DenseMlpActivation } from '@candlelab/nn';

/**
 * PPO hyper-parameters, named as in cleanrl's `ppo.py`. Defaults are cleanrl's
 * (Huang et al. 2022, "The 37 implementation details of PPO").
 */
export interface PpoConfig {
  /** Adam step size (default 2.5e-4). */
  learningRate: number;
  /** Parallel environments (default 4). */
  numEnvs: number;
  /** Steps per environment per rollout (default 128). */
  numSteps: number;
  /** Discount factor γ (default 0.99). */
  gamma: number;
  /** GAE λ (default 0.95). */
  gaeLambda: number;
  /** Minibatches per epoch (default 4). */
  numMinibatches: number;
  /** Epochs over each rollout (default 4). */
  updateEpochs: number;
  /** Normalise advantages per minibatch (default true). */
  normAdv: boolean;
  /** Surrogate clipping ε (default 0.2). */
  clipCoef: number;
  /** Clip the value loss around the old values too (default true). */
  clipVloss: boolean;
  /** Entropy bonus coefficient (default 0.01). */
  entCoef: number;
  /** Value loss coefficient (default 0.5). */
  vfCoef: number;
  /** Global gradient-norm clip (default 0.5). */
  maxGradNorm: number;
  /** Stop an update's epochs early when the approximate KL exceeds this (default null: never). */
  targetKl: number | null;
  /** Anneal the learning rate linearly to 0 over training (default true). */
  annealLr: boolean;
  /** Anneal the clip coefficient linearly to 0 over training, as SB3's `lin_0.2` (default false). */
  annealClip: boolean;
  /** Hidden layer widths of the actor and of the critic (default [64, 64]). */
  hiddenSizes: number[];
  /** Hidden activation (default 'tanh'). */
  activation: DenseMlpActivation;
  /** Initial log-std of a Gaussian policy (default 0). */
  initLogStd: number;
  /** Seed of the initialisation, sampling and minibatch shuffling (default 0). */
  seed: number;
}

export const DEFAULT_PPO_CONFIG: Readonly<PpoConfig> = Object.freeze({
  learningRate: 2.5e-4,
  numEnvs: 4,
  numSteps: 128,
  gamma: 0.99,
  gaeLambda: 0.95,
  numMinibatches: 4,
  updateEpochs: 4,
  normAdv: true,
  clipCoef: 0.2,
  clipVloss: true,
  entCoef: 0.01,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  annealLr: true,
  annealClip: false,
  hiddenSizes: [64, 64],
  activation: 'tanh',
  initLogStd: 0,
  seed: 0,
});

/**
 * The RL Baselines3 Zoo's tuned PPO settings for CartPole-v1 (hyperparams/ppo.yml): 8 envs × 32
 * steps, batch 256 (1 minibatch), 20 epochs, LR 1e-3 and clip 0.2 both annealed linearly,
 * λ 0.8, γ 0.98, no entropy bonus, unclipped value loss (SB3's default), 64-64 tanh.
 */
export const CARTPOLE_ZOO_CONFIG: Readonly<Partial<PpoConfig>> = Object.freeze({
  learningRate: 1e-3,
  numEnvs: 8,
  numSteps: 32,
  gamma: 0.98,
  gaeLambda: 0.8,
  numMinibatches: 1,
  updateEpochs: 20,
  clipCoef: 0.2,
  clipVloss: false,
  entCoef: 0,
  annealLr: true,
  annealClip: true,
});

/** Widest hidden layer accepted: PPO's networks are small, and a typo such as 6400000 would exhaust memory. */
const MAX_HIDDEN_WIDTH = 4096;

/** Merges `partial` over the defaults and checks every field, throwing a {@link ConfigError} naming each bad one. */
export function resolvePpoConfig(partial: Partial<PpoConfig> = {}): PpoConfig {
  const config: PpoConfig = { ...DEFAULT_PPO_CONFIG, hiddenSizes: [...DEFAULT_PPO_CONFIG.hiddenSizes], ...partial };
  const issues: ValidationIssue[] = [];
  const check = (field: keyof PpoConfig, ok: boolean, reason: string) => {
    if (!ok) issues.push({ field, reason: `${reason} (got ${JSON.stringify(config[field])})` });
  };
  const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
  check('learningRate', config.learningRate > 0 && Number.isFinite(config.learningRate), 'expected > 0');
  check('numEnvs', positiveInt(config.numEnvs), 'expected a positive integer');
  check('numSteps', positiveInt(config.numSteps), 'expected a positive integer');
  check('gamma', config.gamma >= 0 && config.gamma <= 1, 'expected 0 <= gamma <= 1');
  check('gaeLambda', config.gaeLambda >= 0 && config.gaeLambda <= 1, 'expected 0 <= gaeLambda <= 1');
  check(
    'numMinibatches',
    positiveInt(config.numMinibatches) && (config.numEnvs * config.numSteps) % config.numMinibatches === 0,
    'expected a positive divisor of numEnvs × numSteps',
  );
  check('updateEpochs', positiveInt(config.updateEpochs), 'expected a positive integer');
  check('clipCoef', config.clipCoef > 0, 'expected > 0');
  check('entCoef', config.entCoef >= 0, 'expected >= 0');
  check('vfCoef', config.vfCoef >= 0, 'expected >= 0');
  check('maxGradNorm', config.maxGradNorm > 0, 'expected > 0');
  check('targetKl', config.targetKl === null || config.targetKl > 0, 'expected null or > 0');
  check(
    'hiddenSizes',
    Array.isArray(config.hiddenSizes) &&
      config.hiddenSizes.length > 0 &&
      config.hiddenSizes.every((width) => positiveInt(width) && width <= MAX_HIDDEN_WIDTH),
    `expected a non-empty list of integer widths in [1, ${MAX_HIDDEN_WIDTH}]`,
  );
  check('activation', config.activation === 'tanh' || config.activation === 'relu', "expected 'tanh' or 'relu'");
  for (const flag of ['normAdv', 'clipVloss', 'annealLr', 'annealClip'] as const)
    check(flag, typeof config[flag] === 'boolean', 'expected true or false');
  check('initLogStd', Number.isFinite(config.initLogStd), 'expected a finite number');
  check('seed', Number.isInteger(config.seed) && config.seed >= 0, 'expected a non-negative integer');
  if (issues.length > 0) throw new ConfigError('PPO config', issues);
  return config;
}
