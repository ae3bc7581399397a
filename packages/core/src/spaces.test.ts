import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from './errors.js';
import { Rng } from './rng.js';
import { Box, Discrete } from './spaces.js';

describe('spaces', () => {
  it('Discrete samples inside itself and contains only its integers', () => {
    const space = new Discrete(3, -1);
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const x = space.sample(rng);
      expect(space.contains(x)).toBe(true);
      seen.add(x);
    }
    expect([...seen].sort()).toEqual([-1, 0, 1]);
    expect(space.contains(2)).toBe(false);
    expect(space.contains(0.5)).toBe(false);
    expect(space.contains('0')).toBe(false);
    expect(() => new Discrete(0)).toThrow(InvalidParameterError);
  });

  it('Box samples inside bounded, half-bounded and unbounded dimensions', () => {
    const box = new Box(
      [-1, 0, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
      [1, Number.POSITIVE_INFINITY, 5, Number.POSITIVE_INFINITY],
    );
    const rng = new Rng(2);
    for (let i = 0; i < 500; i++) expect(box.contains(box.sample(rng))).toBe(true);
    expect(box.contains([0, 0, 0])).toBe(false);
    expect(box.contains([2, 0, 0, 0])).toBe(false);
    expect(box.contains([0, 0, Number.NaN, 0])).toBe(false);
  });

  it('Box broadcasts scalar bounds over a shape and refuses low > high', () => {
    const box = new Box(-2, 2, [2, 3]);
    expect(box.size).toBe(6);
    expect(box.contains(new Float64Array(6))).toBe(true);
    expect(() => new Box([0, 1], [1, 0])).toThrow(/low must be <= high/);
  });

  it('sampling is reproducible for a seed', () => {
    const box = new Box(0, 1, [4]);
    expect(box.sample(new Rng(9))).toEqual(box.sample(new Rng(9)));
  });
});
