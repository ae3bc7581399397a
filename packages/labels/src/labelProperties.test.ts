import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwardReturnLabels } from './forwardReturnLabels.js';
import { type LabelBars, type LabelColumns, UNLABELED_REASONS } from './labelColumns.js';
import {
  Barrier,
  type TripleBarrierLabels,
  type TripleBarrierOptions,
  tripleBarrierLabels,
} from './tripleBarrierLabels.js';
import { zigzagLabels } from './zigzagLabels.js';

const HOUR = 3_600_000;

/** One bar as [gap, return, upper wick, lower wick] fractions; turned into a consistent OHLC path. */
const barShape = fc.tuple(
  fc.double({ min: -0.01, max: 0.01, noNaN: true }),
  fc.double({ min: -0.04, max: 0.04, noNaN: true }),
  fc.double({ min: 0, max: 0.03, noNaN: true }),
  fc.double({ min: 0, max: 0.03, noNaN: true }),
);
type BarShape = [number, number, number, number];

function buildBars(shapes: readonly BarShape[]): LabelBars {
  const n = shapes.length;
  const bars = {
    time: Float64Array.from(shapes, (_, i) => i * HOUR),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
  };
  let previous = 100;
  shapes.forEach(([gap, ret, up, down], i) => {
    const open = previous * (1 + gap);
    const close = open * (1 + ret);
    bars.open[i] = open;
    bars.close[i] = close;
    bars.high[i] = Math.max(open, close) * (1 + up);
    bars.low[i] = Math.min(open, close) * (1 - down);
    previous = close;
  });
  return bars;
}

/** Bars `[0, end)` as views, and any extra per-bar column cut the same way. */
function truncate(bars: LabelBars, end: number): LabelBars {
  return {
    time: bars.time.subarray(0, end),
    open: bars.open.subarray(0, end),
    high: bars.high.subarray(0, end),
    low: bars.low.subarray(0, end),
    close: bars.close.subarray(0, end),
  };
}

/** A labeler under test: how far it looks ahead, and whether its volatility only uses given columns. */
interface Case {
  name: string;
  horizon: number;
  /** True when the label at t reads only close_t, bars (t, end] and given per-bar columns (no estimate from past bars). */
  pointInTime: boolean;
  run: (bars: LabelBars) => LabelColumns;
}

const positiveColumn = (n: number, seed: number, scale: number) =>
  Float64Array.from({ length: n }, (_, i) => scale * (0.5 + ((Math.sin(seed + i * 1.7) + 1) / 2) * 1.5));

const caseArbitrary = (n: number): fc.Arbitrary<Case> =>
  fc.oneof(
    fc
      .record({
        horizon: fc.integer({ min: 1, max: 6 }),
        target: fc.constantFrom(...(['return', 'binary', 'ternary'] as const)),
      })
      .map(
        ({ horizon, target }): Case => ({
          name: `forwardReturn h=${horizon} ${target}`,
          horizon,
          pointInTime: true,
          run: (bars) => forwardReturnLabels(bars, { horizon, target, upper: 0.005 }),
        }),
      ),
    fc
      .record({
        threshold: fc.double({ min: 0.002, max: 0.06, noNaN: true }),
        lookahead: fc.integer({ min: 1, max: 10 }),
        price: fc.constantFrom(...(['close', 'highLow'] as const)),
      })
      .map(
        ({ threshold, lookahead, price }): Case => ({
          name: `zigzag ${threshold} ${lookahead} ${price}`,
          horizon: lookahead,
          pointInTime: true,
          run: (bars) => zigzagLabels(bars, { threshold, lookahead, price }),
        }),
      ),
    fc.record({ lookahead: fc.integer({ min: 1, max: 10 }), atrPeriod: fc.integer({ min: 1, max: 5 }) }).map(
      ({ lookahead, atrPeriod }): Case => ({
        name: `zigzag atr(${atrPeriod}) ${lookahead}`,
        horizon: lookahead,
        pointInTime: false,
        run: (bars) =>
          zigzagLabels(bars, { thresholdType: 'atr', atrMultiple: 1.5, atrPeriod, lookahead, price: 'highLow' }),
      }),
    ),
    tripleBarrierOptions(n).map(
      (options): Case => ({
        name: `tripleBarrier ${JSON.stringify({ ...options, volatility: undefined, side: undefined })}`,
        horizon: options.maxHolding!,
        pointInTime: options.volatility !== undefined,
        run: (bars) => {
          const length = bars.time.length;
          const { volatility, side } = options;
          return tripleBarrierLabels(bars, {
            ...options,
            volatility: volatility?.subarray(0, length),
            side: side === undefined ? undefined : Array.from(side).slice(0, length),
          });
        },
      }),
    ),
  );

