import type { Env, ResetOptions, ResetResult, Space, StepResult, ValueOf } from '@candlelab/core';

/** Statistics of a finished episode: return `r`, length `l`, wall-clock seconds `t` (Gymnasium's names). */
export interface EpisodeStatistics {
  r: number;
  l: number;
  t: number;
}

/**
 * Adds `info.episode = { r, l, t }` on the step that ends an episode (terminated or truncated),
 * like Gymnasium's `RecordEpisodeStatistics`. Other steps' `info` is passed through unchanged.
 */
export class RecordEpisodeStatistics<O extends Space, A extends Space, Info = Record<string, unknown>>
  implements Env<O, A, Info & { episode?: EpisodeStatistics }>
{
  readonly observationSpace: O;
  readonly actionSpace: A;
  private episodeReturn = 0;
  private episodeLength = 0;
  private startTime = 0;

  constructor(readonly env: Env<O, A, Info>) {
    this.observationSpace = env.observationSpace;
    this.actionSpace = env.actionSpace;
  }

  reset(options?: ResetOptions): ResetResult<ValueOf<O>, Info & { episode?: EpisodeStatistics }> {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.startTime = performance.now();
    return this.env.reset(options) as ResetResult<ValueOf<O>, Info & { episode?: EpisodeStatistics }>;
  }

  step(action: ValueOf<A>): StepResult<ValueOf<O>, Info & { episode?: EpisodeStatistics }> {
    const result = this.env.step(action);
    this.episodeReturn += result.reward;
    this.episodeLength++;
    if (!result.terminated && !result.truncated)
      return result as StepResult<ValueOf<O>, Info & { episode?: EpisodeStatistics }>;
    const episode = { r: this.episodeReturn, l: this.episodeLength, t: (performance.now() - this.startTime) / 1000 };
    return { ...result, info: { ...result.info, episode } };
  }

  close(): void {
    this.env.close?.();
  }
}
