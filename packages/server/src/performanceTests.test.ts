import { expectClose } from '@candlelab/test-utils';
import { describe, expect, it } from 'vitest';
import {
  binomialCdf,
  logGamma,
  meanBelow,
  regularizedBeta,
  studentTCdf,
  wilsonInterval,
  winRateBelow,
} from './performanceTests.js';

// Reference values: scipy 1.10.1 (Debian /usr/bin/python3): scipy.special.gammaln / betainc,
// scipy.stats.t.cdf, scipy.stats.binomtest(..., alternative='less').pvalue and
// .proportion_ci(method='wilson'), scipy.stats.ttest_ind(..., equal_var=False, alternative='less').
describe('performance tests against scipy', () => {
  it('logGamma, regularizedBeta and the Student t CDF', () => {
    expectClose(logGamma(0.3), 1.0957979948180756, { rel: 1e-12 });
    expectClose(logGamma(100.5), 361.43554046777757, { rel: 1e-12 });
    expectClose(regularizedBeta(0.3, 2.5, 3.5), 0.2967529892956661, { rel: 1e-10 });
    expectClose(regularizedBeta(0.6, 50, 40), 0.8011534179744884, { rel: 1e-10 });
    expectClose(studentTCdf(-2.1, 7.3), 0.03612335671242664, { rel: 1e-10 });
    expectClose(studentTCdf(1.3, 30), 0.8982495207309416, { rel: 1e-10 });
    expectClose(studentTCdf(-0.4, 2), 0.36391723651204566, { rel: 1e-10 });
  });

  it('one-sided exact binomial test of the win rate and the Wilson interval', () => {
    expectClose(winRateBelow(18, 50, 0.55, 0.01).pValue, 0.0052967518821252155, { rel: 1e-9 });
    expect(winRateBelow(18, 50, 0.55, 0.01).significant).toBe(true);
    expectClose(winRateBelow(30, 50, 0.55, 0.01).pValue, 0.8026320618535089, { rel: 1e-9 });
    expect(winRateBelow(30, 50, 0.55, 0.01).significant).toBe(false);
    expectClose(binomialCdf(3, 200, 0.05), 0.009048376396101461, { rel: 1e-9 });
    expect(binomialCdf(50, 50, 0.3)).toBe(1);
    expect(winRateBelow(0, 0, 0.5, 0.05)).toMatchObject({ significant: false, pValue: 1 });
    const ci = wilsonInterval(18, 50, 0.01);
    expectClose(ci.lower, 0.22304346247888082, { rel: 1e-9 });
    expectClose(ci.upper, 0.5243032011978257, { rel: 1e-9 });
  });

  it("Welch's t-test that live per-trade returns are below the backtest's", () => {
    const live = [0.012, -0.008, 0.004, -0.015, 0.002, -0.011, 0.007, -0.004, -0.009, 0.001, -0.006, 0.003];
    const reference = [
      0.01, 0.004, -0.003, 0.008, 0.012, -0.005, 0.006, 0.009, -0.002, 0.011, 0.003, 0.007, -0.001, 0.005,
    ];
    const test = meanBelow(live, reference, 0.05);
    expectClose(test.statistic, -2.385261684775421, { rel: 1e-10 });
    expectClose(test.pValue, 0.013844369029559803, { rel: 1e-9 });
    expect(test.significant).toBe(true);
    expect(meanBelow(live, reference, 0.01).significant).toBe(false);
    // Reversed: live better than the backtest is never significant.
    expect(meanBelow(reference, live, 0.05).pValue).toBeGreaterThan(0.9);
    expect(meanBelow([0.01], reference, 0.05)).toMatchObject({ pValue: 1, significant: false });
  });
});
