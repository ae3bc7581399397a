import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataSourceError, NotEnoughDataError, ValidationError } from '@candlelab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_BTC_HOURLY, loadDataFile, parseDataArgs } from './exampleData.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-example-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseDataArgs', () => {
  it('defaults to the bundled fixture and reads the three flags', () => {
    expect(parseDataArgs([])).toBe(BUNDLED_BTC_HOURLY);
    expect(parseDataArgs(['--', '--data', 'x.csv', '--symbol', 'ETH/USDT', '--timeframe', '4h'])).toEqual({
      path: 'x.csv',
      symbol: 'ETH/USDT',
      timeframe: '4h',
    });
    expect(parseDataArgs(['--data=y.json.gz', '--symbol=SOL/USDT', '--timeframe=15m']).timeframe).toBe('15m');
  });

  it('refuses incomplete, stray and unknown flags naming them', () => {
    expect(() => parseDataArgs(['--data', 'x.csv', '--timeframe', '1h'])).toThrow(/--symbol: the symbol/);
    expect(() => parseDataArgs(['--data', 'x.csv', '--symbol', 'X', '--timeframe', 'hourly'])).toThrow(
      /--timeframe: 'hourly' is not a timeframe/,
    );
    expect(() => parseDataArgs(['--symbol', 'X'])).toThrow(/--symbol: describes the --data file/);
    expect(() => parseDataArgs(['--dat', 'x.csv'])).toThrow(ConfigError);
    expect(() => parseDataArgs(['--dat', 'x.csv'])).toThrow(/--dat/);
  });
});

describe('loadDataFile', () => {
  it('reads every bar of a CSV file, or the most recent ones', async () => {
    const path = join(dir, 'candles.csv');
    const rows = ['time,open,high,low,close,volume'];
    for (let i = 0; i < 5; i++)
      rows.push(`${Date.UTC(2024, 0, 1, i)},${10 + i},${11 + i},${9 + i},${10.5 + i},${100 * i}`);
    writeFileSync(path, rows.join('\n'));
    const file = { path, symbol: 'ABC/USD', timeframe: '1h' as const };
    const bars = await loadDataFile(file);
    expect(bars.symbol).toBe('ABC/USD');
    expect(Array.from(bars.close)).toEqual([10.5, 11.5, 12.5, 13.5, 14.5]);
    const last = await loadDataFile(file, { lastBars: 2 });
    expect(Array.from(last.time)).toEqual([Date.UTC(2024, 0, 1, 3), Date.UTC(2024, 0, 1, 4)]);
    await expect(loadDataFile(file, { minBars: 6 })).rejects.toThrow(NotEnoughDataError);
  });

  it('reads the bundled gzipped JSON fixture', async () => {
    const bars = await loadDataFile(BUNDLED_BTC_HOURLY, { lastBars: 10 });
    expect(bars.time[9]).toBe(Date.UTC(2022, 9, 11, 10));
  });

  it('names the file on a missing file, a wrong timeframe or a bad row', async () => {
    const missing = join(dir, 'missing.csv');
    await expect(loadDataFile({ path: missing, symbol: 'X', timeframe: '1h' })).rejects.toThrow(DataSourceError);
    const path = join(dir, 'bad.csv');
    writeFileSync(
      path,
      `time,open,high,low,close,volume\n${Date.UTC(2024, 0, 1)},1,2,0.5,1.5,10\n${Date.UTC(2024, 0, 1, 1)},1,0.5,2,1.5,10\n`,
    );
    const error = await loadDataFile({ path, symbol: 'X', timeframe: '1h' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(path);
    await expect(loadDataFile({ path: BUNDLED_BTC_HOURLY.path, symbol: 'BTC/USDT', timeframe: '1d' })).rejects.toThrow(
      /BTC_USDT-1h\.json\.gz/,
    );
  });
});
