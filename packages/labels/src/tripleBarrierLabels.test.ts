import { InvalidParameterError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { metaLabels } from './metaLabels.js';
import { Barrier, tripleBarrierLabels } from './tripleBarrierLabels.js';

const HOUR = 3_600_000;
const flatBars = (closes: number[]) => {
  const close = Float64Array.from(closes);
  return { time: Float64Array.from(closes, (_, i) => i * HOUR), open: close, high: close, low: close, close };
};

describe('tripleBarrierLabels', () => {
  const bars = flatBars([100, 101, 103, 99, 98, 104]);
  const volatility = new Float64Array(6).fill(0.02);

  it('leaves a bar unlabeled (volatility) when its volatility is too small to move the barriers off the entry', () => {
    // 100 · (1 ± 1e-300) rounds to 100: both barriers would sit on the entry and every later bar would "touch" both
    // (a fast-check counterexample: shorts reported a stop-loss where the tie rule says otherwise).
    const flat = flatBars([100, 100, 100, 100]);
    const result = tripleBarrierLabels(flat, {
      volatility: Float64Array.of(1e-300, 0.01, 1e-300, 0.01),
      maxHolding: 1,
      side: new Float64Array(4).fill(-1),
    });
    expect(result.endIndex[0]).toBe(-1);
    expect(result.endIndex[2]).toBe(-1);
    expect(result.barrier[1]).toBe(Barrier.vertical);
    expect(result.unlabeled.byReason.volatility).toBe(2);
  });

  it('hand-worked: profit-take, vertical, stop-loss, profit-take, then the horizon', () => {
    const result = tripleBarrierLabels(bars, { volatility, maxHolding: 2 });
    // t0: 102 / 98 → 103 at bar 2 (profit-take). t1: 103.02 / 98.98 → none by bar 3 → vertical, 99/101 - 1 < 0.
    // t2: 105.06 / 100.94 → 99 at bar 3 (stop-loss). t3: 100.98 / 97.02 → 104 at bar 5 (profit-take).
    expect(Array.from(result.barrier)).toEqual([
      Barrier.profitTake,
      Barrier.vertical,
      Barrier.stopLoss,
      Barrier.profitTake,
      Barrier.none,
      Barrier.none,
    ]);
    expect(Array.from(result.label)).toEqual([1, -1, -1, 1, Number.NaN, Number.NaN]);
    expect(Array.from(result.endIndex)).toEqual([2, 3, 3, 5, -1, -1]);
    expect(Array.from(result.labelEnd.subarray(0, 4))).toEqual([2 * HOUR, 3 * HOUR, 3 * HOUR, 5 * HOUR]);
    expect(result.ret[0]).toBeCloseTo(0.03, 15);
    expect(result.ret[1]).toBeCloseTo(99 / 101 - 1, 15);
    expect(result.ret[2]).toBeCloseTo(99 / 103 - 1, 15);
    expect(result.unlabeled.byReason.horizon).toBe(2);
    // spans (0,2], (1,3], (2,3], (3,5]: concurrency of bars 1..5 = 1, 2, 2, 1, 1
    expect(result.weight[0]).toBe((1 + 1 / 2) / 2);
    expect(result.weight[1]).toBe((1 / 2 + 1 / 2) / 2);
    expect(result.weight[2]).toBe(1 / 2);
    expect(result.weight[3]).toBe(1);
  });

  it("verticalLabel 'zero' labels vertical-barrier exits 0; a zero multiple removes that barrier", () => {
    expect(tripleBarrierLabels(bars, { volatility, maxHolding: 2, verticalLabel: 'zero' }).label[1]).toBe(0);
    const noStop = tripleBarrierLabels(bars, { volatility, maxHolding: 2, stopLoss: 0 });
    expect(noStop.barrier[2]).toBe(Barrier.vertical); // 98 at bar 4 is no longer a stop
    expect(noStop.label[2]).toBe(-1);
  });

  it('highLow: both barriers inside one bar → stop-loss first (conservative), or unlabeled; a gapped open decides', () => {
    const time = Float64Array.of(0, HOUR, 2 * HOUR);
    const close = Float64Array.of(100, 100, 100);
    const high = Float64Array.of(100, 103, 100);
    const low = Float64Array.of(100, 97, 100);
    const vol = new Float64Array(3).fill(0.02);
    const inside = { time, open: Float64Array.of(100, 100, 100), high, low, close };
    const conservative = tripleBarrierLabels(inside, { volatility: vol, maxHolding: 1, price: 'highLow' });
    expect(conservative.barrier[0]).toBe(Barrier.stopLoss);
    expect(conservative.ret[0]).toBeCloseTo(-0.02, 15); // filled at the barrier
    const short = tripleBarrierLabels(inside, { volatility: vol, maxHolding: 1, price: 'highLow', side: [-1, 0, 0] });
    expect(short.barrier[0]).toBe(Barrier.stopLoss); // for a short the stop is the upper barrier
    expect(short.ret[0]).toBeCloseTo(-0.02, 15);
    const strict = tripleBarrierLabels(inside, {
      volatility: vol,
      maxHolding: 1,
      price: 'highLow',
      tieBreak: 'unlabeled',
    });
    expect(strict.label[0]).toBeNaN();
    expect(strict.unlabeled.byReason.ambiguous).toBe(1);
    const gap = { time, open: Float64Array.of(100, 102.5, 100), high, low, close };
    const gapped = tripleBarrierLabels(gap, { volatility: vol, maxHolding: 1, price: 'highLow' });
    expect(gapped.barrier[0]).toBe(Barrier.profitTake);
    expect(gapped.ret[0]).toBeCloseTo(0.025, 15); // filled at the open, beyond the barrier
  });

  it('default volatility is the causal EWM estimate; bars before it exists are unlabeled', () => {
    const closes = Array.from({ length: 40 }, (_, i) => 100 * (1 + 0.01 * Math.sin(i)));
    const result = tripleBarrierLabels(flatBars(closes), {
      volatilityMinPeriods: 5,
      volatilitySpan: 10,
      maxHolding: 3,
    });
    expect(result.unlabeled.byReason.volatility).toBe(5); // bars 0..4 have fewer than 5 returns
    expect(result.volatility[5]).toBeGreaterThan(0);
    expect(Number.isNaN(result.label[5]!)).toBe(false);
  });

  it('rejects bad options', () => {
    expect(() => tripleBarrierLabels(bars, { profitTake: -1 })).toThrow(InvalidParameterError);
    expect(() => tripleBarrierLabels(bars, { maxHolding: 0 })).toThrow(/maxHolding/);
    expect(() => tripleBarrierLabels(bars, { volatility: new Float64Array(2) })).toThrow(/volatility: column has 2/);
  });
});

describe('metaLabels', () => {
  it('labels whether the primary side made money; no signal → unlabeled', () => {
    const bars = flatBars([100, 101, 103, 99, 98, 104]);
    const volatility = new Float64Array(6).fill(0.02);
    const result = metaLabels(bars, Float64Array.of(1, -1, 0, -1, Number.NaN, 1), { volatility, maxHolding: 2 });
    // t0 long: profit-take at bar 2 → 1. t1 short: 103.02 is its stop? 101·1.02 = 103.02 > 103, 101·0.98 = 98.98 < 99
    //   → vertical at bar 3, short return 1 - 99/101 > 0 → 1. t3 short: stop 100.98 hit by 104 at bar 5 → 0.
    expect(Array.from(result.label)).toEqual([1, 1, Number.NaN, 0, Number.NaN, Number.NaN]);
    expect(result.barrier[3]).toBe(Barrier.stopLoss);
    expect(result.ret[3]).toBeCloseTo(-(104 / 99 - 1), 15);
    expect(result.unlabeled.byReason.noSignal).toBe(2);
    expect(result.unlabeled.byReason.horizon).toBe(1);
  });
});
