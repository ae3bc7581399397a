import { Rng } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { DriftMonitor, type DriftOptions } from './DriftMonitor.js';

const options: DriftOptions = {
  windowBars: 100,
  bins: 10,
  psiThreshold: 0.25,
  ksPValue: 0.01,
  calibrationMargin: 1,
  maxDriftedFraction: 0.5,
  remediate: true,
};

/** An AR(1) series (autocorrelated like rolling features): x_t = φ x_{t−1} + σ ε_t. */
function ar1(rng: Rng, n: number, phi: number, sigma = 1, mean = 0): Float64Array {
  const out = new Float64Array(n);
  let x = 0;
  for (let i = 0; i < n; i++) {
    x = phi * x + sigma * rng.normal();
    out[i] = mean + x;
  }
  return out;
}

describe('DriftMonitor', () => {
  it('judges nothing until the window is full, then flags a shifted column but not a stable one', () => {
    const rng = new Rng(3);
    const reference = [ar1(rng, 3000, 0.95), ar1(rng, 3000, 0.2)];
    const monitor = new DriftMonitor(['slow', 'fast'], reference, options);
    const liveSlow = ar1(rng, 100, 0.95);
    const liveFast = ar1(rng, 100, 0.2, 1, 2.5); // the fast column's mean moved by 2.5 σ
    for (let i = 0; i < 99; i++) monitor.push([liveSlow[i]!, liveFast[i]!]);
    expect(monitor.check()).toBeUndefined();
    monitor.push([liveSlow[99]!, liveFast[99]!]);
    const report = monitor.check()!;
    expect(report.rows).toBe(100);
    expect(report.columns.map((c) => [c.name, c.drifted])).toEqual([
      ['slow', false],
      ['fast', true],
    ]);
    expect(report.driftedFraction).toBe(0.5);
    expect(report.drifting).toBe(true);
  });

  it('calibrates each column on its own training windows: an autocorrelated column gets a higher limit', () => {
    const rng = new Rng(5);
    const monitor = new DriftMonitor(['slow', 'fast'], [ar1(rng, 3000, 0.98), ar1(rng, 3000, 0)], options);
    for (let i = 0; i < 100; i++) monitor.push([0, 0]);
    const [slow, fast] = monitor.check()!.columns;
    expect(slow!.psiLimit).toBeGreaterThan(2 * fast!.psiLimit);
    expect(slow!.ksLimit).toBeGreaterThan(2 * fast!.ksLimit);
    expect(fast!.psiLimit).toBeGreaterThanOrEqual(options.psiThreshold); // the floor
  });

  it('keeps only the last windowBars rows', () => {
    const rng = new Rng(9);
    const monitor = new DriftMonitor(['x'], [ar1(rng, 2000, 0)], options);
    for (let i = 0; i < 100; i++) monitor.push([10]); // a far-away burst …
    expect(monitor.check()!.drifting).toBe(true);
    const calm = ar1(rng, 100, 0);
    for (let i = 0; i < 100; i++) monitor.push([calm[i]!]); // … pushed out by normal rows
    expect(monitor.check()!.drifting).toBe(false);
  });

  it('refuses a reference without one column per feature', () => {
    expect(() => new DriftMonitor(['a', 'b'], [new Float64Array(10)], options)).toThrow(/one column per feature/);
  });
});
