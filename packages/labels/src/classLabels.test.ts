import { InvalidParameterError } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { classLabels, type LabelSpecInput, LabelSpecSchema, labelClasses } from './classLabels.js';
import { ForwardReturnOptionsSchema, forwardReturnLabels } from './forwardReturnLabels.js';
import { Barrier, TripleBarrierOptionsSchema, tripleBarrierLabels } from './tripleBarrierLabels.js';
import { ZigZagOptionsSchema, zigzagLabels } from './zigzagLabels.js';

const HOUR = 3_600_000;
/** Bars whose open, high and low equal the close. */
const flatBars = (closes: number[]) => {
  const close = Float64Array.from(closes);
  return { time: Float64Array.from(closes, (_, i) => i * HOUR), open: close, high: close, low: close, close };
};
const bars = btcHourly({ last: 2_000 });

/** Class index per bar as a plain array with null for unlabeled (readable in assertions). */
const classes = (y: Float64Array) => Array.from(y, (v) => (Number.isNaN(v) ? null : v));

describe('classLabels', () => {
  it('labelClasses gives, without bars, exactly the meaning classLabels attaches', () => {
    const specs: LabelSpecInput[] = [
      { kind: 'forwardReturn', target: 'binary' },
      { kind: 'forwardReturn', target: 'ternary', upper: 0.01, lower: -0.01 },
      { kind: 'zigzag' },
      { kind: 'tripleBarrier' },
    ];
    for (const spec of specs) {
      const { numClasses, classes: names, upClass, downClass } = classLabels(bars, spec);
      expect(labelClasses(spec)).toEqual({ numClasses, classes: names, upClass, downClass });
    }
    expect(() => labelClasses({ kind: 'zigzag', threshold: -1 } as LabelSpecInput)).toThrow(InvalidParameterError);
  });

  it('forward return binary: notUp 0 / up 1 (return > upper)', () => {
    const result = classLabels(flatBars([100, 101, 101, 100.5, 103]), { kind: 'forwardReturn', target: 'binary' });
    expect(classes(result.y)).toEqual([1, 0, 0, 1, null]);
    expect(result).toMatchObject({ numClasses: 2, classes: ['notUp', 'up'], upClass: 1, downClass: undefined });
    expect(result.unlabeled.byReason.horizon).toBe(1);
  });

  it('forward return ternary: down 0 / flat 1 / up 2 with the thresholds', () => {
    const spec: LabelSpecInput = { kind: 'forwardReturn', target: 'ternary', upper: 0.01, lower: -0.002 };
    const result = classLabels(flatBars([100, 102, 101.5, 101, 101]), spec);
    // returns: +2 %, -0.49 %, -0.49 %, 0 → up, down, down, flat
    expect(classes(result.y)).toEqual([2, 0, 0, 1, null]);
    expect(result).toMatchObject({ numClasses: 3, classes: ['down', 'flat', 'up'], upClass: 2, downClass: 0 });
  });

  it('zigzag: down 0 / up 1, unconfirmed swings unlabeled', () => {
    const result = classLabels(flatBars([100, 106, 100, 100.5, 100, 100]), {
      kind: 'zigzag',
      threshold: 0.05,
      lookahead: 2,
    });
    // t0: 106 up; t1: 100 is 5.7 % down; t2: no 5 % move within 2 bars; t3: neither
    expect(classes(result.y)).toEqual([1, 0, null, null, null, null]);
    expect(result).toMatchObject({ numClasses: 2, classes: ['down', 'up'], upClass: 1, downClass: 0 });
    expect(result.unlabeled.byReason).toMatchObject({ unconfirmed: 2, horizon: 2 });
  });

  it('triple barrier: down 0 = stop-loss first, flat 1 = vertical barrier, up 2 = profit-take first', () => {
    const spec = { kind: 'tripleBarrier', maxHolding: 24, profitTake: 2, stopLoss: 1 } as const;
    const result = classLabels(bars, spec);
    const columns = tripleBarrierLabels(bars, { maxHolding: 24, profitTake: 2, stopLoss: 1 });
    const expected = { [Barrier.stopLoss]: 0, [Barrier.vertical]: 1, [Barrier.profitTake]: 2 } as Record<
      number,
      number
    >;
    const counts = [0, 0, 0];
    for (let t = 0; t < bars.time.length; t++) {
      if (Number.isNaN(columns.label[t]!)) expect(result.y[t]).toBeNaN();
      else {
        expect(result.y[t]).toBe(expected[columns.barrier[t]!]);
        counts[result.y[t]!]!++;
      }
    }
    // every class occurs on real data, so the mapping above was exercised for each barrier
    expect(Math.min(...counts)).toBeGreaterThan(20);
    expect(result.labelEnd).toEqual(columns.labelEnd);
    expect(result.weight).toEqual(columns.weight);
    expect(result).toMatchObject({ numClasses: 3, classes: ['down', 'flat', 'up'], upClass: 2, downClass: 0 });
  });

  it('atr zigzag specs give the labels of zigzagLabels with the same options', () => {
    const result = classLabels(bars, { kind: 'zigzag', thresholdType: 'atr', atrMultiple: 3, lookahead: 12 });
    const columns = zigzagLabels(bars, { thresholdType: 'atr', atrMultiple: 3, lookahead: 12 });
    expect(classes(result.y)).toEqual(classes(columns.label.map((v) => (v > 0 ? 1 : v < 0 ? 0 : Number.NaN))));
    expect(result.unlabeled).toEqual(columns.unlabeled);
  });
});

