import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CandlelabError, DataSourceError, ValidationError } from '@candlelab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSource } from './FileSource.js';

const dir = mkdtempSync(join(tmpdir(), 'candlelab-filesource-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const request = { symbol: 'BTC/USDT', timeframe: '1h' as const, start: T0, end: T0 + 10 * H };
const rows = [0, 1, 2].map((i) => [T0 + i * H, 100 + i, 102 + i, 99 + i, 101 + i, 5]);
const csv = `time,open,high,low,close,volume\n${rows.map((r) => r.join(',')).join('\n')}\n`;

async function load(path: string, extra: { timeUnit?: 's' | 'ms' | 'us' | 'ns' } = {}) {
  const source = new FileSource({ path, symbol: 'BTC/USDT', timeframe: '1h', ...extra });
  const pages = [];
  for await (const page of source.fetch(request)) pages.push(page);
  return pages[0]!.bars;
}

async function failure(path: string): Promise<CandlelabError> {
  try {
    await load(path);
  } catch (error) {
    if (error instanceof CandlelabError) return error;
    throw new Error(`expected a typed candlelab error, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an error');
}

describe('FileSource', () => {
  it('reads gzipped CSV and JSON', async () => {
    const csvPath = join(dir, 'ok.csv.gz');
    writeFileSync(csvPath, gzipSync(csv));
    expect(Array.from((await load(csvPath)).close)).toEqual([101, 102, 103]);
    const jsonPath = join(dir, 'ok.json.gz');
    writeFileSync(jsonPath, gzipSync(`\uFEFF${JSON.stringify(rows)}`));
    expect(Array.from((await load(jsonPath)).time)).toEqual(rows.map((r) => r[0]));
  });

  it.each(['damaged.json.gz', 'damaged.csv.gz'])(
    'a damaged %s is a DataSourceError naming the file (was a raw zlib error)',
    async (name) => {
      const path = join(dir, name);
      const bytes = gzipSync(name.includes('json') ? JSON.stringify(rows) : csv);
      writeFileSync(path, bytes.subarray(0, bytes.length - 12)); // truncated stream
      const error = await failure(path);
      expect(error).toBeInstanceOf(DataSourceError);
      expect(error.message).toContain(path);
      const flipped = Buffer.from(bytes);
      flipped[0] = 0x00; // not a gzip header
      writeFileSync(path, flipped);
      expect((await failure(path)).message).toContain(path);
    },
  );

  it('bad content is a ValidationError naming the file and line', async () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, `${csv}${T0 + 3 * H},0x64,120,90,110,1\n`);
    const error = await failure(path);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(path);
    expect(error.message).toContain('line 5');
    expect((error as ValidationError).issues[0]).toMatchObject({ row: 4, field: 'open' });
  });

  it('passes timeUnit to the parser', async () => {
    const path = join(dir, 'seconds.csv');
    const text = rows.map((r) => [r[0]! / 1000, ...r.slice(1)].join(',')).join('\n');
    writeFileSync(path, text);
    expect((await load(path)).time[0]).toBe(T0); // detected
    expect((await load(path, { timeUnit: 's' })).time[0]).toBe(T0);
    const ms = join(dir, 'ms-declared-as-s.csv');
    writeFileSync(ms, rows.map((r) => r.join(',')).join('\n'));
    await expect(load(ms, { timeUnit: 's' })).rejects.toThrow(/outside 1970/);
  });
});
