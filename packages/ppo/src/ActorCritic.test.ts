import { Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { ActorCritic, type LossCoefficients, type Minibatch } from './ActorCritic.js';
import { orthogonalInit } from './orthogonalInit.js';

/**
 * Independent float64 reference of the PPO loss (cleanrl ppo.py / ppo_continuous_action.py):
 * plain loops over the flat parameters laid out as actor (W, b)…, critic (W, b)…, log-std.
 */
function referenceLoss(
  params: Float64Array,
  sizes: { obs: number; hidden: number[]; act: number; kind: 'categorical' | 'gaussian' },
  mb: Minibatch,
  c: LossCoefficients,
): number {
  let offset = 0;
  const net = (out: number) => {
    const dims = [sizes.obs, ...sizes.hidden, out];
    const layers: Array<{ w: number; b: number; rows: number; cols: number }> = [];
    for (let l = 0; l + 1 < dims.length; l++) {
      layers.push({ w: offset, b: offset + dims[l]! * dims[l + 1]!, rows: dims[l]!, cols: dims[l + 1]! });
      offset += dims[l]! * dims[l + 1]! + dims[l + 1]!;
    }
    return layers;
  };
  const actor = net(sizes.act);
  const critic = net(1);
  const logStd = offset;
  const run = (layers: ReturnType<typeof net>, x: number[]) => {
    let h = x;
    layers.forEach((layer, l) => {
      const next: number[] = [];
      for (let j = 0; j < layer.cols; j++) {
        let z = params[layer.b + j]!;
        for (let i = 0; i < layer.rows; i++) z += h[i]! * params[layer.w + i * layer.cols + j]!;
        next.push(l + 1 < layers.length ? Math.tanh(z) : z);
      }
      h = next;
    });
    return h;
  };
  let pg = 0;
  let v = 0;
  let ent = 0;
  for (let r = 0; r < mb.size; r++) {
    const x = Array.from(mb.observations.subarray(r * sizes.obs, (r + 1) * sizes.obs));
    const head = run(actor, x);
    let logp: number;
    let h: number;
    if (sizes.kind === 'categorical') {
      const m = Math.max(...head);
      const lse = m + Math.log(head.reduce((s, z) => s + Math.exp(z - m), 0));
      logp = head[mb.actions[r]!]! - lse;
      h = -head.reduce((s, z) => s + Math.exp(z - lse) * (z - lse), 0);
    } else {
      logp = 0;
      h = 0;
      for (let j = 0; j < sizes.act; j++) {
        const ls = params[logStd + j]!;
        const z = (mb.actions[r * sizes.act + j]! - head[j]!) / Math.exp(ls);
        logp += -0.5 * z * z - ls - 0.5 * Math.log(2 * Math.PI);
        h += ls + 0.5 + 0.5 * Math.log(2 * Math.PI);
      }
    }
    const ratio = Math.exp(logp - mb.logProbs[r]!);
    const a = mb.advantages[r]!;
    pg += Math.max(-a * ratio, -a * Math.min(1 + c.clipCoef, Math.max(1 - c.clipCoef, ratio)));
    ent += h;
    const value = run(critic, x)[0]!;
    const ret = mb.returns[r]!;
    if (c.clipVloss) {
      const old = mb.values[r]!;
      const clipped = old + Math.min(c.clipCoef, Math.max(-c.clipCoef, value - old));
      v += Math.max((value - ret) ** 2, (clipped - ret) ** 2);
    } else v += (value - ret) ** 2;
  }
  const n = mb.size;
  return pg / n - c.entCoef * (ent / n) + c.vfCoef * 0.5 * (v / n);
}

function makeBatch(model: ActorCritic, n: number, rng: Rng): Minibatch {
  const { observationSize: d, actionSize: k, kind } = model.spec;
  const observations = Float32Array.from({ length: n * d }, () => rng.normal());
  const values = model.value(observations, n).slice();
  const actions =
    kind === 'categorical'
      ? Float32Array.from({ length: n }, () => rng.int(k))
      : Float32Array.from({ length: n * k }, () => rng.normal());
  return {
    size: n,
    observations,
    actions,
    // Old log-probs spread so that some ratios fall outside the clip range.
    logProbs: Float32Array.from(
      { length: n },
      (_, i) => (kind === 'categorical' ? Math.log(0.5) : -2) + rng.normal() * 0.4 + (i % 3 === 0 ? 0.5 : 0),
    ),
    advantages: Float32Array.from({ length: n }, () => rng.normal()),
    returns: Float32Array.from({ length: n }, () => rng.normal()),
    values: Float32Array.from(values, (v, i) => v + (i % 2 === 0 ? 0.3 : -0.05)),
  };
}

describe('ActorCritic', () => {
  for (const kind of ['categorical', 'gaussian'] as const) {
    for (const clipVloss of [false, true]) {
      it(`analytic ${kind} gradients match finite differences of an independent loss (clipVloss ${clipVloss})`, () => {
        const rng = new Rng(kind === 'categorical' ? 3 : 4);
        const model = new ActorCritic(
          { observationSize: 3, actionSize: kind === 'categorical' ? 3 : 2, kind, hiddenSizes: [5, 4] },
          rng,
        );
        // Larger head weights than the 0.01 init so that the policy terms matter.
        for (let i = 0; i < model.size; i++) model.params[i] = model.params[i]! + rng.normal() * 0.3;
        const mb = makeBatch(model, 16, rng);
        const coefs = { clipCoef: 0.2, clipVloss, entCoef: 0.05, vfCoef: 0.5 };
        model.gradients(mb, coefs);
        const grads = model.grads;
        const base = Float64Array.from(model.params);
        const sizes = { obs: 3, hidden: [5, 4], act: model.spec.actionSize, kind };
        const eps = 1e-6;
        let checked = 0;
        for (let i = 0; i < model.size; i++) {
          const plus = base.slice();
          const minus = base.slice();
          plus[i] = plus[i]! + eps;
          minus[i] = minus[i]! - eps;
          const numeric = (referenceLoss(plus, sizes, mb, coefs) - referenceLoss(minus, sizes, mb, coefs)) / (2 * eps);
          expect(grads[i], `parameter ${i}`).toBeCloseTo(numeric, 4);
          checked++;
        }
        expect(checked).toBe(model.size);
      });
    }
  }

  it('lays the actor, the critic and the log-stds out in one flat vector, initialised as cleanrl', () => {
    const model = new ActorCritic(
      { observationSize: 6, actionSize: 3, kind: 'gaussian', initLogStd: -0.5 },
      new Rng(9),
    );
    const actorSize = 6 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3;
    const criticSize = 6 * 64 + 64 + 64 * 64 + 64 + 64 + 1;
    expect(model.size).toBe(actorSize + criticSize + 3);
    expect(Array.from(model.logStd!)).toEqual([-0.5, -0.5, -0.5]);
    model.critic.bias(2).fill(0.25);
    expect(model.params[actorSize + criticSize - 1]).toBe(0.25);
    // The policy head starts near zero (gain 0.01): the value head is ~100 times larger.
    const rms = (w: Float32Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(rms(model.actor.kernel(2))).toBeLessThan(0.01 * rms(model.critic.kernel(2)) * 1.5);
    const obs = Float32Array.from({ length: 5 * 6 }, (_, i) => Math.sin(i));
    const { policy, values } = model.forward(obs, 5);
    expect(policy).toHaveLength(15);
    expect(values).toHaveLength(5);
    expect(values[0]).toBeCloseTo(model.critic.forward(obs.subarray(0, 6), 1)[0]!, 6);
  });
});

describe('orthogonalInit', () => {
  it.each([
    [64, 4],
    [4, 64],
    [8, 8],
  ])('a %i×%i matrix has orthonormal columns/rows scaled by the gain', (rows, cols) => {
    const w = orthogonalInit(rows, cols, Math.SQRT2, new Rng(1));
    const wide = Math.min(rows, cols);
    for (let a = 0; a < wide; a++) {
      for (let b = 0; b < wide; b++) {
        let dot = 0;
        for (let i = 0; i < Math.max(rows, cols); i++)
          dot += rows >= cols ? w[i * cols + a]! * w[i * cols + b]! : w[a * cols + i]! * w[b * cols + i]!;
        expect(dot).toBeCloseTo(a === b ? 2 : 0, 5);
      }
    }
    expect(orthogonalInit(rows, cols, 1, new Rng(1))).toEqual(orthogonalInit(rows, cols, 1, new Rng(1)));
  });
});
