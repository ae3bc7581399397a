import { readFileSync } from 'node:fs';
import { expectArraysClose } from '@candlelab/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MembershipSpec, MembershipSpecSchema } from './fuzzyConfig.js';
import { gaussian, gaussianAt } from './gaussian.js';
import { generalizedBell, generalizedBellAt } from './generalizedBell.js';
import { membership, membershipAt } from './membership.js';
import { sigmoid, sigmoidAt } from './sigmoid.js';
import { trapezoidal, trapezoidalAt } from './trapezoidal.js';
import { triangular, triangularAt } from './triangular.js';

describe('membership functions, hand-computed values', () => {
  it('triangular [0, 30, 50]', () => {
    const x = Float64Array.of(-5, 0, 15, 30, 40, 50, 60, Number.NaN);
    expect(Array.from(triangular(x, 0, 30, 50))).toEqual([0, 0, 0.5, 1, 0.5, 0, 0, Number.NaN]);
  });

  it('triangular with a vertical left edge (a = b) is 1 at b and 0 left of it', () => {
    expect(triangularAt(0, 0, 0, 30)).toBe(1);
    expect(triangularAt(-1e-9, 0, 0, 30)).toBe(0);
    expect(triangularAt(10, 0, 0, 30)).toBeCloseTo(2 / 3, 15);
  });

  it('trapezoidal [20, 40, 60, 80]', () => {
    const x = Float64Array.of(10, 20, 30, 40, 50, 60, 75, 80, 90);
    expect(Array.from(trapezoidal(x, 20, 40, 60, 80))).toEqual([0, 0, 0.5, 1, 1, 1, 0.25, 0, 0]);
    expect(trapezoidalAt(Number.NaN, 20, 40, 60, 80)).toBeNaN();
  });

  it('gaussian: 1 at the mean, exp(-1/2) one sigma away', () => {
    expect(gaussianAt(50, 50, 10)).toBe(1);
    expect(gaussianAt(60, 50, 10)).toBeCloseTo(Math.exp(-0.5), 15);
    expect(gaussianAt(30, 50, 10)).toBeCloseTo(Math.exp(-2), 15);
    expect(gaussian(Float64Array.of(Number.NaN), 0, 1)[0]).toBeNaN();
  });

  it('generalized bell: 1 at the centre, 1/2 at centre ± a', () => {
    expect(generalizedBellAt(50, 20, 2, 50)).toBe(1);
    expect(generalizedBellAt(70, 20, 2, 50)).toBe(0.5);
    expect(generalizedBellAt(30, 20, 2, 50)).toBe(0.5);
    // |(90 - 50) / 20|^4 = 16 → 1/17
    expect(generalizedBellAt(90, 20, 2, 50)).toBeCloseTo(1 / 17, 15);
    expect(generalizedBell(Float64Array.of(Number.NaN), 1, 1, 0)[0]).toBeNaN();
  });

  it('sigmoid shoulders: 1/2 at the centre, rising for slope > 0, falling for slope < 0', () => {
    expect(sigmoidAt(70, 70, 0.3)).toBe(0.5);
    expect(sigmoidAt(80, 70, 0.3)).toBeCloseTo(1 / (1 + Math.exp(-3)), 15);
    expect(sigmoidAt(20, 30, -0.3)).toBeCloseTo(1 / (1 + Math.exp(-3)), 15);
    expect(sigmoidAt(1e6, 0, -1)).toBe(0);
    expect(sigmoid(Float64Array.of(Number.NaN), 0, 1)[0]).toBeNaN();
  });

  it('writes into a given output buffer and returns it', () => {
    const out = new Float64Array(3);
    const result = triangular(Float64Array.of(0, 5, 10), 0, 5, 10, out);
    expect(result).toBe(out);
    expect(Array.from(out)).toEqual([0, 1, 0]);
    expect(() => gaussian(Float64Array.of(1, 2), 0, 1, new Float64Array(1))).toThrow(RangeError);
  });
});

interface ReferenceFile {
  x: (number | null)[];
  cases: { type: MembershipSpec['type']; parameters: number[]; y: (number | null)[] }[];
}

// Reference: reference/membership.py, scikit-fuzzy's trimf/trapmf/gaussmf/gbellmf/sigmf formulas
// re-implemented with numpy; output committed as reference/membership.generated.json.
const reference = JSON.parse(
  readFileSync(new URL('../reference/membership.generated.json', import.meta.url), 'utf8'),
) as ReferenceFile;
const toColumn = (values: (number | null)[]) => Float64Array.from(values, (v) => (v === null ? Number.NaN : v));

describe('membership functions vs. the scikit-fuzzy formulas (numpy)', () => {
  const x = toColumn(reference.x);
  it.each(reference.cases.map((c) => [`${c.type} [${c.parameters.join(', ')}]`, c] as const))('%s', (_name, c) => {
    const spec = MembershipSpecSchema.parse({ type: c.type, parameters: c.parameters });
    const expected = toColumn(c.y);
    expectArraysClose(membership(spec, x), expected, { rel: 1e-12, abs: 1e-15 }, 'batch');
    expectArraysClose(
      Float64Array.from(x, (v) => membershipAt(spec, v)),
      expected,
      { rel: 1e-12, abs: 1e-15 },
      'scalar',
    );
  });
});

const specArbitrary: fc.Arbitrary<MembershipSpec> = fc.oneof(
  fc
    .tuple(
      fc.double({ min: -100, max: 100, noNaN: true }),
      fc.double({ min: 0, max: 50 }),
      fc.double({ min: 0, max: 50 }),
    )
    .filter(([, l, r]) => l + r > 0)
    .map(([a, l, r]): MembershipSpec => ({ type: 'triangular', parameters: [a, a + l, a + l + r] })),
  fc
    .tuple(
      fc.double({ min: -100, max: 100, noNaN: true }),
      fc.double({ min: 0, max: 50 }),
      fc.double({ min: 0, max: 50 }),
    )
    .filter(([, l, r]) => l + r > 0)
    .map(([a, l, r]): MembershipSpec => ({ type: 'trapezoidal', parameters: [a, a + l, a + l + r, a + 2 * l + r] })),
  fc
    .tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 50, noNaN: true }))
    .map(([mean, sigma]): MembershipSpec => ({ type: 'gaussian', parameters: [mean, sigma] })),
  fc
    .tuple(
      fc.double({ min: 0.01, max: 50, noNaN: true }),
      fc.double({ min: 0.1, max: 5, noNaN: true }),
      fc.double({ min: -100, max: 100, noNaN: true }),
    )
    .map(([a, b, c]): MembershipSpec => ({ type: 'generalizedBell', parameters: [a, b, c] })),
  fc
    .tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 5, noNaN: true }), fc.boolean())
    .map(([center, slope, left]): MembershipSpec => ({ type: 'sigmoid', parameters: [center, left ? -slope : slope] })),
);

describe('membership properties', () => {
  it('memberships lie in [0, 1], NaN maps to NaN, and batch equals scalar', () => {
    fc.assert(
      fc.property(
        specArbitrary,
        fc.array(fc.oneof(fc.double({ min: -300, max: 300 }), fc.constant(Number.NaN))),
        (spec, xs) => {
          const x = Float64Array.from(xs);
          const batch = membership(spec, x);
          for (let i = 0; i < x.length; i++) {
            const scalar = membershipAt(spec, x[i]!);
            expect(Object.is(batch[i], scalar)).toBe(true);
            if (Number.isNaN(x[i]!)) expect(scalar).toBeNaN();
            else expect(scalar >= 0 && scalar <= 1).toBe(true);
          }
        },
      ),
    );
  });
});
