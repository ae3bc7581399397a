import { checkBars, InvalidParameterError, timeframeToMs } from '@candlelab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSyntheticBars } from './generateSyntheticBars.js';

function logReturns(close: Float64Array): Float64Array {
  const r = new Float64Array(close.length - 1);
  for (let i = 1; i < close.length; i++) r[i - 1] = Math.log(close[i]! / close[i - 1]!);
  return r;
}

function autocorrelation(x: Float64Array, lag: number): number {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    den += (x[i]! - mean) ** 2;
    if (i >= lag) num += (x[i]! - mean) * (x[i - lag]! - mean);
  }
  return num / den;
}

describe('generateSyntheticBars', () => {
  it('is bit-identical for the same seed and differs for another', () => {
    const a = generateSyntheticBars({ count: 500, seed: 42 });
    const b = generateSyntheticBars({ count: 500, seed: 42 });
    const c = generateSyntheticBars({ count: 500, seed: 43 });
    expect(Buffer.from(a.close.buffer).equals(Buffer.from(b.close.buffer))).toBe(true);
    expect(Buffer.from(a.volume.buffer).equals(Buffer.from(b.volume.buffer))).toBe(true);
    expect(a.close[499]).not.toBe(c.close[499]);
  });

  it('produces valid, aligned, contiguous OHLC for any timeframe and parameters (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom('1m', '5m', '1h', '4h', '1d', '1w' as const),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (seed, timeframe, sigma, jumpsPerYear) => {
          const bars = generateSyntheticBars({
            count: 300,
            seed,
            timeframe,
            regimes: [{ mu: 0.1, sigma }],
            jumpsPerYear,
          });
          expect(checkBars(bars, { requireAligned: true }).issues).toEqual([]);
          for (let i = 1; i < 300; i++) {
            expect(bars.open[i]).toBe(bars.close[i - 1]);
            expect(bars.time[i]! - bars.time[i - 1]!).toBe(timeframeToMs(timeframe));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('has the configured volatility level, clustering (GARCH) and fat tails (jumps)', () => {
    const bars = generateSyntheticBars({
      count: 20_000,
      seed: 7,
      timeframe: '1h',
      regimes: [{ mu: 0, sigma: 0.6 }],
      jumpsPerYear: 20,
    });
    const r = logReturns(bars.close);
    const mean = r.reduce((s, v) => s + v, 0) / r.length;
    const variance = r.reduce((s, v) => s + (v - mean) ** 2, 0) / r.length;
    const annualVol = Math.sqrt(variance * 24 * 365);
    expect(annualVol).toBeGreaterThan(0.5);
    expect(annualVol).toBeLessThan(0.9); // 0.6 diffusion plus jumps
    const kurtosis = r.reduce((s, v) => s + (v - mean) ** 4, 0) / r.length / variance ** 2;
    expect(kurtosis).toBeGreaterThan(4);
    const clustered = logReturns(
      generateSyntheticBars({ count: 20_000, seed: 7, regimes: [{ mu: 0, sigma: 0.6 }], jumpsPerYear: 0 }).close,
    );
    expect(
      autocorrelation(
        clustered.map((v) => v * v),
        1,
      ),
    ).toBeGreaterThan(0.05);
    // Without GARCH and jumps, squared returns are nearly uncorrelated.
    const plain = logReturns(
      generateSyntheticBars({
        count: 20_000,
        seed: 7,
        regimes: [{ mu: 0, sigma: 0.6 }],
        jumpsPerYear: 0,
        garchAlpha: 0,
        garchBeta: 0,
      }).close,
    );
    expect(
      Math.abs(
        autocorrelation(
          plain.map((v) => v * v),
          1,
        ),
      ),
    ).toBeLessThan(0.03);
  });

  it('switches between regimes of different volatility', () => {
    const bars = generateSyntheticBars({
      count: 24 * 365,
      seed: 3,
      meanRegimeDays: 30,
      regimes: [
        { mu: 0, sigma: 0.2 },
        { mu: 0, sigma: 1.2 },
      ],
      jumpsPerYear: 0,
    });
    const r = logReturns(bars.close);
    const monthlyVol: number[] = [];
    for (let m = 0; m + 720 <= r.length; m += 720) {
      const chunk = r.subarray(m, m + 720);
      monthlyVol.push(Math.sqrt((chunk.reduce((s, v) => s + v * v, 0) / 720) * 24 * 365));
    }
    expect(Math.min(...monthlyVol)).toBeLessThan(0.45);
    expect(Math.max(...monthlyVol)).toBeGreaterThan(0.9);
  });

  it('rejects invalid parameters by name', () => {
    expect(() => generateSyntheticBars({ count: -1 })).toThrow(InvalidParameterError);
    expect(() => generateSyntheticBars({ count: 10, garchAlpha: 0.5, garchBeta: 0.6 })).toThrow(/garchBeta/);
    expect(() => generateSyntheticBars({ count: 10, regimes: [{ mu: 0, sigma: 0 }] })).toThrow(/regimes\.0/);
  });
});
