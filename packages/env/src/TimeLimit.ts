import {
  type Env,
  InvalidParameterError,
  type ResetOptions,
  type ResetResult,
  type Space,
  type StepResult,
  type ValueOf,
} from '@candlelab/core';

/**
 * Truncates episodes after `maxEpisodeSteps` steps (Gymnasium's `TimeLimit`): the step that
 * reaches the limit returns `truncated: true` unless the episode terminated on that step anyway.
 */
export class TimeLimit<O extends Space, A extends Space, Info = Record<string, unknown>> implements Env<O, A, Info> {
  readonly observationSpace: O;
  readonly actionSpace: A;
  private elapsed = 0;

  constructor(
    readonly env: Env<O, A, Info>,
    readonly maxEpisodeSteps: number,
  ) {
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new InvalidParameterError('maxEpisodeSteps', maxEpisodeSteps, 'expected a positive integer');
    }
    this.observationSpace = env.observationSpace;
    this.actionSpace = env.actionSpace;
  }

  reset(options?: ResetOptions): ResetResult<ValueOf<O>, Info> {
    this.elapsed = 0;
    return this.env.reset(options);
  }

  step(action: ValueOf<A>): StepResult<ValueOf<O>, Info> {
    const result = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) result.truncated = true;
    return result;
  }

  close(): void {
    this.env.close?.();
  }
}
