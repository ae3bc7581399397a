import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Action, Rng, type Signal } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateSignals, shouldExecute } from './aggregateSignals.js';
import { directionLoss, HedgeWeights } from './HedgeWeights.js';
import { SignalAggregator } from './SignalAggregator.js';

const sig = (source: string, action: Action, confidence: number, size?: number): Signal => ({
  time: 0,
  symbol: 'BTC/USDT',
  action,
  confidence,
  source,
  ...(size === undefined ? {} : { size }),
});

describe('aggregateSignals', () => {
  it('weighted vote with confidence, consensus and position size (hand-computed)', () => {
    const agg = aggregateSignals([sig('a', 'buy', 0.9), sig('b', 'buy', 0.7), sig('c', 'sell', 0.8)], {
      weights: { a: 2, b: 1, c: 1 },
    });
    // votes: buy 2·0.9 + 0.7 = 2.5, sell 0.8; total weight 4
    expect(agg.action).toBe('buy');
    expect(agg.confidence).toBeCloseTo(2.5 / 4, 12);
    expect(agg.consensus).toBeCloseTo(3 / 4, 12);
    expect(agg.positionSize).toBeCloseTo((2.5 / 4) * 0.75, 12);
    expect(agg.shouldExecute).toBe(true);
    const strict = aggregateSignals([sig('a', 'buy', 0.9), sig('b', 'buy', 0.7), sig('c', 'sell', 0.8)], {
      weights: { a: 2 },
      minConfidence: 0.7,
    });
    expect(strict.shouldExecute).toBe(false);
  });

  it('holds on ties and empty input; uses signal sizes when given', () => {
    expect(aggregateSignals([]).action).toBe('hold');
    expect(aggregateSignals([sig('a', 'buy', 0.8), sig('b', 'sell', 0.8)]).action).toBe('hold');
    const sized = aggregateSignals([sig('a', 'sell', 1, 0.5), sig('b', 'sell', 1, 0.3)], { weights: { a: 3, b: 1 } });
    expect(sized.positionSize).toBeCloseTo((3 * 0.5 + 0.3) / 4, 12);
    expect(shouldExecute({ action: 'buy', confidence: 0.6, consensus: 0.5 })).toBe(true);
    expect(shouldExecute({ action: 'buy', confidence: 0.59, consensus: 0.9 })).toBe(false);
    expect(shouldExecute({ action: 'hold', confidence: 1, consensus: 1 })).toBe(false);
  });

  it('property: confidence ≤ consensus ≤ 1, size within [0, max]', () => {
    const arb = fc.array(
      fc.record({
        source: fc.constantFrom('a', 'b', 'c', 'd'),
        action: fc.constantFrom<Action>('buy', 'sell', 'hold'),
        confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(arb, fc.double({ min: 0, max: 1, noNaN: true }), (signals, max) => {
        const agg = aggregateSignals(
          signals.map((s) => sig(s.source, s.action, s.confidence)),
          { maxPositionSize: max, weights: { a: 3, b: 0.5 } },
        );
        expect(agg.confidence).toBeLessThanOrEqual(agg.consensus + 1e-12);
        expect(agg.consensus).toBeLessThanOrEqual(1 + 1e-12);
        expect(agg.positionSize).toBeGreaterThanOrEqual(0);
        expect(agg.positionSize).toBeLessThanOrEqual(max + 1e-12);
      }),
    );
  });
});

describe('HedgeWeights and SignalAggregator', () => {
  it('weights move toward the source that is right more often; persisted and reloaded', () => {
    const rng = new Rng(42);
    const aggregator = new SignalAggregator();
    const start = aggregator.weights.toRecord();
    for (let round = 0; round < 200; round++) {
      const up = rng.float() < 0.5;
      const truth: Action = up ? 'buy' : 'sell';
      const wrong: Action = up ? 'sell' : 'buy';
      const now = round * 60_000;
      aggregator.submit({ ...sig('good', rng.float() < 0.7 ? truth : wrong, 0.8), time: now });
      aggregator.submit({ ...sig('coin', rng.float() < 0.5 ? truth : wrong, 0.8), time: now });
      aggregator.recordOutcome('BTC/USDT', now, up ? 0.01 : -0.01);
    }
    expect(start).toEqual({});
    const w = aggregator.weights.toRecord();
    expect(w.good!).toBeGreaterThan(0.8);
    expect(w.good! + w.coin!).toBeCloseTo(1, 12);
    const dir = mkdtempSync(join(tmpdir(), 'hedge-'));
    writeFileSync(join(dir, 'w.json'), JSON.stringify(aggregator.weights));
    const reloaded = HedgeWeights.fromJSON(JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8')));
    expect(reloaded.toRecord()).toEqual(w);
    expect(reloaded.rounds).toBe(200);
    expect(() => HedgeWeights.fromJSON({ kind: 'hedge-weights', version: 9 })).toThrow(/newer/);
  });

  it('one Hedge round follows w·exp(−η·loss), normalized, then fixed-share decay', () => {
    const h = new HedgeWeights(['a', 'b'], { learningRate: 1, decay: 0.1 });
    h.update([
      { source: 'a', loss: 0 },
      { source: 'b', loss: 1 },
    ]);
    const raw = 1 / (1 + Math.exp(-1));
    expect(h.weight('a')).toBeCloseTo(0.9 * raw + 0.05, 12);
    expect(directionLoss('sell', -0.2)).toBe(0);
    expect(directionLoss('buy', -0.2)).toBe(1);
    expect(directionLoss('hold', 0.3)).toBe(0.5);
  });

  it('ignores stale signals', () => {
    const agg = new SignalAggregator({ maxAgeMs: 1000 });
    agg.submit({ ...sig('a', 'buy', 1), time: 0 });
    agg.submit({ ...sig('b', 'sell', 1), time: 5000 });
    expect(agg.decide('BTC/USDT', 5500).action).toBe('sell');
  });

  it('never uses a signal dated after `now`: a future-dated sell does not act for the next thirty days', () => {
    const day = 86_400_000;
    const agg = new SignalAggregator();
    agg.submit({ ...sig('tv', 'sell', 1), time: Date.parse('2999-01-01T00:00:00Z') });
    for (let d = 0; d <= 30; d++) {
      const decision = agg.decide('BTC/USDT', Date.parse('2026-12-01T00:00:00Z') + d * day);
      expect(decision).toMatchObject({ action: 'hold', count: 0, positionSize: 0, shouldExecute: false });
    }
  });

  it('answers as of any time inside the window: a newer signal does not hide the one a past decision saw', () => {
    const agg = new SignalAggregator({ maxAgeMs: 1000 });
    agg.submit({ ...sig('a', 'buy', 0.9), time: 100 });
    agg.submit({ ...sig('a', 'sell', 0.8), time: 600 });
    agg.submit({ ...sig('a', 'hold', 0.1), time: 300 }); // late delivery of an older signal
    expect(agg.signals('BTC/USDT', 200).map((s) => s.action)).toEqual(['buy']);
    expect(agg.signals('BTC/USDT', 400).map((s) => s.action)).toEqual(['hold']);
    expect(agg.signals('BTC/USDT', 700).map((s) => s.action)).toEqual(['sell']);
    expect(agg.signals('BTC/USDT', 50)).toEqual([]);
    expect(() => agg.submit({ ...sig('a', 'buy', 1), time: Number.NaN })).toThrow(/'signal.time'/);
  });

  it('learns only from outcomes known at the time: no lookahead in the Hedge weights', () => {
    // Reference: replaying the same stream causally by hand with a bare HedgeWeights.
    const rng = new Rng(7);
    const hour = 3_600_000;
    const agg = new SignalAggregator({ maxAgeMs: hour });
    const reference = new HedgeWeights();
    const pending: Array<{ decidedAt: number; seen: Signal[] }> = [];
    let lateSignal: Signal | undefined;
    for (let t = 1; t <= 60; t++) {
      const now = t * hour;
      // The outcome of the decision taken one hour ago is known now: learn it before deciding.
      const realized = rng.normal() * 0.01;
      const previous = pending.shift();
      if (previous) {
        agg.recordOutcome('BTC/USDT', previous.decidedAt, realized, now);
        reference.update(previous.seen.map((s) => ({ source: s.source, loss: directionLoss(s.action, realized) })));
      }
      expect(agg.weights.toRecord()).toEqual(reference.toRecord());
      expect(agg.weights.learnedThrough).toBe(previous ? now : Number.NEGATIVE_INFINITY);
      const submitted: Signal[] = [];
      for (const source of ['a', 'b', 'c']) {
        submitted.push({ ...sig(source, rng.float() < 0.5 ? 'buy' : 'sell', 0.8), time: now });
        agg.submit(submitted.at(-1)!);
        reference.add(source);
      }
      agg.decide('BTC/USDT', now);
      // What the decision saw: this round's signals and the previous round's late one.
      pending.push({ decidedAt: now, seen: [...submitted, ...(lateSignal ? [lateSignal] : [])] });
      expect(agg.signals('BTC/USDT', now)).toEqual(expect.arrayContaining(pending.at(-1)!.seen));
      expect(agg.signals('BTC/USDT', now)).toHaveLength(pending.at(-1)!.seen.length);
      // Then a signal dated just after the decision: it must never be scored for it.
      lateSignal = { ...sig('late', rng.float() < 0.5 ? 'buy' : 'sell', 1), time: now + 1 };
      agg.submit(lateSignal);
      reference.add('late');
    }
    // Weights that learned from an outcome known at 60 h cannot decide at 59 h.
    expect(() => agg.decide('BTC/USDT', 59 * hour)).toThrow(/'now'.*use the future/);
    expect(() => agg.recordOutcome('BTC/USDT', 10, 0.01, 5)).toThrow(/'knownAt'/);
    const reloaded = HedgeWeights.fromJSON(JSON.parse(JSON.stringify(agg.weights)));
    expect(reloaded.learnedThrough).toBe(60 * hour);
    expect(() => new SignalAggregator({ weights: reloaded }).decide('BTC/USDT', 59 * hour)).toThrow(/'now'/);
  });
});
