import { readFileSync } from 'node:fs';
import { ConfigError } from '@candlelab/core';
import { describe, expect, it } from 'vitest';
import { strategyIssues } from './checkStrategy.js';
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

  it('refuses what is known to be wrong before training, naming the field and offering the fix', () => {
    const reason = (yaml: string) =>
      configError(yaml)
        .issues.map((i) => `${i.field}: ${i.reason}`)
        .join('\n');
    expect(reason(text.replace('  - sharpe > 1.0', '  - sharp > 1.0'))).toMatch(
      /gates\.0 .*unknown metric 'sharp': did you mean 'sharpe'\?/,
    );
    expect(reason(text.replace('preset: standard', 'features: [{ kind: indicator, id: rsii }]'))).toMatch(
      /features\.features\.0\.id .*unknown value 'rsii': did you mean 'rsi'/,
    );
    expect(reason(text.replace('symbols: [BTC/USDT]', 'symbols: [BTCUSDT]'))).toMatch(/data\.symbols\.0 .*BASE\/QUOTE/);
    expect(reason(text.replace('symbols: [BTC/USDT]', 'symbols: [BTC/USDT, BTC/USDT]'))).toMatch(/listed twice/);
    expect(reason(text.replace('start: 2020-10-01', 'start: 2020-02-30'))).toMatch(/not a date: "2020-02-30"/);
    expect(reason(text.replace('start: 2020-10-01', 'start: 20201001'))).toMatch(
      /looks like YYYYMMDD: write 2020-10-01/,
    );
    expect(reason(text.replace('end: 2022-10-11', 'end: 9999-01-01'))).toMatch(/outside 1990–2099/);
    expect(reason(text.replace('validationSize: 1000', 'validationSize: 6000'))).toMatch(
      /validationSize must be smaller/,
    );
    expect(reason(text.replace('root: ../models', "root: ''"))).toMatch(/registry\.root/);
    expect(reason(text.replace('    learningRate: 0.05', '    learningRate: 0.05\n    seed: 3'))).toMatch(
      /model\.params\.seed .*Unrecognized key/,
    );
    expect(reason(text.replace('  timeframe: 1h', '  timeframe: 1h\n  resample: 90m'))).toMatch(
      /data\.resample .*whole multiple/,
    );
  });

  it('refuses a YAML alias bomb with a ConfigError, not a raw error', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(configError(bomb).issues[0]!.reason).toMatch(/cannot expand the YAML/);
  });

  it('checks before training: source files, timeframes the feature set needs, enough bars for one fold', () => {
    const loaded = loadStrategy(mainStrategy);
    expect(strategyIssues(loaded)).toEqual([]);
    const withConfig = (yaml: string) => ({ ...loaded, config: parseStrategy(yaml) });
    expect(strategyIssues(withConfig(text.replace('symbols: [BTC/USDT]', 'symbols: [BTC/USDT, NEAR/USDT]')))).toEqual([
      {
        field: 'data.source.path',
        reason: expect.stringMatching(/no file for NEAR\/USDT 1h: .*NEAR_USDT-1h\.json\.gz$/),
      },
    ]);
    const daily = strategyIssues(withConfig(text.replace('timeframe: 1h', 'timeframe: 1d')));
    expect(daily[0]).toMatchObject({
      field: 'features.higherTimeframes',
      reason: expect.stringMatching(/joins 4h and 1d/),
    });
    const minutes = strategyIssues(
      withConfig(
        text
          .replace('timeframe: 1h', 'timeframe: 1h')
          .replace('preset: standard', 'preset: standard\n  higherTimeframes: [90m]'),
      ),
    );
    expect(minutes[0]!.reason).toMatch(/data\.resample: 4h/);
    expect(strategyIssues(withConfig(text.replace('start: 2020-10-01', 'start: 2022-04-01'))).at(-1)).toMatchObject({
      field: 'data.start',
      reason: expect.stringMatching(/need \d+/),
    });
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
