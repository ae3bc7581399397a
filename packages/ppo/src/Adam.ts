/** Options of {@link Adam}; defaults are Stable-Baselines3's PPO settings. */
export interface AdamOptions {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-5 (cleanrl and Stable-Baselines3 PPO; PyTorch's own default is 1e-8). */
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba 2015) with PyTorch's bias correction, on one flat parameter vector in
 * host memory: one pass over ~10k floats instead of a dozen tfjs kernels per weight tensor.
 */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(size: number, options: AdamOptions = {}) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-5;
  }

  /** One update of `params` in place with gradient `grads` and step size `learningRate`. */
  step(params: Float32Array, grads: ArrayLike<number>, learningRate: number): void {
    this.t++;
    const { m, v, beta1, beta2, epsilon } = this;
    const c1 = 1 - beta1 ** this.t;
    const sqrtC2 = Math.sqrt(1 - beta2 ** this.t);
    const stepSize = learningRate / c1;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      params[i] = params[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / sqrtC2 + epsilon);
    }
  }
}

/** Scales `grads` in place so that their global L2 norm is at most `maxNorm` (PyTorch's `clip_grad_norm_`); returns the norm before clipping. */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i]! * grads[i]!;
  const norm = Math.sqrt(sum);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (let i = 0; i < grads.length; i++) grads[i] = grads[i]! * coef;
  return norm;
}
