import { ConfigError } from '@candlelab/core';
import { indicatorIds } from '@candlelab/indicators';
import { describe, expect, it } from 'vitest';
import { featureColumns } from './computeFeatures.js';
import { baseTimeframeIssue, featureSetNeeds } from './featureSetNeeds.js';
import { PATTERN_IDS } from './featureSetSchema.js';
import { standardFeatureSet } from './standardFeatureSet.js';

describe('featureSetNeeds', () => {
  it('lists the standard set’s indicators, bar columns and higher timeframes', () => {
    const needs = featureSetNeeds(standardFeatureSet());
    expect(needs.higherTimeframes).toEqual(['4h', '1d']);
    expect(needs.barColumns).toEqual(['open', 'high', 'low', 'close', 'volume']);
    for (const id of ['rsi', 'natr', 'ema', 'bbands', 'mfi', 'supportResistance', ...PATTERN_IDS])
      expect(needs.indicatorIds).toContain(id);
    for (const id of needs.indicatorIds) expect(indicatorIds).toContain(id);
    expect(new Set(needs.indicatorIds).size).toBe(needs.indicatorIds.length);
    expect(needs.indicatorIds[0]).toBe('rsi'); // first use first
  });

  it('reads only what a small set uses, including higher-timeframe inner features', () => {
    const needs = featureSetNeeds({
      features: [
        { kind: 'returns', period: 1 },
        { kind: 'rolling', of: 'ret_1', stat: 'std', window: 10 },
        { kind: 'higherTimeframe', timeframe: '1d', features: [{ kind: 'indicator', id: 'atr' }] },
      ],
    });
    expect(needs).toEqual({ indicatorIds: ['atr'], barColumns: ['high', 'low', 'close'], higherTimeframes: ['1d'] });
  });

  it('throws a ConfigError for an invalid set', () => {
    const typo: unknown = { features: [{ kind: 'indicator', id: 'rsii' }] };
    expect(() => featureSetNeeds(typo as never)).toThrow(ConfigError);
  });
});

describe('baseTimeframeIssue', () => {
  const standard = featureSetNeeds(standardFeatureSet());

  it('accepts bar timeframes dividing every higher timeframe, matching featureColumns', () => {
    for (const timeframe of ['1m', '5m', '15m', '1h', '2h'] as const) {
      expect(baseTimeframeIssue(standard, timeframe)).toBeUndefined();
      expect(() => featureColumns(standardFeatureSet(), timeframe)).not.toThrow();
    }
    expect(baseTimeframeIssue(featureSetNeeds({ features: [{ kind: 'returns', period: 1 }] }), '1w')).toBeUndefined();
  });

  it('names the higher timeframes and the timeframes that would fit, as featureColumns refuses them', () => {
    for (const timeframe of ['4h', '1d', '7m'] as const) {
      const issue = baseTimeframeIssue(standard, timeframe);
      expect(issue).toBe(
        `higher timeframes 4h, 1d need bars of a timeframe that divides each of them and is shorter (one of 1m, 3m, 5m, 15m, 30m, 1h, 2h); ${timeframe} bars do not`,
      );
      expect(() => featureColumns(standardFeatureSet(), timeframe)).toThrow();
    }
  });
});