describe('label option schemas', () => {
  it('hold the defaults, the same in a spec as in the labeler options', () => {
    expect(ForwardReturnOptionsSchema.parse({})).toEqual({ horizon: 1, target: 'return', upper: 0, logReturn: false });
    expect(ZigZagOptionsSchema.parse({})).toEqual({
      thresholdType: 'percent',
      threshold: 0.02,
      lookahead: 20,
      price: 'close',
    });
    expect(ZigZagOptionsSchema.parse({ thresholdType: 'atr' })).toEqual({
      thresholdType: 'atr',
      atrMultiple: 2,
      atrPeriod: 14,
      lookahead: 20,
      price: 'close',
    });
    const tripleBarrier = TripleBarrierOptionsSchema.parse({});
    expect(tripleBarrier).toEqual({
      profitTake: 1,
      stopLoss: 1,
      maxHolding: 20,
      volatilitySpan: 100,
      volatilityMinPeriods: 20,
      price: 'close',
      tieBreak: 'stopLoss',
      verticalLabel: 'sign',
    });
    const { verticalLabel: _, ...tripleBarrierSpecDefaults } = tripleBarrier;
    expect(LabelSpecSchema.parse({ kind: 'tripleBarrier' })).toEqual({
      kind: 'tripleBarrier',
      ...tripleBarrierSpecDefaults,
    });
    expect(LabelSpecSchema.parse({ kind: 'zigzag' })).toEqual({ kind: 'zigzag', ...ZigZagOptionsSchema.parse({}) });
    expect(LabelSpecSchema.parse({ kind: 'zigzag', thresholdType: 'atr' })).toEqual({
      kind: 'zigzag',
      ...ZigZagOptionsSchema.parse({ thresholdType: 'atr' }),
    });
    expect(LabelSpecSchema.parse({ kind: 'forwardReturn', target: 'binary' })).toEqual({
      kind: 'forwardReturn',
      ...ForwardReturnOptionsSchema.parse({ target: 'binary' }),
    });
  });

  it('labelers apply the schema defaults', () => {
    const forward = forwardReturnLabels(bars);
    expect(forward.unlabeled.byReason.horizon).toBe(1); // horizon 1
    expect(forward.label[0]).toBeCloseTo(bars.close[1]! / bars.close[0]! - 1, 15); // target 'return'
    expect(zigzagLabels(bars).unlabeled.byReason.horizon).toBe(20); // lookahead 20
    const tb = tripleBarrierLabels(bars);
    expect(tb.unlabeled.byReason.horizon).toBe(20); // maxHolding 20
    expect(Number.isNaN(tb.volatility[19]!) && !Number.isNaN(tb.volatility[20]!)).toBe(true); // minPeriods 20
  });

  it.each([
    [{ kind: 'forwardReturn', target: 'binary', horizon: 0 }, 'horizon'],
    [{ kind: 'forwardReturn', target: 'return' }, 'target'],
    [{ kind: 'forwardReturn' }, 'target'],
    [{ kind: 'forwardReturn', target: 'ternary', upper: 0.01, lower: 0.02 }, 'lower'],
    [{ kind: 'zigzag', threshold: -1 }, 'threshold'],
    [{ kind: 'zigzag', thresholdType: 'atr', threshold: 2 }, 'threshold'],
    [{ kind: 'zigzag', thresholdType: 'fraction' }, 'thresholdType'],
    [{ kind: 'zigzag', lookahead: 2.5 }, 'lookahead'],
    [{ kind: 'tripleBarrier', stopLoss: -1 }, 'stopLoss'],
    [{ kind: 'tripleBarrier', verticalLabel: 'zero' }, 'verticalLabel'],
    [{ kind: 'tripleBarrier', price: 'open' }, 'price'],
    [{ kind: 'tripleBarier' }, 'kind'],
  ])('refuses %j with an InvalidParameterError naming %s', (spec, option) => {
    let error: unknown;
    try {
      classLabels(bars, spec as LabelSpecInput);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as InvalidParameterError).parameter).toBe(option);
    expect((error as Error).message).toContain('classLabels');
  });

  it('labelers refuse bad options by name too', () => {
    expect(() => forwardReturnLabels(bars, { horizon: 1.5 })).toThrow(
      expect.objectContaining({ parameter: 'horizon' }),
    );
    expect(() => tripleBarrierLabels(bars, { maxHolding: 0 })).toThrow(
      expect.objectContaining({ parameter: 'maxHolding' }),
    );
    expect(() => tripleBarrierLabels(bars, { volatility: [1, 2] as unknown as Float64Array })).toThrow(
      expect.objectContaining({ parameter: 'volatility' }),
    );
    expect(() => forwardReturnLabels(bars, { horizn: 2 } as never)).toThrow(
      expect.objectContaining({ parameter: 'horizn' }),
    );
  });
});
