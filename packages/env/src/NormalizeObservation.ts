import {
  Box,
  type Env,
  InvalidParameterError,
  type ResetOptions,
  type ResetResult,
  type Space,
  type StepResult,
  type ValueOf,
} from '@candlelab/core';

/** Options of {@link NormalizeObservation}. */
export interface NormalizeObservationOptions {
  /** Added to the variance before the square root (default 1e-8, as Gymnasium). */
  epsilon?: number;
  /** Normalized values are clipped to ±clip (default Infinity: no clipping). */
  clip?: number;
}

/** Running mean and variance of a vector stream (Chan et al.'s parallel update, as Gymnasium's `RunningMeanStd`). */
export interface RunningMeanStd {
  mean: Float64Array;
  var: Float64Array;
  count: number;
}

/**
 * Standardises observations with a running mean and variance (Gymnasium's
 * `NormalizeObservation`). Set `update = false` to freeze the statistics (for evaluation), and
 * copy them between instances with `statistics` (e.g. from the training env to the evaluation env).
 */
export class NormalizeObservation<A extends Space, Info = Record<string, unknown>> implements Env<Box, A, Info> {
  readonly observationSpace: Box;
  readonly actionSpace: A;
  /** Whether observations update the running statistics (default true). */
  update = true;
  private readonly epsilon: number;
  private readonly clip: number;
  private stats: RunningMeanStd;

  constructor(
    readonly env: Env<Box, A, Info>,
    options: NormalizeObservationOptions = {},
  ) {
    this.epsilon = options.epsilon ?? 1e-8;
    this.clip = options.clip ?? Number.POSITIVE_INFINITY;
    if (!(this.epsilon > 0)) throw new InvalidParameterError('epsilon', this.epsilon, 'expected > 0');
    if (!(this.clip > 0)) throw new InvalidParameterError('clip', this.clip, 'expected > 0');
    const size = env.observationSpace.size;
    const bound = Number.isFinite(this.clip) ? this.clip : Number.POSITIVE_INFINITY;
    this.observationSpace = new Box(-bound, bound, env.observationSpace.shape);
    this.actionSpace = env.actionSpace;
    // Gymnasium starts with mean 0, var 1 and a count of epsilon (1e-4).
    this.stats = { mean: new Float64Array(size), var: new Float64Array(size).fill(1), count: 1e-4 };
  }

  /** The running statistics (copies). */
  get statistics(): RunningMeanStd {
    return { mean: this.stats.mean.slice(), var: this.stats.var.slice(), count: this.stats.count };
  }

  set statistics(value: RunningMeanStd) {
    if (value.mean.length !== this.stats.mean.length || value.var.length !== this.stats.var.length) {
      throw new InvalidParameterError('statistics', value.mean.length, `expected ${this.stats.mean.length} values`);
    }
    this.stats = { mean: value.mean.slice(), var: value.var.slice(), count: value.count };
  }

  reset(options?: ResetOptions): ResetResult<Float64Array, Info> {
    const result = this.env.reset(options);
    return { observation: this.normalize(result.observation), info: result.info };
  }

  step(action: ValueOf<A>): StepResult<Float64Array, Info> {
    const result = this.env.step(action);
    return { ...result, observation: this.normalize(result.observation) };
  }

  close(): void {
    this.env.close?.();
  }

  private normalize(observation: Float64Array): Float64Array {
    const { mean, var: variance } = this.stats;
    if (this.update) {
      // Batch of one: Chan's parallel combination with batch mean = x, batch var = 0.
      const count = this.stats.count;
      const total = count + 1;
      for (let i = 0; i < mean.length; i++) {
        const delta = observation[i]! - mean[i]!;
        mean[i] = mean[i]! + delta / total;
        variance[i] = (variance[i]! * count + (delta * delta * count) / total) / total;
      }
      this.stats.count = total;
    }
    const out = new Float64Array(mean.length);
    for (let i = 0; i < mean.length; i++) {
      const z = (observation[i]! - mean[i]!) / Math.sqrt(variance[i]! + this.epsilon);
      out[i] = Math.min(this.clip, Math.max(-this.clip, z));
    }
    return out;
  }
}
