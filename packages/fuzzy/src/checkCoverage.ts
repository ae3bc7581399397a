import { InvalidParameterError } from '@candlelab/core';
import type { FuzzyInput } from './fuzzyConfig.js';
import { membershipAt } from './membership.js';

/** A problem in a fuzzy config that does not stop evaluation but probably is a mistake. */
export interface FuzzyWarning {
  kind: 'coverageGap';
  /** Input series name, e.g. `rsi_14`. */
  input: string;
  /** Gap start and end (inclusive; equal for a single point, e.g. where two triangles only touch at 0). */
  from: number;
  to: number;
  /** Smallest total membership found inside the gap. */
  minTotal: number;
  message: string;
}

export interface CoverageOptions {
  /** Evenly spaced probe points over the range, in addition to every set breakpoint inside it (default 1001). */
  samples?: number;
}

/** Breakpoints where a piecewise-linear set changes slope (its total is linear between them). */
function breakpoints(input: FuzzyInput): number[] {
  const points: number[] = [];
  for (const spec of Object.values(input.sets)) {
    if (spec.type === 'triangular' || spec.type === 'trapezoidal') points.push(...spec.parameters);
  }
  return points;
}

/**
 * Checks that the sets of `input` cover its declared `range`: reports every maximal interval where
 * the sum of memberships is below `minCoverage` (or exactly 0 when `minCoverage` is 0). The probe
 * points are every set breakpoint inside the range plus `samples` evenly spaced points; for
 * triangular/trapezoidal sets the total is linear between breakpoints, so the check is exact,
 * for smooth sets it is as fine as the grid. Returns no warnings when no range is declared.
 */
export function checkCoverage(name: string, input: FuzzyInput, options: CoverageOptions = {}): FuzzyWarning[] {
  const samples = options.samples ?? 1001;
  if (!Number.isInteger(samples) || samples < 2) {
    throw new InvalidParameterError('samples', samples, 'must be an integer >= 2');
  }
  if (input.range === undefined) return [];
  const [min, max] = input.range;
  const probes = breakpoints(input).filter((x) => x > min && x < max);
  for (let i = 0; i < samples; i++) probes.push(min + ((max - min) * i) / (samples - 1));
  probes.sort((a, b) => a - b);
  const sets = Object.values(input.sets);
  const threshold = input.minCoverage;
  const warnings: FuzzyWarning[] = [];
  let gapFrom = Number.NaN;
  let gapTo = Number.NaN;
  let gapMin = Number.POSITIVE_INFINITY;
  const close = () => {
    if (Number.isNaN(gapFrom)) return;
    const where = gapFrom === gapTo ? `at ${gapFrom}` : `on [${gapFrom}, ${gapTo}]`;
    warnings.push({
      kind: 'coverageGap',
      input: name,
      from: gapFrom,
      to: gapTo,
      minTotal: gapMin,
      message: `${name}: total membership ${threshold === 0 ? 'is 0' : `is below ${threshold} (min ${gapMin})`} ${where}`,
    });
    gapFrom = Number.NaN;
    gapMin = Number.POSITIVE_INFINITY;
  };
  for (const x of probes) {
    let total = 0;
    for (const spec of sets) total += membershipAt(spec, x);
    const isGap = total <= 0 || total < threshold;
    if (isGap) {
      if (Number.isNaN(gapFrom)) gapFrom = x;
      gapTo = x;
      gapMin = Math.min(gapMin, total);
    } else {
      close();
    }
  }
  close();
  return warnings;
}
