import {
  type Env,
  InvalidParameterError,
  type ResetOptions,
  type Space,
  type ValueOf,
  type VectorEnv,
  type VectorStepResult,
} from '@candlelab/core';

/** Number of values one observation of `space` flattens to. */
export function flatSize(space: Space): number {
  return space.kind === 'box' ? space.size : 1;
}

/** Writes one observation (a number for `Discrete`, an array for `Box`) into `out` at `offset`. */
function writeObservation(observation: Float64Array | number, out: Float64Array, offset: number): void {
  if (typeof observation === 'number') out[offset] = observation;
  else out.set(observation, offset);
}

/**
 * Steps `numEnvs` environments one after another in this thread (Gymnasium's `SyncVectorEnv`).
 *
 * Autoreset is **same-step** (Gymnasium's `AutoresetMode.SAME_STEP`, Stable-Baselines3's
 * `VecEnv`): when a sub-env terminates or truncates, it is reset within the same `step()` call;
 * the returned observation row is the first observation of the new episode, the reward and
 * `terminated`/`truncated` flags belong to the finished episode, and `infos[i].finalObservation`
 * (with `infos[i].finalInfo`) holds the last observation of the finished episode — needed to
 * bootstrap the value of a truncated episode. Sub-env `i` is seeded with `seed + i` on `reset({ seed })`.
 */
export class SyncVectorEnv<
  O extends Space,
  A extends Space,
  Info extends Record<string, unknown> = Record<string, unknown>,
> implements VectorEnv<O, A, Info & { finalInfo?: Info }>
{
  readonly numEnvs: number;
  readonly singleObservationSpace: O;
  readonly singleActionSpace: A;
  /** Values per observation row. */
  readonly observationSize: number;
  readonly envs: ReadonlyArray<Env<O, A, Info>>;
  private readonly observations: Float64Array;

  constructor(envs: ReadonlyArray<Env<O, A, Info>>) {
    const first = envs[0];
    if (!first) throw new InvalidParameterError('envs', envs.length, 'need at least one environment');
    this.envs = envs;
    this.numEnvs = envs.length;
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.observationSize = flatSize(first.observationSpace);
    for (let i = 1; i < envs.length; i++) {
      if (flatSize(envs[i]!.observationSpace) !== this.observationSize) {
        throw new InvalidParameterError(
          `envs[${i}]`,
          flatSize(envs[i]!.observationSpace),
          `observation size differs from envs[0] (${this.observationSize})`,
        );
      }
    }
    this.observations = new Float64Array(this.numEnvs * this.observationSize);
  }

  /** Builds the vector from a factory called `numEnvs` times with the sub-env index. */
  static fromFactory<O extends Space, A extends Space, Info extends Record<string, unknown>>(
    make: (index: number) => Env<O, A, Info>,
    numEnvs: number,
  ): SyncVectorEnv<O, A, Info> {
    if (!Number.isInteger(numEnvs) || numEnvs <= 0)
      throw new InvalidParameterError('numEnvs', numEnvs, 'expected a positive integer');
    return new SyncVectorEnv(Array.from({ length: numEnvs }, (_, i) => make(i)));
  }

  reset(options: ResetOptions = {}): { observations: Float64Array; infos: Info[] } {
    const infos: Info[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const subOptions: ResetOptions = { ...options, seed: options.seed === undefined ? undefined : options.seed + i };
      const { observation, info } = this.envs[i]!.reset(subOptions);
      writeObservation(observation as Float64Array | number, this.observations, i * this.observationSize);
      infos.push(info);
    }
    return { observations: this.observations.slice(), infos };
  }

  step(actions: ReadonlyArray<ValueOf<A>>): VectorStepResult<Info & { finalInfo?: Info }> {
    if (actions.length !== this.numEnvs)
      throw new InvalidParameterError('actions', actions.length, `expected ${this.numEnvs} actions`);
    const rewards = new Float64Array(this.numEnvs);
    const terminated = new Uint8Array(this.numEnvs);
    const truncated = new Uint8Array(this.numEnvs);
    const infos: Array<Info & { finalInfo?: Info; finalObservation?: Float64Array | number }> = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i]!;
      const result = env.step(actions[i]!);
      rewards[i] = result.reward;
      terminated[i] = result.terminated ? 1 : 0;
      truncated[i] = result.truncated ? 1 : 0;
      if (result.terminated || result.truncated) {
        const next = env.reset();
        writeObservation(next.observation as Float64Array | number, this.observations, i * this.observationSize);
        infos.push({
          ...next.info,
          finalObservation: result.observation as Float64Array | number,
          finalInfo: result.info,
        });
      } else {
        writeObservation(result.observation as Float64Array | number, this.observations, i * this.observationSize);
        infos.push(result.info);
      }
    }
    return { observations: this.observations.slice(), rewards, terminated, truncated, infos };
  }

  close(): void {
    for (const env of this.envs) env.close?.();
  }
}
