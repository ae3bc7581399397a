import {
  Box,
  CancelledError,
  CandlelabError,
  checkModelJson,
  Discrete,
  type Env,
  InvalidParameterError,
  ModelFormatError,
  type ProgressCallback,
  Rng,
  requireNodeBuiltin,
  type VectorEnv,
} from '@candlelab/core';
import { SyncVectorEnv } from '@candlelab/env';
import { Adam } from '@candlelab/nn';
import * as z from 'zod/mini';
import { ActorCritic } from './ActorCritic.js';
import { clipToBox, collectRollout, RolloutBuffer, type RolloutState } from './collectRollout.js';
import { computeGae } from './computeGae.js';
import { sampleCategorical, sampleGaussian, softmaxRow } from './distributions.js';
import { type EvaluateOptions, type EvaluationResult, evaluate } from './evaluate.js';
import { type PpoConfig, resolvePpoConfig } from './PpoConfig.js';
import { ppoUpdate, type UpdateStatistics } from './ppoUpdate.js';

/** The action spaces PPO supports: `Discrete` (categorical policy) and `Box` (diagonal Gaussian policy). */
export type PpoActionSpace = Box | Discrete;

/** Metrics of one update (rollout + optimisation), passed to `onUpdate`. */
export interface UpdateMetrics extends UpdateStatistics {
  update: number;
  /** Environment steps so far (all envs). */
  timesteps: number;
  learningRate: number;
  clipCoef: number;
  /** Mean return of the episodes that finished during this rollout (NaN if none). */
  meanEpisodeReturn: number;
  /** Episodes finished during this rollout. */
  episodes: number;
  /** Environment steps per second of wall-clock time since `learn` started (rollouts and updates). */
  stepsPerSecond: number;
  rolloutSeconds: number;
  updateSeconds: number;
}

export interface LearnCallbacks {
  /** After every update; return `false` to stop training. */
  onUpdate?: (metrics: UpdateMetrics) => undefined | boolean;
  /** Progress in environment steps (`phase: 'train'`). */
  onProgress?: ProgressCallback;
  /** After every periodic evaluation. */
  onEvaluation?: (result: EvaluationResult & { timesteps: number; best: boolean }) => void;
}

export interface LearnOptions {
  totalTimesteps: number;
  callbacks?: LearnCallbacks;
  /** Periodic deterministic evaluation on a separate env, keeping the best parameters. */
  evaluation?: {
    env: Env<Box, PpoActionSpace>;
    /** Evaluate every this many environment steps (default 10,000) and after the last update. */
    everyTimesteps?: number;
    /** Episodes per evaluation (default 10). */
    episodes?: number;
    /** Restore the best-evaluated parameters at the end (default true). */
    keepBest?: boolean;
    /** Options of each evaluation (seed default 0). */
    options?: EvaluateOptions;
  };
  signal?: AbortSignal;
}

export interface LearnResult {
  timesteps: number;
  seconds: number;
  updates: UpdateMetrics[];
  /** The best periodic evaluation, when evaluation was enabled. */
  best?: { meanReturn: number; timesteps: number };
}

/** What `predict` returns: the action, its distribution and the critic's value. */
export interface Prediction {
  action: number | Float64Array;
  /** Action probabilities (categorical policies): the policy's confidence in each action. */
  probabilities?: Float64Array;
  /** Gaussian mean and standard deviation (continuous policies). */
  mean?: Float64Array;
  std?: Float64Array;
  value: number;
}

export interface PpoOptions {
  /** Training environments: a factory called `numEnvs` times (wrapped in a `SyncVectorEnv`), or a vector env with same-step autoreset. */
  env?: ((index: number) => Env<Box, PpoActionSpace>) | VectorEnv<Box, PpoActionSpace>;
  /** Spaces, when there is no `env` (e.g. a model only used to predict). */
  spaces?: { observation: Box; action: PpoActionSpace };
  config?: Partial<PpoConfig>;
}

