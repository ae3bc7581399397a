import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonicalJson.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order, turns typed arrays into arrays and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, t: Float64Array.of(0.5, 2) })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"t":[0.5,2]}',
    );
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});
