import { readFileSync } from 'node:fs';
import { ConfigError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { loadStrategy, parseStrategy, strategyJsonSchema } from './strategyConfig.js';

const mainStrategy = new URL('../../../strategies/btc-trend-gbdt.yaml', import.meta.url).pathname;
const text = readFileSync(mainStrategy, 'utf8');

function configError(yaml: string): ConfigError {
  try {
    parseStrategy(yaml, 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('strategy config', () => {
  it('parses the main strategy with defaults filled in', () => {
    const { config, baseDir } = loadStrategy(mainStrategy);
    expect(config.name).toBe('btc-trend-gbdt');
    expect(config.data.start).toBe(Date.UTC(2020, 9, 1));
    expect(config.data.store).toEqual({ kind: 'duckdb', path: '../.candlelab/candles.duckdb' });
    expect(config.model.kind === 'gbdt' && config.model.params.maxBins).toBe(255);
    expect(config.importance).toEqual({ repeats: 3, maxRows: 5000, enabled: true });
    expect(config.gates.map((g) => `${g.metric} ${g.op} ${g.threshold}`)).toEqual([
      'sharpe > 1',
      'trades >= 30',
      'maxDrawdown < 0.25',
    ]);
    expect(baseDir).toMatch(/strategies$/);
  });

  it('names the YAML path and line of an unknown key', () => {
    const error = configError(text.replace('    numLeaves: 31', '    numLeaves: 31\n    numLeafs: 12'));
    expect(error.issues[0]!.field).toMatch(/^model\.params\.numLeafs \(line \d+\)$/);
    expect(error.issues[0]!.reason).toMatch(/Unrecognized key/);
  });

  it('names the path of a wrong type, a bad date and an inverted range', () => {
    expect(configError(text.replace('learningRate: 0.05', 'learningRate: fast')).issues[0]!.field).toMatch(
      /^model\.params\.learningRate \(line/,
    );
    expect(configError(text.replace('start: 2020-10-01', 'start: yesterday')).issues[0]).toMatchObject({
      reason: expect.stringMatching(/not a date/),
    });
    expect(configError(text.replace('start: 2020-10-01', 'start: 2023-01-01')).issues[0]).toMatchObject({
      field: expect.stringMatching(/^data\.end/),
      reason: 'start must be before end',
    });
    expect(configError(text.replace('timeframe: 1h', 'timeframe: hourly')).issues[0]!.field).toMatch(
      /^data\.timeframe/,
    );
    expect(configError(text.replace('kind: gbdt', 'kind: randomForest')).issues[0]!.field).toMatch(/^model\.kind/);
    expect(configError(text.replace('  - sharpe > 1.0', '  - sharpe >> 1.0')).issues[0]!.field).toMatch(/^gates\.0/);
  });

  it('reports YAML syntax errors with their line', () => {
    const error = configError('name: x\ndata: [unclosed\n');
    expect(error.issues[0]!.field).toMatch(/^line \d+$/);
  });

  it('the committed JSON Schema is current (run `pnpm --filter @candlelab/pipeline schema` after changing the schema)', () => {
    const committed = JSON.parse(readFileSync(new URL('../strategy.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(strategyJsonSchema())));
    expect(Object.keys((committed as { properties: object }).properties)).toContain('model');
  });
});
