import { didYouMean } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { indicatorIds } from './registry.js';
import { suggestIndicatorIds } from './suggestIndicatorIds.js';

describe('suggestIndicatorIds', () => {
  it('suggests the closest ids for typos, transpositions and wrong case', () => {
    expect(suggestIndicatorIds('rsii')[0]).toBe('rsi');
    expect(suggestIndicatorIds('smma')).toContain('sma'); // one insertion
    expect(suggestIndicatorIds('mcad')[0]).toBe('macd'); // transposition = 1 edit
    expect(suggestIndicatorIds('BBands')[0]).toBe('bbands');
    expect(suggestIndicatorIds('stochrsi')[0]).toBe('stochRsi');
    expect(suggestIndicatorIds('supertrnd')[0]).toBe('supertrend');
  });

  it('returns at most max ids, nearest first, only registry ids, nothing for unrelated names', () => {
    const three = suggestIndicatorIds('ema');
    expect(three[0]).toBe('ema');
    expect(three.length).toBeLessThanOrEqual(3);
    expect(suggestIndicatorIds('ema', 5).length).toBeGreaterThan(3); // sma, wma, dema, tema, …
    for (const id of suggestIndicatorIds('ema', 10)) expect(indicatorIds).toContain(id);
    expect(suggestIndicatorIds('ema', 1)).toEqual(['ema']);
    expect(suggestIndicatorIds('quantumFluxCapacitor')).toEqual([]);
  });

  it('feeds a did-you-mean message', () => {
    expect(didYouMean('rsx', suggestIndicatorIds('rsx'))).toMatch(/did you mean 'rsi'/);
  });
});
