import { ConfigError, type ValidationIssue } from '@candlelab/core';
import type { ActionScheme, TradingReward } from '@candlelab/env';
import { DEFAULT_PPO_CONFIG, type PpoConfig, resolvePpoConfig } from '@candlelab/ppo';
import { z } from 'zod';
import type { StrategyConfig } from './strategyConfig.js';

/** Steps per training episode of a PPO env (each starts at a random bar of the fold's training window). Default 512. */
export const EpisodeLengthSchema = z
  .number()
  .int()
  .positive()
  .default(512)
  .describe("Steps per training episode, each from a random bar of the fold's training window (bars; default 512).");

const ACTION_SCHEMES = ['targetPosition', 'holdBuySell'] as const satisfies readonly ActionScheme[];
const TRADING_REWARDS = [
  'logReturn',
  'pnl',
  'differentialSharpe',
  'drawdownPenalised',
] as const satisfies readonly TradingReward[];

/**
 * The environment a PPO strategy trains in: `@candlelab/env`'s single-asset `TradingEnv` over each
 * symbol's bars, observing the strategy's features standardised on the training rows. Fees,
 * slippage and `allowShort` come from the strategy's `backtest:` section, so the agent trains
 * under the costs it is backtested with.
 */
export const PpoEnvConfigSchema = z
  .object({
    /** The single-asset trading environment (the only kind so far). Default `trading`. */
    kind: z
      .literal('trading')
      .default('trading')
      .describe('The single-asset trading environment (TradingEnv of @candlelab/env); default trading.'),
    /**
     * How an action is read: `targetPosition` (default: the action is the position, short/flat/long
     * or flat/long without shorts) or `holdBuySell` (hold, or step the position up/down by one).
     */
    actionScheme: z
      .enum(ACTION_SCHEMES)
      .default('targetPosition')
      .describe(
        'targetPosition (the action is the position: short/flat/long) or holdBuySell (hold, or step the position by one); default targetPosition.',
      ),
    /** Feature rows per observation, ending at the decision bar. Default 8. */
    window: z
      .number()
      .int()
      .positive()
      .max(512)
      .default(8)
      .describe('Feature rows per observation, ending at the decision bar (bars; default 8).'),
    episodeLength: EpisodeLengthSchema,
    /**
     * Per-step reward: `logReturn` (default, ln of the equity ratio), `pnl`, `differentialSharpe`
     * (Moody & Saffell) or `drawdownPenalised` (log return minus `drawdownPenalty` × drawdown increase).
     */
    reward: z
      .enum(TRADING_REWARDS)
      .default('logReturn')
      .describe(
        'Per-step reward: logReturn (default), pnl, differentialSharpe (Moody & Saffell) or drawdownPenalised.',
      ),
    /** Weight of the drawdown increase in `drawdownPenalised`. Default: TradingEnv's (1). */
    drawdownPenalty: z
      .number()
      .min(0)
      .optional()
      .describe('Weight of the drawdown increase in drawdownPenalised; default 1.'),
    /** Adaptation rate η of `differentialSharpe`. Default: TradingEnv's (0.01). */
    sharpeEta: z.number().gt(0).lt(1).optional().describe('Adaptation rate η of differentialSharpe; default 0.01.'),
    /** Standardised features are clipped to ±this (outliers of a later period stay in range). Default 5. */
    clipObservation: z
      .number()
      .positive()
      .default(5)
      .describe('Standardised features are clipped to ±this (standard deviations; default 5).'),
  })
  .strict();

/**
 * The multi-asset environment (`@candlelab/env`'s `PortfolioEnv`, seed 000's allocator): the
 * agent outputs logits over the strategy's symbols + cash, softmaxed into target weights,
 * rebalanced at the next open at a cost of (`backtest.feesBps` + `backtest.slippageBps`) ×
 * turnover; it observes the last `window` log returns of every symbol and its current weights.
 * Long-only (`backtest.allowShort` must be false).
 */
export const PortfolioEnvConfigSchema = z
  .object({
    kind: z
      .literal('portfolio')
      .describe('The multi-asset allocator (PortfolioEnv): softmax weights over the symbols and cash, long-only.'),
    /** Log returns per symbol in the observation, ending at the decision bar. Default 16. */
    window: z
      .number()
      .int()
      .positive()
      .max(512)
      .default(16)
      .describe('Log returns per symbol in the observation, ending at the decision bar (bars; default 16).'),
    episodeLength: EpisodeLengthSchema,
  })
  .strict();

