import { copyBars, Rng, ValidationError } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { SizingEnv, type SizingEnvOptions, sizedPosition, sizingObservation } from './SizingEnv.js';

const bars = copyBars(btcHourly({ last: 300 }));
const n = bars.time.length;
const features = new Float64Array(n);
for (let i = 1; i < n; i++) features[i] = Math.log(bars.close[i]! / bars.close[i - 1]!);
const direction = Float64Array.from(features, (f) => (f > 0 ? 1 : f < 0 ? -1 : 0));

const makeEnv = (options: Partial<SizingEnvOptions> = {}) =>
  new SizingEnv({
    bars,
    features,
    featureNames: ['ret1'],
    direction,
    sizes: [0, 0.5, 1],
    window: 3,
    randomStart: false,
    ...options,
  });

describe('sizedPosition', () => {
  it('is the direction times the chosen size, and refuses an unknown action', () => {
    expect(sizedPosition(1, [0, 0.5, 1], 1)).toBe(0.5);
    expect(sizedPosition(-1, [0, 0.5, 1], 2)).toBe(-1);
    expect(sizedPosition(0, [0, 0.5, 1], 2)).toBe(0);
    expect(() => sizedPosition(1, [0, 1], 2)).toThrow(/action/);
  });
});

describe('SizingEnv', () => {
  it('without costs, a constant long of size s earns s × the bar returns after the first fill', () => {
    const long = new Float64Array(n).fill(1);
    const env = makeEnv({ direction: long, fee: 0, slippage: 0 });
    let { info } = env.reset();
    const t0 = info.index;
    // Half the equity in units bought at the next open; the rest stays cash.
    const units = 0.5 / bars.open[t0 + 1]!;
    for (let k = 1; k <= 50; k++) {
      ({ info } = env.step(1));
      expect(info.position).toBe(0.5);
      expect(info.equity).toBeCloseTo(0.5 + units * bars.close[t0 + k]!, 12);
    }
  });

  it('charges slippage and the fee on the traded notional of each re-size', () => {
    const long = new Float64Array(n).fill(1);
    const env = makeEnv({ direction: long, fee: 0.001, slippage: 0.0005 });
    const t0 = env.reset().info.index;
    const price = bars.open[t0 + 1]! * 1.0005;
    const units = 1 / price;
    const cash = 1 - units * price - units * price * 0.001;
    const { info, reward } = env.step(2);
    expect(info.equity).toBeCloseTo(cash + units * bars.close[t0 + 1]!, 12);
    expect(reward).toBeCloseTo(Math.log(info.equity), 12);
  });

  it('observes the feature window and the direction of the decision bar only', () => {
    const env = makeEnv();
    let { observation, info } = env.reset();
    const rng = new Rng(3);
    for (let k = 0; k < 100; k++) {
      const t = info.index;
      expect(observation).toEqual(sizingObservation(features.subarray(t - 2, t + 1), direction[t]!));
      const step = env.step(rng.int(3));
      ({ observation, info } = step);
    }
  });

  it('never exposes a bar after the decision time: changing later bars leaves earlier steps identical', () => {
    const cut = 150;
    const changed = copyBars(bars);
    const changedFeatures = features.slice();
    const changedDirection = direction.slice();
    for (let i = cut + 1; i < n; i++) {
      changed.open[i] = changed.open[i]! * 1.3;
      changed.close[i] = changed.close[i]! * 0.7;
      changedFeatures[i] = -changedFeatures[i]!;
      changedDirection[i] = -changedDirection[i]!;
    }
    const run = (env: SizingEnv) => {
      const out: Array<{ observation: Float64Array; index: number }> = [];
      let { observation, info } = env.reset();
      const rng = new Rng(9);
      while (info.index <= cut) {
        out.push({ observation, index: info.index });
        ({ observation, info } = env.step(rng.int(3)));
      }
      return out;
    };
    const a = run(makeEnv());
    const b = run(makeEnv({ bars: changed, features: changedFeatures, direction: changedDirection }));
    expect(b).toEqual(a);
    expect(a.length).toBeGreaterThan(100);
  });

  it('refuses non-finite features and directions other than −1, 0, 1, naming the row', () => {
    const bad = direction.slice();
    bad[10] = 0.5;
    expect(() => makeEnv({ direction: bad })).toThrow(ValidationError);
    expect(() => makeEnv({ direction: bad })).toThrow(/direction/);
    expect(() => makeEnv({ sizes: [1] })).toThrow(/sizes/);
  });
});