const KIND = 'ppo';
const VERSION = 1;
/** Adam's ε in cleanrl's and Stable-Baselines3's PPO (PyTorch's default is 1e-8). */
const ADAM_EPSILON = 1e-5;

/**
 * Proximal Policy Optimization with a clipped surrogate objective (Schulman et al. 2017), laid out
 * like cleanrl's `ppo.py`: `collectRollout` → `computeGae` → `ppoUpdate`, per update. Separate
 * actor and critic MLPs are `@candlelab/nn` `DenseMlp`s (WebAssembly SIMD forward and backward
 * passes), trained with nn's `Adam`; no TensorFlow.js backend is needed.
 */
export class PPO {
  readonly config: PpoConfig;
  readonly observationSpace: Box;
  readonly actionSpace: PpoActionSpace;
  readonly model: ActorCritic;
  private readonly optimizer: Adam;
  private readonly rng: Rng;
  private vecEnv: VectorEnv<Box, PpoActionSpace> | undefined;
  private rolloutState: RolloutState | undefined;
  private totalSteps = 0;

  constructor(options: PpoOptions) {
    this.config = resolvePpoConfig(options.config);
    const { env } = options;
    if (env === undefined) {
      if (!options.spaces)
        throw new InvalidParameterError('env', undefined, 'give an env (or spaces for a predict-only model)');
      this.observationSpace = options.spaces.observation;
      this.actionSpace = options.spaces.action;
    } else {
      this.vecEnv = typeof env === 'function' ? SyncVectorEnv.fromFactory(env, this.config.numEnvs) : env;
      if (this.vecEnv.numEnvs !== this.config.numEnvs) {
        throw new InvalidParameterError(
          'config.numEnvs',
          this.config.numEnvs,
          `the vector env has ${this.vecEnv.numEnvs} envs`,
        );
      }
      this.observationSpace = this.vecEnv.singleObservationSpace;
      this.actionSpace = this.vecEnv.singleActionSpace;
    }
    if (!(this.observationSpace instanceof Box))
      throw new InvalidParameterError('observationSpace', this.observationSpace, 'PPO needs a Box observation space');
    this.rng = new Rng(this.config.seed);
    this.model = new ActorCritic(
      {
        observationSize: this.observationSpace.size,
        actionSize: this.actionSpace.kind === 'discrete' ? this.actionSpace.n : this.actionSpace.size,
        kind: this.actionSpace.kind === 'discrete' ? 'categorical' : 'gaussian',
        hiddenSizes: this.config.hiddenSizes,
        activation: this.config.activation,
        initLogStd: this.config.initLogStd,
      },
      this.rng.child('init'),
    );
    this.optimizer = new Adam([this.model.size], { epsilon: ADAM_EPSILON });
  }

  /** Environment steps trained so far. */
  get timesteps(): number {
    return this.totalSteps;
  }

