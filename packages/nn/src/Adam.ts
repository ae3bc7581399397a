/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Decay of the first-moment estimate; default 0.9. */
  beta1?: number;
  /** Decay of the second-moment estimate; default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment; default 1e-7 (Keras's; PyTorch's is 1e-8, cleanrl's and Stable-Baselines3's PPO use 1e-5). */
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1, in PyTorch's arrangement of the bias corrections) over
 * float32 parameter arrays held in JavaScript, with float64 moments — the one optimiser of
 * candlelab's networks (`MlpClassifier`/`MlpRegressor` and `@candlelab/ppo`). Parameters live on
 * the host between steps: one pass over a few thousand floats costs far less than the dozens of
 * small tensor ops an on-device update needs, and the learning rate is a plain argument, so
 * schedules need no optimiser internals.
 */
export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  /** `sizes`: the length of each parameter array that {@link Adam.step} will get, in order. */
  constructor(sizes: readonly number[], options: AdamOptions = {}) {
    this.m = sizes.map((n) => new Float64Array(n));
    this.v = sizes.map((n) => new Float64Array(n));
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  /** One update of every array of `params` in place with `grads` (same order and sizes) at `learningRate`. */
  step(params: readonly Float32Array[], grads: readonly ArrayLike<number>[], learningRate: number): void {
    this.t++;
    const { beta1, beta2, epsilon } = this;
    const stepSize = learningRate / (1 - beta1 ** this.t);
    const sqrtCorrection2 = Math.sqrt(1 - beta2 ** this.t);
    for (let k = 0; k < params.length; k++) {
      const param = params[k]!;
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let j = 0; j < param.length; j++) {
        const gj = g[j]!;
        const mj = beta1 * m[j]! + (1 - beta1) * gj;
        const vj = beta2 * v[j]! + (1 - beta2) * gj * gj;
        m[j] = mj;
        v[j] = vj;
        param[j] = param[j]! - (stepSize * mj) / (Math.sqrt(vj) / sqrtCorrection2 + epsilon);
      }
    }
  }
}

/**
 * Scales `grads` in place so that their global L2 norm (over all arrays) is at most `maxNorm`,
 * as PyTorch's `clip_grad_norm_`; returns the norm before clipping.
 */
export function clipGradNorm(grads: readonly Float32Array[], maxNorm: number): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  const norm = Math.sqrt(sum);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  return norm;
}
