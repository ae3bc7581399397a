import { ConfigError, ValidationError } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FuzzyEngine } from './FuzzyEngine.js';

/** The KTRDR-style example of the README: RSI and MACD histogram sets. */
const ktrdrConfig = {
  rsi_14: {
    range: [0, 100],
    sets: {
      oversold: { type: 'trapezoidal', parameters: [0, 0, 25, 40] },
      neutral: { type: 'triangular', parameters: [30, 50, 70] },
      overbought: { type: 'trapezoidal', parameters: [60, 75, 100, 100] },
    },
  },
  macd_hist: {
    sets: {
      negative: { type: 'sigmoid', parameters: [-0.5, -4] },
      neutral: { type: 'gaussian', parameters: [0, 0.5] },
      positive: { type: 'sigmoid', parameters: [0.5, 4] },
    },
  },
};

describe('FuzzyEngine', () => {
  it('evaluates every set into a column named input.set (hand-computed)', () => {
    const engine = FuzzyEngine.fromConfig(ktrdrConfig);
    expect(engine.inputs).toEqual(['rsi_14', 'macd_hist']);
    expect(engine.outputs).toEqual([
      'rsi_14.oversold',
      'rsi_14.neutral',
      'rsi_14.overbought',
      'macd_hist.negative',
      'macd_hist.neutral',
      'macd_hist.positive',
    ]);
    expect(engine.warnings).toEqual([]);
    const out = engine.evaluate({
      rsi_14: Float64Array.of(20, 35, 50, 65, 90, Number.NaN),
      macd_hist: Float64Array.of(-0.5, 0, 0.5, 0.25, Number.NaN, 1),
      close: Float64Array.of(1, 2, 3, 4, 5, 6),
    });
    expect(Object.keys(out)).toEqual(engine.outputs);
    expect(Array.from(out['rsi_14.oversold']!)).toEqual([1, 1 / 3, 0, 0, 0, Number.NaN]);
    expect(Array.from(out['rsi_14.neutral']!)).toEqual([0, 0.25, 1, 0.25, 0, Number.NaN]);
    expect(Array.from(out['rsi_14.overbought']!)).toEqual([0, 0, 0, 1 / 3, 1, Number.NaN]);
    expect(out['macd_hist.negative']![0]).toBe(0.5);
    expect(out['macd_hist.positive']![2]).toBe(0.5);
    expect(out['macd_hist.neutral']![1]).toBe(1);
    expect(out['macd_hist.neutral']![3]).toBeCloseTo(Math.exp(-0.125), 15);
    expect(out['macd_hist.neutral']![4]).toBeNaN();
  });

  it('reuses output buffers given in out', () => {
    const engine = FuzzyEngine.fromConfig({ x: { sets: { a: { type: 'triangular', parameters: [0, 1, 2] } } } });
    const buffer = new Float64Array(2);
    const out = engine.evaluate({ x: Float64Array.of(0.5, 1) }, { 'x.a': buffer });
    expect(out['x.a']).toBe(buffer);
    expect(Array.from(buffer)).toEqual([0.5, 1]);
  });

  it('streaming (evaluateRow / evaluateRowInto) equals batch on random columns', () => {
    const engine = FuzzyEngine.fromConfig(ktrdrConfig);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -10, max: 110 }), fc.double({ min: -5, max: 5 })), { maxLength: 50 }),
        (rows) => {
          const rsi = Float64Array.from(rows, (r) => r[0]);
          const macd = Float64Array.from(rows, (r) => r[1]);
          const batch = engine.evaluate({ rsi_14: rsi, macd_hist: macd });
          const buffer = new Float64Array(engine.outputs.length);
          rows.forEach(([r, m], i) => {
            const row = engine.evaluateRow({ rsi_14: r, macd_hist: m });
            engine.evaluateRowInto([r, m], buffer);
            engine.outputs.forEach((name, j) => {
              expect(Object.is(row[name], batch[name]![i])).toBe(true);
              expect(Object.is(buffer[j], batch[name]![i])).toBe(true);
            });
          });
        },
      ),
    );
  });

  it('names each missing input column in a ValidationError', () => {
    const engine = FuzzyEngine.fromConfig(ktrdrConfig);
    const error = (() => {
      try {
        engine.evaluate({ rsi: new Float64Array(3) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(['rsi_14', 'macd_hist']);
    expect(() => engine.evaluate({ rsi_14: new Float64Array(3), macd_hist: new Float64Array(2) })).toThrow(
      /macd_hist: column has 2 values, rsi_14 has 3/,
    );
    expect(() => engine.evaluateRow({ rsi_14: 50 })).toThrow(/macd_hist: input value is missing/);
    expect(() => engine.evaluateRowInto([50], new Float64Array(6))).toThrow(ValidationError);
  });
});

describe('FuzzyEngine.fromConfig validation', () => {
  const configError = (config: unknown): ConfigError => {
    try {
      FuzzyEngine.fromConfig(config);
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  it('rejects unordered parameters and names the path', () => {
    const error = configError({ rsi_14: { sets: { oversold: { type: 'triangular', parameters: [30, 10, 50] } } } });
    expect(error.issues[0]!.field).toBe('rsi_14.sets.oversold.parameters.1');
    expect(error.message).toMatch(/ordered a <= b <= c, got \[30, 10, 50\]/);
    expect(
      configError({ x: { sets: { s: { type: 'trapezoidal', parameters: [0, 10, 5, 20] } } } }).issues[0]!.field,
    ).toBe('x.sets.s.parameters.2');
    expect(configError({ x: { sets: { s: { type: 'triangular', parameters: [5, 5, 5] } } } }).message).toMatch(
      /single point/,
    );
  });

  it('rejects bad function types, non-positive widths, zero slopes, infinities and bad ranges', () => {
    expect(configError({ x: { sets: { s: { type: 'cosine', parameters: [1] } } } }).issues[0]!.field).toBe(
      'x.sets.s.type',
    );
    expect(configError({ x: { sets: { s: { type: 'gaussian', parameters: [0, 0] } } } }).issues[0]!.field).toBe(
      'x.sets.s.parameters.1',
    );
    expect(
      configError({ x: { sets: { s: { type: 'generalizedBell', parameters: [-1, 2, 0] } } } }).issues[0]!.field,
    ).toBe('x.sets.s.parameters.0');
    expect(configError({ x: { sets: { s: { type: 'sigmoid', parameters: [0, 0] } } } }).message).toMatch(
      /slope must not be 0/,
    );
    expect(
      configError({ x: { sets: { s: { type: 'triangular', parameters: [0, 1, Number.POSITIVE_INFINITY] } } } })
        .issues[0]!.field,
    ).toBe('x.sets.s.parameters.2');
    expect(
      configError({ x: { range: [5, 1], sets: { s: { type: 'gaussian', parameters: [0, 1] } } } }).issues[0]!.field,
    ).toBe('x.range');
    expect(configError({ x: { sets: {} } }).issues[0]!.field).toBe('x.sets');
    expect(configError({}).message).toMatch(/at least one input/);
    expect(configError({ x: { sets: { 'a.b': { type: 'gaussian', parameters: [0, 1] } } } }).issues[0]!.field).toBe(
      'x.sets.a.b',
    );
    expect(
      configError({ x: { sets: { s: { type: 'gaussian', parameters: [0, 1] } }, extra: 1 } }).issues[0]!.reason,
    ).toMatch(/extra/);
  });
});

describe('coverage warnings', () => {
  it('warns at the single point where two triangles only touch', () => {
    const engine = FuzzyEngine.fromConfig({
      rsi_14: {
        range: [0, 100],
        sets: {
          low: { type: 'triangular', parameters: [0, 0, 50] },
          high: { type: 'triangular', parameters: [50, 100, 100] },
        },
      },
    });
    expect(engine.warnings).toHaveLength(1);
    expect(engine.warnings[0]).toMatchObject({ kind: 'coverageGap', input: 'rsi_14', from: 50, to: 50, minTotal: 0 });
  });

  it('finds an uncovered interval and an uncovered range end exactly (breakpoints are probed)', () => {
    const engine = FuzzyEngine.fromConfig({
      rsi_14: {
        range: [0, 100],
        sets: {
          low: { type: 'trapezoidal', parameters: [0, 0, 20, 30.05] },
          mid: { type: 'triangular', parameters: [40.123, 50, 60] },
        },
      },
    });
    expect(engine.warnings.map((w) => [w.from, w.to])).toEqual([
      [30.05, 40.123],
      [60, 100],
    ]);
  });

  it('warns where the total is below minCoverage, and not at all without a declared range', () => {
    const sets = { a: { type: 'gaussian', parameters: [0, 1] }, b: { type: 'gaussian', parameters: [10, 1] } };
    const warned = FuzzyEngine.fromConfig({ x: { range: [0, 10], minCoverage: 0.5, sets } }).warnings;
    expect(warned).toHaveLength(1);
    // total = exp(-d²/2) + exp(-(10-d)²/2) < 0.5 ⇔ roughly 1.18 < d < 8.82
    expect(warned[0]!.from).toBeCloseTo(1.18, 1);
    expect(warned[0]!.to).toBeCloseTo(8.82, 1);
    expect(warned[0]!.message).toMatch(/below 0.5/);
    expect(FuzzyEngine.fromConfig({ x: { range: [0, 10], sets } }).warnings).toEqual([]);
    expect(FuzzyEngine.fromConfig({ x: { minCoverage: 0.5, sets } }).warnings).toEqual([]);
  });
});
