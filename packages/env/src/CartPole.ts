import type { Env } from '@candlelab/core';
import {
  Box,
  Discrete,
  InvalidParameterError,
  type ResetOptions,
  type ResetResult,
  Rng,
  type StepResult,
} from '@candlelab/core';
import { TimeLimit } from './TimeLimit.js';

/** Options of {@link CartPole}; the defaults are Gymnasium CartPole-v1's constants. */
export interface CartPoleOptions {
  /** Seed of the reset generator when `reset()` is called without one (default 0). */
  seed?: number;
}

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const LENGTH = 0.5; // half the pole's length
const POLE_MASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;
const F32_MAX = 3.4028234663852886e38; // np.finfo(np.float32).max, Gymnasium's bound for the velocities

/**
 * Cart-pole balancing (Barto, Sutton & Anderson 1983) with exactly the dynamics of Gymnasium's
 * `CartPole-v1`: Euler integration at tau 0.02 s, force ±10 N, termination when |x| > 2.4 or
 * |θ| > 12°, reward 1 per step, initial state uniform in ±0.05. The state is kept in float64 and
 * observations are rounded to float32 like Gymnasium's. Action 0 pushes left, 1 pushes right.
 * No time limit: use {@link cartPoleV1} for the registered 500-step version.
 *
 * `reset({ options: { state: [x, xDot, theta, thetaDot] } })` starts from a given state (for
 * reference tests).
 */
export class CartPole implements Env<Box, Discrete> {
  readonly observationSpace = new Box(
    [-X_THRESHOLD * 2, -F32_MAX, -THETA_THRESHOLD * 2, -F32_MAX],
    [X_THRESHOLD * 2, F32_MAX, THETA_THRESHOLD * 2, F32_MAX],
  );
  readonly actionSpace = new Discrete(2);
  private rng: Rng;
  private readonly state = new Float64Array(4);
  private terminated = false;

  constructor(options: CartPoleOptions = {}) {
    this.rng = new Rng(options.seed ?? 0);
  }

  reset(options: ResetOptions = {}): ResetResult<Float64Array> {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    const given = options.options?.state;
    if (given !== undefined) {
      if (
        !Array.isArray(given) ||
        given.length !== 4 ||
        !given.every((v) => typeof v === 'number' && Number.isFinite(v))
      ) {
        throw new InvalidParameterError('options.state', given, 'expected 4 finite numbers [x, xDot, theta, thetaDot]');
      }
      this.state.set(given as number[]);
    } else {
      for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniform(-0.05, 0.05);
    }
    this.terminated = false;
    return { observation: this.observe(), info: {} };
  }

  step(action: number): StepResult<Float64Array> {
    if (action !== 0 && action !== 1)
      throw new InvalidParameterError('action', action, 'expected 0 (left) or 1 (right)');
    const s = this.state;
    const x = s[0]!;
    const xDot = s[1]!;
    const theta = s[2]!;
    const thetaDot = s[3]!;
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * thetaDot ** 2 * sinTheta) / TOTAL_MASS;
    const thetaAcc =
      (GRAVITY * sinTheta - cosTheta * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * cosTheta ** 2) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
    s[0] = x + TAU * xDot;
    s[1] = xDot + TAU * xAcc;
    s[2] = theta + TAU * thetaDot;
    s[3] = thetaDot + TAU * thetaAcc;
    const wasTerminated = this.terminated;
    this.terminated =
      s[0]! < -X_THRESHOLD || s[0]! > X_THRESHOLD || s[2]! < -THETA_THRESHOLD || s[2]! > THETA_THRESHOLD;
    // Gymnasium gives reward 0 for steps taken after termination (without a reset).
    return {
      observation: this.observe(),
      reward: wasTerminated ? 0 : 1,
      terminated: this.terminated,
      truncated: false,
      info: {},
    };
  }

  /** The float64 physical state `[x, xDot, theta, thetaDot]` (a copy). */
  get physicalState(): Float64Array {
    return this.state.slice();
  }

  private observe(): Float64Array {
    const out = new Float64Array(4);
    for (let i = 0; i < 4; i++) out[i] = Math.fround(this.state[i]!);
    return out;
  }
}

/** Gymnasium's registered `CartPole-v1`: {@link CartPole} truncated at 500 steps. */
export function cartPoleV1(options: CartPoleOptions = {}): TimeLimit<Box, Discrete> {
  return new TimeLimit(new CartPole(options), 500);
}