function tripleBarrierOptions(n: number): fc.Arbitrary<TripleBarrierOptions> {
  return fc.record({
    profitTake: fc.constantFrom(0, 0.5, 1, 2),
    stopLoss: fc.constantFrom(0, 0.5, 1, 2),
    maxHolding: fc.integer({ min: 1, max: 8 }),
    price: fc.constantFrom(...(['close', 'highLow'] as const)),
    tieBreak: fc.constantFrom(...(['stopLoss', 'unlabeled'] as const)),
    volatility: fc.option(
      fc.integer({ min: 0, max: 100 }).map((seed) => positiveColumn(n, seed, 0.02)),
      { nil: undefined },
    ),
    volatilitySpan: fc.constant(8),
    volatilityMinPeriods: fc.constant(3),
    side: fc.option(fc.array(fc.constantFrom(-1, 0, 1), { minLength: n, maxLength: n }), { nil: undefined }),
  });
}

const scenario = fc
  .array(barShape, { minLength: 4, maxLength: 50 })
  .chain((shapes) => fc.record({ shapes: fc.constant(shapes), labeler: caseArbitrary(shapes.length) }));

function expectConsistent(result: LabelColumns, n: number): void {
  let unlabeled = 0;
  for (let t = 0; t < n; t++) {
    const labeled = !Number.isNaN(result.label[t]!);
    expect(result.endIndex[t]! >= 0).toBe(labeled);
    expect(Number.isNaN(result.labelEnd[t]!)).toBe(!labeled);
    if (labeled) {
      expect(result.endIndex[t]!).toBeGreaterThan(t);
      expect(result.weight[t]! > 0 && result.weight[t]! <= 1).toBe(true);
    } else {
      expect(result.weight[t]).toBeNaN();
      unlabeled++;
    }
  }
  expect(result.unlabeled.count).toBe(unlabeled);
  expect(UNLABELED_REASONS.reduce((sum, reason) => sum + result.unlabeled.byReason[reason], 0)).toBe(unlabeled);
}

