import { type Bars, Rng, sliceBars } from '@candlelab/core';
import { btcHourly } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import { computeFeatures } from './computeFeatures.js';
import { standardFeatureSet } from './standardFeatureSet.js';

type Columns = { names: readonly string[]; columns: readonly Float64Array[] };

/**
 * For each cut t, recomputes on bars[0..t] and returns every (feature, row) whose value differs
 * from the full-data computation (bitwise; NaN equals NaN). Empty = causal at these cuts.
 */
function lookaheadViolations(bars: Bars, compute: (bars: Bars) => Columns, cuts: readonly number[]): string[] {
  const full = compute(bars);
  const violations: string[] = [];
  for (const t of cuts) {
    const truncated = compute(sliceBars(bars, 0, t + 1));
    full.names.forEach((name, k) => {
      const a = full.columns[k]!;
      const b = truncated.columns[k]!;
      for (let i = 0; i <= t; i++) {
        if (!Object.is(a[i], b[i])) {
          violations.push(`${name} at row ${i} (cut ${t}): full ${a[i]} vs truncated ${b[i]}`);
          break;
        }
      }
    });
  }
  return violations;
}

describe('causality proof of the standard feature set', () => {
  const bars = btcHourly({ last: 1500 });
  const set = standardFeatureSet();
  const compute = (b: Bars) => computeFeatures(b, set);
  // 40 cut points drawn with a fixed seed across the whole range (warm-up included).
  const rng = new Rng('features-causality');
  const cuts = Array.from({ length: 40 }, () => rng.intBetween(1, bars.time.length - 2)).sort((a, b) => a - b);

  it('covers at least 100 features', () => {
    expect(compute(sliceBars(bars, 0, 600)).names.length).toBeGreaterThanOrEqual(100);
  });

  it('every feature at rows <= t is unchanged when the data ends at t', () => {
    expect(new Set(cuts).size).toBeGreaterThan(30);
    expect(cuts.some((t) => t > 1000)).toBe(true);
    expect(lookaheadViolations(bars, compute, cuts)).toEqual([]);
  }, 60_000);

  it('the check catches a feature that peeks one bar ahead (negative control)', () => {
    const peeking = (b: Bars): Columns => {
      const n = b.close.length;
      const next = new Float64Array(n).fill(Number.NaN);
      for (let i = 0; i + 1 < n; i++) next[i] = b.close[i + 1]! / b.close[i]! - 1;
      return { names: ['next_return'], columns: [next] };
    };
    expect(lookaheadViolations(bars, peeking, cuts).length).toBe(cuts.length);
  });
});
