/**
 * Adam (Kingma & Ba 2015, Algorithm 1) over flat float32 parameter arrays, in float64 moments.
 * The network's parameters live in JavaScript between steps: one upload and one gradient read
 * per step cost far less than the dozens of small tensor ops an on-device update needs, and the
 * learning rate is a plain argument, so schedules need no optimizer internals.
 */
export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(
    sizes: readonly number[],
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    this.m = sizes.map((n) => new Float64Array(n));
    this.v = sizes.map((n) => new Float64Array(n));
  }

  /** One update of `params` in place with `grads` (same order and sizes) at `learningRate`. */
  step(params: readonly Float32Array[], grads: readonly ArrayLike<number>[], learningRate: number): void {
    this.t++;
    const { beta1, beta2, epsilon } = this;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    params.forEach((param, k) => {
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let j = 0; j < param.length; j++) {
        const gj = g[j]!;
        m[j] = beta1 * m[j]! + (1 - beta1) * gj;
        v[j] = beta2 * v[j]! + (1 - beta2) * gj * gj;
        param[j] = param[j]! - (learningRate * (m[j]! / correction1)) / (Math.sqrt(v[j]! / correction2) + epsilon);
      }
    });
  }
}
