import { ConfigError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { featureColumns, featureSetWarmup } from './computeFeatures.js';
import { featureSetJsonSchema, parseFeatureSet, parseFeatureSetYaml } from './featureSetSchema.js';
import { standardFeatureSet } from './standardFeatureSet.js';

const yaml = `
name: small
features:
  - { kind: indicator, id: rsi, params: { period: 14 } }
  - kind: fuzzy
    input: rsi_14
    range: [0, 100]
    sets:
      low: { type: trapezoidal, parameters: [0, 0, 30, 50] }
      high: { type: trapezoidal, parameters: [50, 70, 100, 100] }
  - { kind: returns, period: 1 }
  - { kind: rolling, of: ret_1, stat: std, window: 20 }
  - { kind: lag, of: rsi_14.low, lag: 2 }
  - { kind: priceRelative, id: sma, params: { period: 50 } }
  - { kind: bandPosition, id: bbands, params: { period: 20 } }
  - { kind: volumeRatio, period: 20 }
  - { kind: autocorr, of: ret_1, lag: 1, window: 30 }
  - { kind: pattern, pattern: engulfing }
  - { kind: supportResistance, side: support }
  - { kind: time, encoding: hourSin }
  - kind: higherTimeframe
    timeframe: 4h
    features:
      - { kind: indicator, id: rsi, params: { period: 14 } }
`;

describe('feature set schema', () => {
  it('parses YAML and names every column with its warm-up', () => {
    const set = parseFeatureSetYaml(yaml);
    expect(featureColumns(set, '1h')).toEqual([
      { name: 'rsi_14', warmup: 14 },
      { name: 'rsi_14.low', warmup: 14 },
      { name: 'rsi_14.high', warmup: 14 },
      { name: 'ret_1', warmup: 1 },
      { name: 'ret_1_std20', warmup: 20 },
      { name: 'rsi_14.low_lag2', warmup: 16 },
      { name: 'close_vs_sma_50', warmup: 49 },
      { name: 'bbands_20_position', warmup: 19 },
      { name: 'volume_ratio_20', warmup: 19 },
      { name: 'ret_1_acf1_30', warmup: 31 },
      { name: 'engulfing', warmup: 1 },
      { name: 'dist_support', warmup: 99 },
      { name: 'hourSin', warmup: 0 },
      { name: '4h_rsi_14', warmup: (14 + 2) * 4 - 2 },
    ]);
    expect(featureSetWarmup(set, '1h')).toEqual({ name: 'dist_support', warmup: 99 });
  });

  it('names the path of a bad indicator parameter or output', () => {
    const bad = { features: [{ kind: 'indicator', id: 'rsi', params: { period: -3 } }] };
    expect(() => parseFeatureSet(bad)).toThrow(ConfigError);
    expect(() => parseFeatureSet(bad)).toThrow(/features\.0\.params\.period/);
    expect(() => parseFeatureSet({ features: [{ kind: 'indicator', id: 'macd', output: 'nope' }] })).toThrow(
      /features\.0\.output/,
    );
    expect(() => parseFeatureSet({ features: [{ kind: 'wavelet' }] })).toThrow(ConfigError);
    expect(() => parseFeatureSetYaml('features: [ {kind: returns')).toThrow(ConfigError);
  });

  it('refuses references to later or unknown columns and duplicate names', () => {
    const forward = parseFeatureSet({
      features: [
        { kind: 'lag', of: 'ret_1', lag: 1 },
        { kind: 'returns', period: 1 },
      ],
    });
    expect(() => featureColumns(forward, '1h')).toThrow(/features\.0\.of/);
    const duplicate = parseFeatureSet({
      features: [
        { kind: 'returns', period: 1 },
        { kind: 'returns', period: 1 },
      ],
    });
    expect(() => featureColumns(duplicate, '1h')).toThrow(/duplicate column name 'ret_1'/);
  });

  it('refuses a higher timeframe that is not a larger multiple of the bars', () => {
    expect(() => featureColumns(standardFeatureSet(), '1d')).toThrow(/timeframe/);
    expect(featureColumns(standardFeatureSet({ higherTimeframes: [] }), '1d').length).toBeGreaterThanOrEqual(100);
  });

  it('exports a JSON Schema for editors', () => {
    const schema = featureSetJsonSchema();
    expect(JSON.stringify(schema)).toContain('higherTimeframe');
  });
});