/**
 * PPO hyper-parameters with the literature's (cleanrl's) names; every default is
 * `@candlelab/ppo`'s `DEFAULT_PPO_CONFIG` (cleanrl's defaults), quoted in brackets. The seed is
 * not here: seed k of a strategy is its top-level `seed` + k.
 */
export const PpoParamsSchema = z
  .object({
    /** Adam step size [2.5e-4], annealed linearly to 0 when `annealLr`. */
    learningRate: z
      .number()
      .positive()
      .default(DEFAULT_PPO_CONFIG.learningRate)
      .describe('Adam step size, annealed linearly to 0 when annealLr; default 0.00025.'),
    /** Parallel training environments [4]; env i trains on symbol i mod (number of symbols), so at least one per symbol. */
    numEnvs: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_PPO_CONFIG.numEnvs)
      .describe('Parallel training environments; env i trains on symbol i mod the symbol count; default 4.'),
    /** Steps per environment per rollout [128]. */
    numSteps: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_PPO_CONFIG.numSteps)
      .describe('Steps per environment per rollout; default 128.'),
    /** Discount factor γ [0.99]. */
    gamma: z.number().min(0).max(1).default(DEFAULT_PPO_CONFIG.gamma).describe('Discount factor γ; default 0.99.'),
    /** GAE λ [0.95]. */
    gaeLambda: z.number().min(0).max(1).default(DEFAULT_PPO_CONFIG.gaeLambda).describe('GAE λ; default 0.95.'),
    /** Minibatches per epoch [4]; must divide numEnvs × numSteps. */
    numMinibatches: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_PPO_CONFIG.numMinibatches)
      .describe('Minibatches per epoch; must divide numEnvs × numSteps; default 4.'),
    /** Epochs over each rollout [4]. */
    updateEpochs: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_PPO_CONFIG.updateEpochs)
      .describe('Epochs over each rollout; default 4.'),
    /** Normalise advantages per minibatch [true]. */
    normAdv: z
      .boolean()
      .default(DEFAULT_PPO_CONFIG.normAdv)
      .describe('Normalise advantages per minibatch; default true.'),
    /** Surrogate clipping ε [0.2]. */
    clipCoef: z.number().positive().default(DEFAULT_PPO_CONFIG.clipCoef).describe('Surrogate clipping ε; default 0.2.'),
    /** Clip the value loss around the old values too [true]. */
    clipVloss: z
      .boolean()
      .default(DEFAULT_PPO_CONFIG.clipVloss)
      .describe('Clip the value loss around the old values too; default true.'),
    /** Entropy bonus coefficient [0.01]. */
    entCoef: z.number().min(0).default(DEFAULT_PPO_CONFIG.entCoef).describe('Entropy bonus coefficient; default 0.01.'),
    /** Value loss coefficient [0.5]. */
    vfCoef: z.number().min(0).default(DEFAULT_PPO_CONFIG.vfCoef).describe('Value loss coefficient; default 0.5.'),
    /** Global gradient-norm clip [0.5]. */
    maxGradNorm: z
      .number()
      .positive()
      .default(DEFAULT_PPO_CONFIG.maxGradNorm)
      .describe('Global gradient-norm clip; default 0.5.'),
    /** Stop an update's epochs early when the approximate KL exceeds this [null: never]. */
    targetKl: z
      .number()
      .positive()
      .nullable()
      .default(DEFAULT_PPO_CONFIG.targetKl)
      .describe("Stop an update's epochs early when the approximate KL exceeds this; default null (never)."),
    /** Anneal the learning rate linearly to 0 over training [true]. */
    annealLr: z
      .boolean()
      .default(DEFAULT_PPO_CONFIG.annealLr)
      .describe('Anneal the learning rate linearly to 0 over training; default true.'),
    /** Anneal the clip coefficient linearly to 0 over training [false]. */
    annealClip: z
      .boolean()
      .default(DEFAULT_PPO_CONFIG.annealClip)
      .describe('Anneal the clip coefficient linearly to 0 over training; default false.'),
    /** Hidden layer widths of the actor and of the critic [[64, 64]]. */
    hiddenSizes: z
      .array(z.number().int().positive().max(4096))
      .min(1)
      .default(() => [...DEFAULT_PPO_CONFIG.hiddenSizes])
      .describe('Hidden layer widths of the actor and of the critic; default [64, 64].'),
    /** Hidden activation [tanh]. */
    activation: z
      .enum(['tanh', 'relu'])
      .default(DEFAULT_PPO_CONFIG.activation)
      .describe('Hidden activation; default tanh.'),
  })
  .strict()
  .superRefine((params, ctx) => {
    if ((params.numEnvs * params.numSteps) % params.numMinibatches !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['numMinibatches'],
        message: `must divide numEnvs × numSteps (${params.numEnvs} × ${params.numSteps} = ${params.numEnvs * params.numSteps})`,
      });
  });