  /**
   * Trains for `totalTimesteps` environment steps (rounded down to whole rollouts of
   * `numEnvs × numSteps`, at least one), annealing the learning rate (and clip coefficient) linearly.
   */
  async learn(options: LearnOptions): Promise<LearnResult> {
    const env = this.vecEnv;
    if (!env)
      throw new InvalidParameterError(
        'env',
        undefined,
        'this PPO has no training env (it was loaded or built from spaces)',
      );
    const { config } = this;
    const batchSize = config.numEnvs * config.numSteps;
    if (!(options.totalTimesteps > 0))
      throw new InvalidParameterError('totalTimesteps', options.totalTimesteps, 'expected > 0');
    const numUpdates = Math.max(1, Math.floor(options.totalTimesteps / batchSize));
    const d = this.observationSpace.size;
    const actionDim = this.actionSpace.kind === 'discrete' ? 1 : this.actionSpace.size;
    const buffer = new RolloutBuffer(config.numSteps, config.numEnvs, d, actionDim);
    if (!this.rolloutState) {
      const { observations } = env.reset({ seed: config.seed });
      this.rolloutState = {
        observations,
        episodeReturns: new Float64Array(config.numEnvs),
        episodeLengths: new Float64Array(config.numEnvs),
      };
    }
    // Unlabelled children: each learn() call continues with fresh streams.
    const rolloutRng = this.rng.child();
    const updateRng = this.rng.child();
    const evaluation = options.evaluation;
    const evalEvery = evaluation?.everyTimesteps ?? 10_000;
    let nextEvaluation = evalEvery;
    let best: { meanReturn: number; timesteps: number; params: Float32Array } | undefined;
    const updates: UpdateMetrics[] = [];
    const started = performance.now();
    let learned = 0;
    for (let update = 1; update <= numUpdates; update++) {
      if (options.signal?.aborted) throw new CancelledError('PPO.learn');
      const remaining = 1 - (update - 1) / numUpdates;
      const learningRate = config.annealLr ? remaining * config.learningRate : config.learningRate;
      const clipCoef = config.annealClip ? remaining * config.clipCoef : config.clipCoef;
      const t0 = performance.now();
      const episodes = collectRollout(this.model, env, buffer, this.rolloutState, config.gamma, rolloutRng);
      const t1 = performance.now();
      const { advantages, returns } = computeGae({
        rewards: buffer.rewards,
        values: buffer.values,
        dones: buffer.dones,
        lastValues: buffer.lastValues,
        numEnvs: config.numEnvs,
        gamma: config.gamma,
        gaeLambda: config.gaeLambda,
      });
      const stats = ppoUpdate(
        this.model,
        buffer,
        advantages,
        returns,
        config,
        { learningRate, clipCoef },
        this.optimizer,
        updateRng,
      );
      const t2 = performance.now();
      learned += batchSize;
      this.totalSteps += batchSize;
      const metrics: UpdateMetrics = {
        ...stats,
        update,
        timesteps: this.totalSteps,
        learningRate,
        clipCoef,
        meanEpisodeReturn:
          episodes.returns.length > 0
            ? episodes.returns.reduce((s, r) => s + r, 0) / episodes.returns.length
            : Number.NaN,
        episodes: episodes.returns.length,
        stepsPerSecond: learned / ((t2 - started) / 1000),
        rolloutSeconds: (t1 - t0) / 1000,
        updateSeconds: (t2 - t1) / 1000,
      };
      updates.push(metrics);
      options.callbacks?.onProgress?.({
        phase: 'train',
        done: learned,
        total: numUpdates * batchSize,
        detail: { update, meanEpisodeReturn: metrics.meanEpisodeReturn },
      });
      const stop = options.callbacks?.onUpdate?.(metrics) === false;
      if (evaluation && (learned >= nextEvaluation || update === numUpdates || stop)) {
        nextEvaluation += evalEvery;
        const result = this.evaluate(evaluation.env, evaluation.episodes ?? 10, evaluation.options);
        const isBest = best === undefined || result.meanReturn > best.meanReturn;
        if (isBest)
          best = { meanReturn: result.meanReturn, timesteps: this.totalSteps, params: this.model.params.slice() };
        options.callbacks?.onEvaluation?.({ ...result, timesteps: this.totalSteps, best: isBest });
      }
      if (stop) break;
      // Let timers, progress output and abort signals run between updates.
      await nextTask();
    }
    if (best && (evaluation?.keepBest ?? true)) this.model.params.set(best.params);
    return {
      timesteps: learned,
      seconds: (performance.now() - started) / 1000,
      updates,
      ...(best ? { best: { meanReturn: best.meanReturn, timesteps: best.timesteps } } : {}),
    };
  }

