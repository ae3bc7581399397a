import type { Box, Discrete, Space } from './spaces.js';

/** The observation and action types a space describes. */
export type ValueOf<S extends Space> = S extends Discrete ? number : S extends Box ? Float64Array : never;

export interface ResetOptions {
  /** Re-seed the environment's generator; the same seed gives the same episode. */
  seed?: number;
  /** Environment-specific options. */
  options?: Readonly<Record<string, unknown>>;
}

export interface ResetResult<Obs, Info = Record<string, unknown>> {
  observation: Obs;
  info: Info;
}

/**
 * One transition, with Gymnasium's distinction: `terminated` means the MDP reached a terminal
 * state (no bootstrapping past it); `truncated` means the episode was cut for an outside reason
 * (time limit, end of data), so the value of `observation` still matters.
 */
export interface StepResult<Obs, Info = Record<string, unknown>> {
  observation: Obs;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/** A Gymnasium-style environment. */
export interface Env<O extends Space = Space, A extends Space = Space, Info = Record<string, unknown>> {
  readonly observationSpace: O;
  readonly actionSpace: A;
  reset(options?: ResetOptions): ResetResult<ValueOf<O>, Info>;
  step(action: ValueOf<A>): StepResult<ValueOf<O>, Info>;
  close?(): void;
}

/** Results of stepping every sub-environment once; `observations` is row-major `numEnvs × obsSize`. */
export interface VectorStepResult<Info = Record<string, unknown>> {
  observations: Float64Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** Per sub-env info; when a sub-env auto-reset, `finalObservation` holds its last observation. */
  infos: Array<Info & { finalObservation?: Float64Array | number }>;
}

/** Several copies of an environment stepped together, auto-resetting finished ones. */
export interface VectorEnv<O extends Space = Space, A extends Space = Space, Info = Record<string, unknown>> {
  readonly numEnvs: number;
  /** The space of one sub-environment's observation. */
  readonly singleObservationSpace: O;
  /** The space of one sub-environment's action. */
  readonly singleActionSpace: A;
  reset(options?: ResetOptions): { observations: Float64Array; infos: Info[] };
  step(actions: ReadonlyArray<ValueOf<A>>): VectorStepResult<Info>;
  close?(): void;
}