/** `model:` of a PPO strategy: a reinforcement-learning agent trained walk-forward like any other model. */
export const PpoModelConfigSchema = z
  .object({
    kind: z.literal('ppo'),
    /** `trading` (default: one agent trading each symbol) or `portfolio` (weights over the symbols + cash). */
    env: z
      .union([PpoEnvConfigSchema, PortfolioEnvConfigSchema])
      .prefault({})
      .describe('trading (default: one agent trading each symbol) or portfolio (weights over the symbols and cash).'),
    params: PpoParamsSchema.prefault({}).describe("PPO hyper-parameters with cleanrl's names and defaults."),
    /** Environment steps each agent trains for (rounded down to whole rollouts of numEnvs × numSteps). Default 20,000. */
    totalTimesteps: z
      .number()
      .int()
      .positive()
      .default(20_000)
      .describe('Environment steps each agent trains for, rounded down to whole rollouts; default 20000.'),
    /**
     * Agents trained per fold, seeds `seed`, `seed + 1`, …; the one whose Sharpe on the fold's
     * held-out validation rows (its training rows when there are none) is the median is the
     * fold's model (never chosen by test results). Default 3.
     */
    seeds: z
      .number()
      .int()
      .positive()
      .max(32)
      .default(3)
      .describe(
        'Agents trained per fold (seeds seed, seed + 1, …); the median by validation Sharpe is kept; default 3.',
      ),
    /** Runs of the uniformly random policy averaged for the baseline. Default 20. */
    randomRuns: z
      .number()
      .int()
      .positive()
      .default(20)
      .describe('Runs of the uniformly random policy averaged for the baseline; default 20.'),
  })
  .strict();

export type PpoModelConfigInput = z.input<typeof PpoModelConfigSchema>;
export type PpoModelConfig = z.output<typeof PpoModelConfigSchema>;
/** A PPO model section with the single-asset trading env. */
export type TradingPpoModelConfig = PpoModelConfig & { env: z.output<typeof PpoEnvConfigSchema> };
/** A PPO model section with the portfolio env. */
export type PortfolioPpoModelConfig = PpoModelConfig & { env: z.output<typeof PortfolioEnvConfigSchema> };

/** The PPO section of a trading-env strategy; a `ConfigError` for the portfolio env. */
export function tradingPpoModelConfig(config: Pick<StrategyConfig, 'model'>): TradingPpoModelConfig {
  const model = ppoModelConfig(config);
  if (model.env.kind !== 'trading')
    throw new ConfigError('strategy model', [{ field: 'model.env.kind', reason: 'expected the trading env' }]);
  return model as TradingPpoModelConfig;
}

/** The PPO section of a portfolio-env strategy; a `ConfigError` for the trading env. */
export function portfolioPpoModelConfig(config: Pick<StrategyConfig, 'model'>): PortfolioPpoModelConfig {
  const model = ppoModelConfig(config);
  if (model.env.kind !== 'portfolio')
    throw new ConfigError('strategy model', [{ field: 'model.env.kind', reason: 'expected the portfolio env' }]);
  return model as PortfolioPpoModelConfig;
}

/**
 * The agent's config for seed `seed`: the strategy's hyper-parameters (typed as every field of
 * `PpoConfig` but the seed and the Gaussian policies' `initLogStd`, so a renamed field fails to
 * compile) checked by `resolvePpoConfig`.
 */
export function ppoAgentConfig(params: PpoModelConfig['params'], seed: number): PpoConfig {
  const fields: Omit<PpoConfig, 'seed' | 'initLogStd'> = params;
  return resolvePpoConfig({ ...fields, hiddenSizes: [...fields.hiddenSizes], seed });
}

/**
 * The PPO section of a parsed strategy. Throws `ConfigError` when the strategy's model is not
 * `kind: ppo` or its section does not parse (e.g. a hand-built config).
 */
export function ppoModelConfig(config: Pick<StrategyConfig, 'model'>): PpoModelConfig {
  const model: unknown = config.model;
  const result = PpoModelConfigSchema.safeParse(model);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    field: ['model', ...issue.path.map(String)].join('.'),
    reason: issue.message,
  }));
  throw new ConfigError('strategy model', issues);
}
