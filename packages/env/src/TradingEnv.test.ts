import { type Bars, copyBars, Rng, ValidationError } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positionAfterAction, TradingEnv, type TradingEnvOptions, tradingObservation } from './TradingEnv.js';

const bars = copyBars(btcHourly({ last: 600 }));

/** Two causal features: the last log return and the 8-bar log return (row i uses closes <= i). */
function makeFeatures(b: Bars): Float64Array {
  const n = b.time.length;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[i * 2] = i >= 1 ? Math.log(b.close[i]! / b.close[i - 1]!) : 0;
    out[i * 2 + 1] = i >= 8 ? Math.log(b.close[i]! / b.close[i - 8]!) : 0;
  }
  return out;
}

function makeEnv(options: Partial<TradingEnvOptions> = {}, b: Bars = bars): TradingEnv {
  return new TradingEnv({ bars: b, features: makeFeatures(b), featureNames: ['ret1', 'ret8'], window: 4, ...options });
}

describe('TradingEnv', () => {
  it('fills at the next open with slippage and fees on both sides', () => {
    const env = makeEnv({ randomStart: false, fee: 0.001, slippage: 0.0005 });
    const { info } = env.reset();
    const t = info.index;
    expect(t).toBe(3);
    env.step(2); // long
    env.step(2); // stay long
    const r = env.step(1); // flat: sells at open[t+3]
    const entry = bars.open[t + 1]! * 1.0005;
    const exit = bars.open[t + 3]! * 0.9995;
    const expected = (1 / 1.001) * (exit / entry) * 0.999;
    expect(r.info.equity).toBeCloseTo(expected, 12);
    expect(r.info.trades).toHaveLength(1);
    expect(r.info.trades[0]).toMatchObject({
      side: 'long',
      entryPrice: entry,
      exitPrice: exit,
      entryTime: bars.time[t + 1],
      exitTime: bars.time[t + 3],
    });
    expect(r.info.trades[0]!.pnl).toBeCloseTo(expected - 1, 12);
  });

  it('marks a held long to the close without costs', () => {
    const env = makeEnv({ randomStart: false, fee: 0, slippage: 0 });
    const t = env.reset().info.index;
    let equity = 0;
    for (let k = 0; k < 10; k++) equity = env.step(2).info.equity;
    expect(equity).toBeCloseTo(bars.close[t + 10]! / bars.open[t + 1]!, 12);
    const short = makeEnv({ randomStart: false, fee: 0, slippage: 0 });
    short.reset();
    const shortEquity = short.step(0).info.equity;
    expect(shortEquity).toBeCloseTo(2 - bars.close[t + 1]! / bars.open[t + 1]!, 12);
  });

  it('reads holdBuySell orders relative to the position', () => {
    const env = makeEnv({ randomStart: false, actionScheme: 'holdBuySell', allowShort: false });
    env.reset();
    expect(env.step(1).info.position).toBe(1);
    expect(env.step(1).info.position).toBe(1);
    expect(env.step(0).info.position).toBe(1);
    expect(env.step(2).info.position).toBe(0);
    expect(env.step(2).info.position).toBe(0);
    expect(makeEnv({ allowShort: false }).actionSpace.n).toBe(2);
  });

  it('never exposes a bar after the decision time: mutating the future leaves the past identical', () => {
    const cutoff = 300;
    const future = copyBars(bars);
    const rng = new Rng(1);
    for (let i = cutoff + 1; i < future.time.length; i++) {
      const f = 0.5 + rng.float();
      future.open[i] = future.open[i]! * f;
      future.close[i] = future.close[i]! * f * (0.9 + 0.2 * rng.float());
      future.high[i] = Math.max(future.open[i]!, future.close[i]!) * 1.01;
      future.low[i] = Math.min(future.open[i]!, future.close[i]!) * 0.99;
    }
    const features = makeFeatures(bars);
    const mutatedFeatures = makeFeatures(future);
    for (let i = (cutoff + 1) * 2; i < mutatedFeatures.length; i++) mutatedFeatures[i] = rng.normal();
    const run = (b: Bars, f: Float64Array) => {
      const env = new TradingEnv({
        bars: b,
        features: f,
        featureNames: ['a', 'b'],
        window: 4,
        randomStart: false,
        range: { start: 100 },
        reward: 'differentialSharpe',
      });
      let { observation, info } = env.reset();
      const trace: number[][] = [];
      // A policy that depends on the observation only.
      while (info.index < cutoff) {
        const action = observation[7]! > 0 ? 2 : observation[6]! < -0.002 ? 0 : 1;
        trace.push([...observation, action, info.equity]);
        const result = env.step(action);
        trace.push([result.reward]);
        observation = result.observation;
        info = result.info;
      }
      trace.push([...observation, info.equity]);
      return trace;
    };
    expect(run(future, mutatedFeatures)).toEqual(run(bars, features));
  });

  it('starts episodes at random bars inside the training range and truncates at its end', () => {
    const env = makeEnv({ range: { start: 50, end: 200 }, episodeLength: 20 });
    const starts = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      let { info } = env.reset({ seed });
      starts.add(info.index);
      expect(info.index).toBeGreaterThanOrEqual(53);
      let steps = 0;
      for (;;) {
        const r = env.step(seed % 3);
        steps++;
        info = r.info;
        expect(info.index).toBeLessThan(200);
        if (r.truncated) break;
      }
      expect(steps).toBe(20);
    }
    expect(starts.size).toBeGreaterThan(20);
    const toEnd = makeEnv({ range: { end: 40 }, randomStart: false });
    toEnd.reset();
    let n = 0;
    for (;;) {
      n++;
      if (toEnd.step(1).truncated) break;
    }
    expect(n).toBe(40 - 1 - 3);
  });

  it('rewards: log returns and P&L add up to the final equity (any actions, with costs)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom('pnl', 'logReturn') as fc.Arbitrary<'pnl' | 'logReturn'>,
        (actions, reward) => {
          const env = makeEnv({ reward, randomStart: false, initialCash: 1000 });
          env.reset();
          let sum = 0;
          let equity = 1000;
          for (const a of actions) {
            const r = env.step(a);
            sum += r.reward;
            equity = r.info.equity;
          }
          const expected = reward === 'pnl' ? (equity - 1000) / 1000 : Math.log(equity / 1000);
          expect(sum).toBeCloseTo(expected, 10);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('drawdownPenalised subtracts the drawdown increase; differentialSharpe follows Moody & Saffell', () => {
    const plain = makeEnv({ randomStart: false, reward: 'logReturn' });
    const penalised = makeEnv({ randomStart: false, reward: 'drawdownPenalised', drawdownPenalty: 2 });
    const dsr = makeEnv({ randomStart: false, reward: 'differentialSharpe', sharpeEta: 0.1 });
    plain.reset();
    penalised.reset();
    dsr.reset();
    let peak = 1;
    let prev = 1;
    let a = 0;
    let b = 0;
    for (let k = 0; k < 50; k++) {
      const action = k % 7 < 4 ? 2 : 0;
      const p = plain.step(action);
      const q = penalised.step(action);
      const s = dsr.step(action);
      const e = p.info.equity;
      const ddBefore = 1 - prev / peak;
      peak = Math.max(peak, e);
      const ddAfter = 1 - e / peak;
      expect(q.reward).toBeCloseTo(p.reward - 2 * Math.max(0, ddAfter - ddBefore), 12);
      // Moody & Saffell (1998), eq. for D_t with A, B exponential moments of the return.
      const r = e / prev - 1;
      const expected = b - a * a > 1e-12 ? (b * (r - a) - 0.5 * a * (r * r - b)) / (b - a * a) ** 1.5 : 0;
      expect(s.reward).toBeCloseTo(expected, 9);
      a += 0.1 * (r - a);
      b += 0.1 * (r * r - b);
      prev = e;
    }
  });

  it('rejects NaN features in the range, naming row and feature, and bad options', () => {
    const f = makeFeatures(bars);
    f[20 * 2 + 1] = Number.NaN;
    expect(() => new TradingEnv({ bars, features: f, featureNames: ['ret1', 'ret8'] })).toThrow(ValidationError);
    expect(() => new TradingEnv({ bars, features: f, featureNames: ['ret1', 'ret8'] })).toThrow(/row 20, ret8/);
    expect(
      () => new TradingEnv({ bars, features: f, featureNames: ['ret1', 'ret8'], range: { start: 21 } }),
    ).not.toThrow();
    expect(() => makeEnv({ fee: -1 })).toThrow(/fee/);
    expect(() => makeEnv({ range: { start: 10, end: 12 } })).toThrow(/needs at least/);
    expect(() => new TradingEnv({ bars, features: new Float64Array(3), featureNames: ['x'] })).toThrow(/features/);
    const env = makeEnv();
    env.reset();
    expect(() => env.step(3)).toThrow(/action/);
  });
});

describe("positionAfterAction and tradingObservation (the env's rules, exported for live paths)", () => {
  it('read actions as the env does', () => {
    expect(positionAfterAction('targetPosition', true, 1, 0)).toBe(-1);
    expect(positionAfterAction('targetPosition', false, 0, 1)).toBe(1);
    expect(positionAfterAction('holdBuySell', true, -1, 2)).toBe(-1);
    expect(positionAfterAction('holdBuySell', false, 0, 2)).toBe(0);
    expect(positionAfterAction('holdBuySell', false, 0, 1)).toBe(1);
    expect(positionAfterAction('holdBuySell', true, 1, 0)).toBe(1);
  });

  it('rebuild every observation of an episode from the info the env reports', () => {
    const features = makeFeatures(bars);
    const env = makeEnv({ window: 4, randomStart: false, actionScheme: 'holdBuySell', allowShort: true });
    const rng = new Rng(5);
    let { observation, info } = env.reset();
    let position = 0;
    let entryPrice = 0;
    for (let step = 0; step < 200; step++) {
      const t = info.index;
      const rows = features.subarray((t - 3) * 2, (t + 1) * 2);
      expect(tradingObservation(rows, position, bars.close[t]!, entryPrice)).toEqual(observation);
      const action = rng.int(3);
      const result = env.step(action);
      const next = positionAfterAction('holdBuySell', true, position, action);
      expect(result.info.position).toBe(next);
      if (next !== position && next !== 0) entryPrice = bars.open[t + 1]! * (1 + next * 0.0005);
      position = next;
      ({ observation, info } = result);
      if (result.truncated || result.terminated) break;
    }
  });
});
