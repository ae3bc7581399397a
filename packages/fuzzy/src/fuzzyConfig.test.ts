import { ConfigError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { fuzzyConfigJsonSchema, parseFuzzyConfig, safeParseFuzzyConfig } from './fuzzyConfig.js';

describe('fuzzy config parsing', () => {
  it('applies defaults and keeps set order', () => {
    const config = parseFuzzyConfig({
      rsi_14: {
        sets: {
          overbought: { type: 'sigmoid', parameters: [70, 0.3] },
          oversold: { type: 'sigmoid', parameters: [30, -0.3] },
        },
      },
    });
    expect(config.rsi_14!.minCoverage).toBe(0);
    expect(Object.keys(config.rsi_14!.sets)).toEqual(['overbought', 'oversold']);
  });

  it('safeParseFuzzyConfig returns the ConfigError instead of throwing, with the given source name', () => {
    const result = safeParseFuzzyConfig({ x: { sets: { s: { type: 'gaussian' } } } }, 'strategy.yaml fuzzy');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ConfigError);
    expect(result.error.message).toMatch(/^strategy\.yaml fuzzy: x\.sets\.s\.parameters/);
  });

  it('exports a JSON Schema naming every membership function', () => {
    const text = JSON.stringify(fuzzyConfigJsonSchema());
    for (const type of ['triangular', 'trapezoidal', 'gaussian', 'generalizedBell', 'sigmoid'])
      expect(text).toContain(type);
  });
});