  /**
   * The policy's action for one observation: the most probable action (or the Gaussian mean)
   * when `deterministic` (default true), else a sample; with the action probabilities.
   */
  predict(observation: ArrayLike<number>, options: { deterministic?: boolean; rng?: Rng } = {}): Prediction {
    const d = this.observationSpace.size;
    if (observation.length !== d)
      throw new InvalidParameterError('observation', observation.length, `expected ${d} values`);
    const deterministic = options.deterministic ?? true;
    const rng = options.rng ?? this.rng;
    const { actionSize } = this.model.spec;
    const { policy, values } = this.model.forward(observation, 1);
    const head = Float64Array.from(policy);
    const value = values[0]!;
    if (this.actionSpace.kind === 'discrete') {
      const probabilities = new Float64Array(actionSize);
      softmaxRow(head, 0, actionSize, probabilities);
      const index = sampleCategorical(probabilities, actionSize, rng, deterministic);
      return { action: index + this.actionSpace.start, probabilities, value };
    }
    const logStd = this.model.logStd!;
    const sampled = new Float64Array(actionSize);
    sampleGaussian(head, 0, logStd, rng, deterministic, sampled);
    return {
      action: clipToBox(sampled, this.actionSpace),
      mean: head,
      std: Float64Array.from(logStd, Math.exp),
      value,
    };
  }

  /** Runs `episodes` episodes with the deterministic policy; see {@link evaluate}. */
  evaluate(env: Env<Box, PpoActionSpace>, episodes: number, options: EvaluateOptions = {}): EvaluationResult {
    return evaluate((observation) => this.predict(observation).action, env, episodes, options);
  }

  /**
   * Nothing to free: the networks live in WebAssembly memories that are garbage-collected with
   * the agent (before 0.2 this freed TensorFlow.js tensors).
   * @deprecated kept so that existing callers compile; remove the call.
   */
  dispose(): void {}

  /** The model file: config, spaces and parameters (the optimiser state is not saved). */
  toJSON(): PpoModelJson {
    return {
      kind: KIND,
      version: VERSION,
      config: this.config,
      observationSpace: spaceToJson(this.observationSpace),
      actionSpace: spaceToJson(this.actionSpace),
      timesteps: this.totalSteps,
      params: Array.from(this.model.params),
    };
  }

