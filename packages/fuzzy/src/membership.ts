import { outputBuffer } from '@candlelab/core';
import type { MembershipSpec } from './fuzzyConfig.js';
import { gaussian, gaussianAt } from './gaussian.js';
import { generalizedBell, generalizedBellAt } from './generalizedBell.js';
import { sigmoid, sigmoidAt } from './sigmoid.js';
import { trapezoidal, trapezoidalAt } from './trapezoidal.js';
import { triangular, triangularAt } from './triangular.js';

/** Membership of one value in the set described by `spec`. NaN in → NaN out. */
export function membershipAt(spec: MembershipSpec, x: number): number {
  switch (spec.type) {
    case 'triangular': {
      const [a, b, c] = spec.parameters;
      return triangularAt(x, a, b, c);
    }
    case 'trapezoidal': {
      const [a, b, c, d] = spec.parameters;
      return trapezoidalAt(x, a, b, c, d);
    }
    case 'gaussian': {
      const [mean, sigma] = spec.parameters;
      return gaussianAt(x, mean, sigma);
    }
    case 'generalizedBell': {
      const [a, b, c] = spec.parameters;
      return generalizedBellAt(x, a, b, c);
    }
    case 'sigmoid': {
      const [center, slope] = spec.parameters;
      return sigmoidAt(x, center, slope);
    }
  }
}

/** Memberships of a whole column in the set described by `spec`, into `out` when given. */
export function membership(spec: MembershipSpec, values: Float64Array, out?: Float64Array): Float64Array {
  const result = outputBuffer(values.length, out);
  switch (spec.type) {
    case 'triangular': {
      const [a, b, c] = spec.parameters;
      return triangular(values, a, b, c, result);
    }
    case 'trapezoidal': {
      const [a, b, c, d] = spec.parameters;
      return trapezoidal(values, a, b, c, d, result);
    }
    case 'gaussian': {
      const [mean, sigma] = spec.parameters;
      return gaussian(values, mean, sigma, result);
    }
    case 'generalizedBell': {
      const [a, b, c] = spec.parameters;
      return generalizedBell(values, a, b, c, result);
    }
    case 'sigmoid': {
      const [center, slope] = spec.parameters;
      return sigmoid(values, center, slope, result);
    }
  }
}
