import { describe, expect, it } from 'vitest';
import { didYouMean, suggestNames } from './suggestNames.js';

describe('suggestNames', () => {
  const metrics = ['sharpe', 'sortino', 'maxDrawdown', 'winRate', 'trades', 'totalReturn'];

  it('finds misspellings, transpositions and case slips, nearest first', () => {
    expect(suggestNames('sharp', metrics)).toEqual(['sharpe']);
    expect(suggestNames('shrape', metrics)).toEqual(['sharpe']);
    expect(suggestNames('MaxDrawDown', metrics)).toEqual(['maxDrawdown']);
    expect(suggestNames('rsi14', ['rsi', 'roc', 'adx'])).toEqual(['rsi']);
  });

  it('suggests nothing for unrelated names and words the message', () => {
    expect(suggestNames('volume', metrics)).toEqual([]);
    expect(didYouMean('volume', metrics)).toBe('');
    expect(didYouMean('winrate', metrics)).toBe("did you mean 'winRate'?");
    expect(didYouMean('ema', ['sma', 'wma', 'dema'])).toBe("did you mean 'sma', 'wma' or 'dema'?");
  });
});