describe('label properties (fast-check)', () => {
  it('columns are consistent and uniqueness weights lie in (0, 1]', () => {
    fc.assert(
      fc.property(scenario, ({ shapes, labeler }) => {
        expectConsistent(labeler.run(buildBars(shapes)), shapes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('a label at t depends only on bars in (t, labelEnd] (perturbing any other bar leaves it unchanged)', () => {
    fc.assert(
      fc.property(scenario, fc.array(barShape, { minLength: 50, maxLength: 50 }), ({ shapes, labeler }, noise) => {
        const bars = buildBars(shapes);
        const result = labeler.run(bars);
        for (let t = 0; t < shapes.length; t++) {
          const end = result.endIndex[t]!;
          if (end < 0) continue;
          // Point-in-time labelers: replace every bar before t and after end (bar t keeps its close);
          // labelers with a causal volatility estimate: replace every bar after end.
          const mixed = shapes.map((shape, i) =>
            i > end || (labeler.pointInTime && i < t) ? noise[i]! : shape,
          ) as BarShape[];
          const perturbed = buildBars(mixed);
          // Bars rebuilt from shapes chain prices; pin (t, end] and close_t to the originals.
          for (let i = labeler.pointInTime ? t : 0; i <= end; i++) {
            perturbed.open[i] = bars.open[i]!;
            perturbed.high[i] = bars.high[i]!;
            perturbed.low[i] = bars.low[i]!;
            perturbed.close[i] = bars.close[i]!;
          }
          const again = labeler.run(perturbed);
          expect(again.label[t], `${labeler.name} t=${t}`).toBe(result.label[t]);
          expect(again.endIndex[t]).toBe(end);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('no label when the horizon runs past the data; truncating the data never changes a label', () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0, max: 1, noNaN: true }), ({ shapes, labeler }, cut) => {
        const bars = buildBars(shapes);
        const n = shapes.length;
        const length = Math.max(1, Math.round(cut * n));
        const full = labeler.run(bars);
        const truncated = labeler.run(truncate(bars, length));
        for (let t = 0; t < length; t++) {
          if (t + labeler.horizon >= length) {
            expect(truncated.label[t]).toBeNaN();
            continue;
          }
          expect(Object.is(truncated.label[t], full.label[t]), `${labeler.name} t=${t}`).toBe(true);
          expect(truncated.endIndex[t]).toBe(full.endIndex[t]);
        }
        expect(truncated.unlabeled.byReason.horizon).toBeLessThanOrEqual(Math.min(length, labeler.horizon));
      }),
      { numRuns: 200 },
    );
  });
});

/** Recomputes, from the returned volatility, which barrier each bar of the path crosses. */
function checkBarrierOrder(bars: LabelBars, options: TripleBarrierOptions, result: TripleBarrierLabels): void {
  const highLow = options.price === 'highLow';
  for (let t = 0; t < bars.close.length; t++) {
    const end = result.endIndex[t]!;
    if (end < 0) continue;
    const s = options.side === undefined ? 1 : Math.sign(options.side[t]!);
    const sigma = result.volatility[t]!;
    const entry = bars.close[t]!;
    const take = options.profitTake! > 0 ? entry * (1 + s * options.profitTake! * sigma) : s * Number.POSITIVE_INFINITY;
    const stop = options.stopLoss! > 0 ? entry * (1 - s * options.stopLoss! * sigma) : -s * Number.POSITIVE_INFINITY;
    const crosses = (j: number) => {
      const up = (highLow ? bars.high[j]! : bars.close[j]!) >= Math.max(take, stop);
      const down = (highLow ? bars.low[j]! : bars.close[j]!) <= Math.min(take, stop);
      const takeHit = s > 0 ? up : down;
      const stopHit = s > 0 ? down : up;
      return { takeHit, stopHit };
    };
    for (let j = t + 1; j < end; j++) {
      const { takeHit, stopHit } = crosses(j);
      expect(takeHit || stopHit, `bar ${j} crosses a barrier before the reported touch ${end} of t=${t}`).toBe(false);
    }
    const { takeHit, stopHit } = crosses(end);
    const barrier = result.barrier[t];
    if (barrier === Barrier.vertical) {
      expect(end).toBe(t + options.maxHolding!);
      expect(takeHit || stopHit).toBe(false);
    } else if (takeHit && stopHit) {
      // both inside one bar: a gapped open decides, else stop-loss first (the default tie rule)
      const o = bars.open[end]!;
      const gappedTake = s > 0 ? o >= take : o <= take;
      expect(barrier).toBe(gappedTake ? Barrier.profitTake : Barrier.stopLoss);
    } else {
      expect(barrier).toBe(takeHit ? Barrier.profitTake : Barrier.stopLoss);
    }
  }
}

describe('triple-barrier touch order (fast-check)', () => {
  it('the reported barrier is the first one crossed; ties inside a bar follow the documented rule', () => {
    fc.assert(
      fc.property(
        fc
          .array(barShape, { minLength: 4, maxLength: 50 })
          .chain((shapes) => fc.record({ shapes: fc.constant(shapes), options: tripleBarrierOptions(shapes.length) })),
        ({ shapes, options }) => {
          const bars = buildBars(shapes);
          const resolved = { ...options, tieBreak: 'stopLoss' as const };
          checkBarrierOrder(bars, resolved, tripleBarrierLabels(bars, resolved));
        },
      ),
      { numRuns: 300 },
    );
  });
});