  /**
   * Restores a model saved by {@link PPO.toJSON}; give `env` to continue training. A model that
   * could not act — a malformed field, non-finite parameters (e.g. `1e999`), an invalid config
   * such as bad `hiddenSizes`, a parameter count that does not fit the architecture — is refused
   * with a {@link ModelFormatError} naming the field.
   */
  static fromJSON(json: unknown, env?: PpoOptions['env']): PPO {
    checkModelJson(json, KIND, VERSION);
    const parsed = PpoModelJsonSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ModelFormatError(`ppo model: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const record = parsed.data;
    let config: PpoConfig;
    let observation: PpoActionSpace;
    let action: PpoActionSpace;
    try {
      config = resolvePpoConfig(record.config as Partial<PpoConfig>);
      observation = spaceFromJson(record.observationSpace);
      action = spaceFromJson(record.actionSpace);
    } catch (error) {
      if (!(error instanceof CandlelabError)) throw error;
      throw new ModelFormatError(`ppo model: ${error.message}`, { cause: error });
    }
    if (!(observation instanceof Box)) throw new ModelFormatError('ppo model: observationSpace must be a box');
    const agent = new PPO({ env, spaces: { observation, action }, config });
    if (record.params.length !== agent.model.size)
      throw new ModelFormatError(
        `ppo model: ${record.params.length} params, the architecture needs ${agent.model.size}`,
      );
    agent.model.params.set(record.params);
    agent.totalSteps = record.timesteps;
    return agent;
  }

  /** Writes {@link PPO.toJSON} to a file. */
  async save(path: string): Promise<void> {
    const fs = requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'PPO.save');
    await fs.writeFile(path, JSON.stringify(this.toJSON()));
  }

  /**
   * Reads a model file written by {@link PPO.save}; an unreadable, truncated or invalid file is
   * refused with a {@link ModelFormatError} naming the file (and the field, see {@link PPO.fromJSON}).
   */
  static async load(path: string, env?: PpoOptions['env']): Promise<PPO> {
    const fs = requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'PPO.load');
    let json: unknown;
    try {
      json = JSON.parse(await fs.readFile(path, 'utf8'));
    } catch (error) {
      throw new ModelFormatError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    try {
      return PPO.fromJSON(json, env);
    } catch (error) {
      if (error instanceof ModelFormatError) throw new ModelFormatError(`${path}: ${error.message}`, { cause: error });
      throw error;
    }
  }
}

/**
 * Resolves in a new task of the event loop: Node's `setImmediate`, else (browsers) a
 * `MessageChannel` message, which unlike a nested `setTimeout(0)` is not clamped to 4 ms.
 */
function nextTask(): Promise<void> {
  const scope = globalThis as { setImmediate?: (callback: () => void) => unknown };
  if (typeof scope.setImmediate === 'function') {
    const setImmediate = scope.setImmediate;
    return new Promise((resolve) => setImmediate(resolve));
  }
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    // The browser's MessagePort (Node's typings describe worker_threads' port).
    const port = channel.port1 as unknown as { onmessage: (() => void) | null; close(): void };
    port.onmessage = () => {
      port.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

/** A box bound: a finite number, or `'inf'`/`'-inf'` (JSON has no infinities). */
const BoundSchema = z.union([z.number(), z.literal('inf'), z.literal('-inf')]);
const SpaceJsonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('discrete'), n: z.int().check(z.positive()), start: z.int() }),
  z.object({
    kind: z.literal('box'),
    low: z.array(BoundSchema),
    high: z.array(BoundSchema),
    shape: z.array(z.int().check(z.positive())),
  }),
]);

/**
 * The model file's layout; `z.number()` refuses NaN and ±Infinity (`1e999` in JSON). zod/mini:
 * classic zod's methods and locales would add ~90 KiB gzip to a browser bundle of this package.
 */
const PpoModelJsonSchema = z.object({
  kind: z.literal(KIND),
  version: z.int(),
  config: z.record(z.string(), z.unknown()),
  observationSpace: SpaceJsonSchema,
  actionSpace: SpaceJsonSchema,
  timesteps: z.int().check(z.nonnegative()),
  params: z.array(z.number()),
});

/** The serialized form of a {@link PPO} agent. */
export interface PpoModelJson {
  kind: 'ppo';
  version: number;
  config: PpoConfig;
  observationSpace: SpaceJson;
  actionSpace: SpaceJson;
  timesteps: number;
  params: number[];
}

type Bound = number | 'inf' | '-inf';
type SpaceJson =
  | { kind: 'discrete'; n: number; start: number }
  | { kind: 'box'; low: Bound[]; high: Bound[]; shape: number[] };

function spaceToJson(space: PpoActionSpace): SpaceJson {
  if (space.kind === 'discrete') return { kind: 'discrete', n: space.n, start: space.start };
  const bound = (v: number): Bound =>
    v === Number.POSITIVE_INFINITY ? 'inf' : v === Number.NEGATIVE_INFINITY ? '-inf' : v;
  return {
    kind: 'box',
    low: Array.from(space.low, bound),
    high: Array.from(space.high, bound),
    shape: [...space.shape],
  };
}

function spaceFromJson(space: z.infer<typeof SpaceJsonSchema>): PpoActionSpace {
  if (space.kind === 'discrete') return new Discrete(space.n, space.start);
  const bound = (v: Bound): number =>
    v === 'inf' ? Number.POSITIVE_INFINITY : v === '-inf' ? Number.NEGATIVE_INFINITY : v;
  return new Box(space.low.map(bound), space.high.map(bound), space.shape);
}
